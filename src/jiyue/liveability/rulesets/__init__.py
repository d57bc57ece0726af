"""Built-in life-circle rule files (``<name>.toml``)."""
