# genlet/kernel/_typing.py
"""Typing shims: what genlet's annotations need, on interpreters with and without ``typing``.

MicroPython has no ``typing`` module and never evaluates annotations, so annotations are
quoted and ``typing`` names are imported inside ``try``. Generic classes (``Channel[int]``)
are generic for the type checker only: at run time ``Generic[T]`` is a plain base class with
``__slots__ = ()`` (so that subclasses keep no ``__dict__``), and ``Channel[int]`` works on
CPython through ``__class_getitem__``.
"""

__all__ = ["TYPE_CHECKING", "Generic", "GenericBase", "T"]

try:
    from typing import TYPE_CHECKING, TypeVar

    T = TypeVar("T")
except ImportError:  # MicroPython
    TYPE_CHECKING = False  # type: ignore[misc]
    T = None  # type: ignore[assignment, misc]


class GenericBase:
    """The run-time base of genlet's generic classes."""

    __slots__ = ()

    def __class_getitem__(cls, item: object) -> type:
        return cls


class _Subscriptable:
    def __getitem__(self, item: object) -> type:
        return GenericBase


if TYPE_CHECKING:
    from typing import Generic as Generic
else:
    Generic = _Subscriptable()
