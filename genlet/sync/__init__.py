"""genlet.sync: primitives for coordinating tasks (portable: MicroPython too)."""

from ..kernel.errors import ChannelClosed, WouldBlock
from .channels import CLOSED, Channel, ChannelStatistics

__all__ = ["CLOSED", "Channel", "ChannelClosed", "ChannelStatistics", "WouldBlock"]
