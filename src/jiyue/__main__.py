"""Allow ``python -m jiyue``."""

from jiyue.cli import main

main()
