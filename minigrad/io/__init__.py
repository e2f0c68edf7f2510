"""Checkpoints: `save` and `load` in the safetensors format (no pickle)."""

from minigrad.io.checkpoint import load, save

__all__ = ["save", "load"]
