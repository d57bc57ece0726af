"""jiyue (集约): land intensive-use evaluation and supervision for development zones."""

__version__ = "0.1.0"
__all__ = ["__version__"]
