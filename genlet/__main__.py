# genlet/__main__.py
"""``python -m genlet COMMAND``: genlet's command line (``trace``; ``--help`` lists them)."""

import sys

try:
    from typing import List, Optional
except ImportError:
    pass

USAGE = """usage: python -m genlet COMMAND [...]

commands:
  trace [-o run.html] script.py [args]   run a program and record a timeline of its tasks
                                         (run.html: the viewer; run.json: Chrome trace events)
other entry points: python -m genlet.http (serve a WSGI app)"""


def main(argv: "Optional[List[str]]" = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in ("-h", "--help"):
        print(USAGE)
        return 0 if args else 2
    if args[0] == "trace":
        from .trace.cli import main as trace

        return trace(args[1:])
    print("python -m genlet: unknown command %r\n\n%s" % (args[0], USAGE), file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
