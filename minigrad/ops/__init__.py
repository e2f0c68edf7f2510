"""Every differentiable primitive, grouped by family. Each op is one `Op` subclass that
keeps its forward (NumPy) and backward (Tensor ops) side by side."""
