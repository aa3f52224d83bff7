"""``python -m genlet.monitor [host:port] [command ...]``: see genlet/monitor/client.py."""

import sys

from .client import main

sys.exit(main())
