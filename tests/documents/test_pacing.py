"""Pacing a batch of sends: how long each waits so that they keep to the rate, measured on a clock we drive."""

from __future__ import annotations

import pytest

from documents.pacing import Pace, seconds_to_wait


class FakeTime:
    """A clock that moves only when slept on or told to, recording each sleep."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.mark.parametrize(
    ("now", "previous", "rate", "expected"),
    [
        (5.0, None, 10.0, 0.0),  # the first send
        (5.0, 5.0, 10.0, 0.1),  # right after the previous one
        (5.04, 5.0, 10.0, 0.06),  # part of the interval has passed
        (5.1, 5.0, 10.0, 0.0),  # exactly one interval later
        (7.0, 5.0, 10.0, 0.0),  # the previous send took longer than an interval
        (5.0, 5.0, 0.5, 2.0),  # below one a second
    ],
)
def test_seconds_to_wait_keeps_sends_one_interval_apart(now, previous, rate, expected):
    assert seconds_to_wait(now, previous, rate) == pytest.approx(expected)


def test_pace_waits_only_for_what_is_left_of_each_interval():
    time = FakeTime()
    pace = Pace(4.0, clock=time.clock, sleep=time.sleep)

    waits = [pace.wait(), pace.wait(), pace.wait()]  # sends that take no time
    time.now += 1.0  # a send that takes a second
    waits += [pace.wait()]
    time.now += 0.1  # one that takes a tenth
    waits += [pace.wait()]

    assert waits == pytest.approx([0.0, 0.25, 0.25, 0.0, 0.15])
    assert time.sleeps == pytest.approx([0.25, 0.25, 0.15])


@pytest.mark.parametrize("rate", [0.0, -1.0])
def test_pace_refuses_a_rate_that_is_not_above_zero(rate):
    with pytest.raises(ValueError, match="above 0"):
        Pace(rate)
