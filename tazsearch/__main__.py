"""The `tazsearch` command, and `python -m tazsearch`.

The CLI is imported here, inside a guard, so that a Ctrl-C while it loads is
a clean exit with code 130 rather than a traceback.
"""

import sys


def main() -> None:
    try:
        from .cli import main as run_cli
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        raise SystemExit(130) from None
    run_cli()


if __name__ == "__main__":
    main()
