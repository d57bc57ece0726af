"""Built-in per-mu schemes (``<name>.toml``) and policy tables (``policy-<name>.toml``)."""
