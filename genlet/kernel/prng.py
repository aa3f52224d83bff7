# genlet/kernel/prng.py
"""The kernel's own small random number generator.

``select`` picks among ready operations at random, and a seeded run must pick the same way on
every interpreter (CPython, PyPy, MicroPython), so genlet does not use ``random``: it has its
own xorshift32, a few lines of integer arithmetic.
"""

try:
    from typing import Optional
except ImportError:
    pass


class Random:
    """The kernel's own small PRNG (xorshift32): the same choices on every interpreter."""

    __slots__ = ("_state",)

    def __init__(self, seed: "Optional[int]" = None) -> None:
        if seed is None:
            import os

            try:
                seed = int.from_bytes(os.urandom(4), "little")
            except Exception:
                import time

                seed = int(time.time() * 1000003)
        self._state = (seed * 2654435761 + 0x9E3779B9) & 0xFFFFFFFF or 1

    def below(self, n: int) -> int:
        """A number in ``range(n)``."""
        x = self._state
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        self._state = x
        return x % n
