# genlet/sync/__init__.py
"""genlet.sync: primitives for coordinating tasks (portable: MicroPython too)."""
