"""``python -m protocall demo``: run the demo training loop."""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    if argv[:1] == ["demo"] and len(argv) == 1:
        from .demo import main as demo

        demo()
        return 0
    print("usage: python -m protocall demo", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
