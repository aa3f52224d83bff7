# genlet/kernel/flags.py
"""The bits of ``Task._flags``: a task's state, and above them its id.

A module of its own, importing nothing, so that every kernel module (``traps.py`` too, which
``task.py`` imports) tests a bit by its name.
"""

ENDED = 1  # finished: _value holds its result or the exception
FAILED = 2  # _value is the exception that ended it
CANCELLED = 4  # it ended by its own cancellation
CANCEL_REQUESTED = 8  # task.cancel() was called
DAEMON = 16  # cancelled without a warning at the end of run()
NAMED = 32  # _name was given by the user (else it is the function's name)
OBSERVED = 64  # its failure was received (see wake_joiners), or will be: not reported
REPORTED = 128  # its failure went to the log already
ON_ROLL = 256  # on the kernel's roll of tasks that have started (see Kernel._add_to_roll)
ID_SHIFT = 9  # the bits above these hold the task's id (see Task.id)
ID_STEP = 1 << ID_SHIFT  # what each spawn adds to the kernel's count (Kernel._id_bits)
