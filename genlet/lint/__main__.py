# genlet/lint/__main__.py
"""``python -m genlet.lint PATH...``: see genlet/lint/cli.py."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
