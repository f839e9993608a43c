"""Moves the clock of every Python process started with this folder on ``PYTHONPATH``.

With ``SMSTOOLS_TEST_CLOCK_SHIFT=DAYS`` set, the wall clock (``time.time``, ``datetime.now``,
``date.today`` …) of the process, and of every Python process it starts with the same
environment, runs DAYS days ahead of the real one; monotonic clocks are left alone, so timeouts
and event loops behave. ``tests/test_clock_shift.py`` runs the clock-sensitive tests this way, a
year ahead and in a far-off time zone, to prove that no test depends on today's date.
"""

import os

_DAYS = os.environ.get("SMSTOOLS_TEST_CLOCK_SHIFT")
if _DAYS:
    from datetime import timedelta

    import time_machine

    # A timedelta destination is relative to the real clock, which time-machine reads itself.
    _TRAVELLER = time_machine.travel(timedelta(days=float(_DAYS)), tick=True)
    _TRAVELLER.start()
