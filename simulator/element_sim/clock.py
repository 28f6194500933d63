"""The simulator's one clock: wall time plus an offset that tests move forward (/sim/clock).

Every time the cluster model reads or stores (pair changes, snapshot and volume times, lag,
schedules) comes from now(), so a test can let hours pass in a second. The offset only ever
grows, and it is kept in the store's meta table so that a restart does not move time back.
"""

import threading
import time

MAX_ADVANCE_SECONDS = 366 * 24 * 3600


class Clock:
    def __init__(self):
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self):
        return time.time() + self._offset

    @property
    def offset(self):
        return self._offset

    def restore(self, offset):
        """The offset a stored state was left at (never moves time back)."""
        with self._lock:
            self._offset = max(self._offset, float(offset))

    def advance(self, seconds):
        if not 0 <= seconds <= MAX_ADVANCE_SECONDS:
            raise ValueError(f"advance must be 0-{MAX_ADVANCE_SECONDS} seconds")
        with self._lock:
            self._offset += float(seconds)
            return self._offset


CLOCK = Clock()


def now():
    return CLOCK.now()
