"""Built-in safety rule files (``<name>.toml``)."""
