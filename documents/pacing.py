"""Holding a batch of sends to a rate, so that thousands of runs do not reach Inngest at once."""

from __future__ import annotations

import time
from collections.abc import Callable


def seconds_to_wait(now: float, previous: float | None, rate: float) -> float:
    """How long to wait at `now` so that a send starts at least 1/`rate` seconds after the `previous` one."""
    if previous is None:
        return 0.0
    return max(0.0, previous + 1.0 / rate - now)


class Pace:
    """At most `rate` sends a second: call `wait()` before each. Time comes from `clock` and passes in `sleep`."""

    def __init__(
        self,
        rate: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError(f"the rate must be above 0, not {rate}")
        self._rate = rate
        self._clock = clock
        self._sleep = sleep
        self._previous: float | None = None

    def wait(self) -> float:
        """Sleep until the next send may start; the seconds slept."""
        now = self._clock()
        delay = seconds_to_wait(now, self._previous, self._rate)
        if delay > 0:
            self._sleep(delay)
        self._previous = now + delay
        return delay
