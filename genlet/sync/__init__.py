# genlet/sync/__init__.py
"""genlet.sync: primitives for coordinating tasks (portable: MicroPython too).

Every blocking call here is ``yield from``-ed; every one is built on the kernel's one
``WaitQueue`` and ``park``/``reschedule`` (see docs/kernel.md, "Writing a blocking primitive").
"""

from ..kernel.errors import ChannelClosed, WouldBlock
from .channels import CLOSED, Channel, ChannelStatistics
from .condition import Condition
from .events import AsyncResult, Event
from .group import TaskGroup, task_group
from .locks import Lock, RLock
from .pool import Pool
from .queues import LifoQueue, PriorityQueue, Queue
from .semaphores import BoundedSemaphore, Semaphore

__all__ = [
    "AsyncResult", "BoundedSemaphore", "CLOSED", "Channel", "ChannelClosed", "ChannelStatistics",
    "Condition", "Event", "LifoQueue", "Lock", "Pool", "PriorityQueue", "Queue", "RLock",
    "Semaphore", "TaskGroup", "WouldBlock", "task_group",
]  # fmt: skip
