"""Every differentiable primitive, grouped by family. Each op is one `Function` subclass that
keeps its forward (NumPy) and backward (Tensor ops) side by side."""
