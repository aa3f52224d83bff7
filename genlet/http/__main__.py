# genlet/http/__main__.py
"""``python -m genlet.http module:app --bind 127.0.0.1:8000``: see cli.py, or ``--help``."""

import sys

from .cli import main

sys.exit(main())
