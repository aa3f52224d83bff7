# genlet/kernel/lowlevel.py
"""The kernel's published low-level API: what a new primitive or an observer needs.

``sync/``, ``io/`` and ``http/`` are built on these names only (``docs/kernel.md``, "Writing
a blocking primitive"); a name the kernel does not list here may change without notice.
"""

from .instrument import Instrument, describe_wait
from .select import Op
from .traps import Failure, completed, park, park_for_hand_off, parking_task, reschedule
from .waitqueue import WaitQueue, Waiter

__all__ = [
    "Failure", "Instrument", "Op", "WaitQueue", "Waiter", "completed", "describe_wait", "park",
    "park_for_hand_off", "parking_task", "reschedule",
]  # fmt: skip
