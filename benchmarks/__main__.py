# benchmarks/__main__.py
"""``python -m benchmarks``: run the driver."""

import sys

from .run import main

sys.exit(main())
