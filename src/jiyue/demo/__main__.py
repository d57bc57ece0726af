"""``python -m jiyue.demo out.gpkg``: write the demo package (convenience; ``jiyue demo`` is the CLI)."""

from __future__ import annotations

import sys
import time

from jiyue.demo.writer import write_demo


def main() -> None:  # pragma: no cover - convenience
    t0 = time.perf_counter()
    target = write_demo(sys.argv[1] if len(sys.argv) > 1 else "demo.gpkg")
    print(f"wrote {target} in {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":  # pragma: no cover
    main()
