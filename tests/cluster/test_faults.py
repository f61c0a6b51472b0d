"""Each piece of the topology fails while 120 documents are posted at a steady rate; nothing accepted is lost.

After each fault: every document accepted (200 or 202, after retries on 409/503), processed, its chunks
stored once, its event received by the Inngest server; no 5xx but the documented 503.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from tests.cluster.conftest import BalancerLog, LoadResult, RunningCluster, SteadyLoad, assert_nothing_lost

DOCUMENTS = 120
INTERVAL_SECONDS = 0.05  # 20 documents a second, for 6 seconds: the fault 3 s in meets the load
FAULT_AFTER_SECONDS = 3.0


def post_corpus_during(
    running: RunningCluster, users: list[str], prefix: str, fault: Callable[[], None]
) -> tuple[LoadResult, list[str]]:
    names = [f"{prefix}-{number:03}.txt" for number in range(DOCUMENTS)]
    result = SteadyLoad(running, users).run(
        names, interval=INTERVAL_SECONDS, fault=fault, fault_after=FAULT_AFTER_SECONDS
    )
    return result, names


def test_an_app_instance_killed_mid_load_loses_nothing(running_cluster: RunningCluster, users):
    balancer = BalancerLog(running_cluster)
    try:
        result, names = post_corpus_during(
            running_cluster, users, "killed-instance", lambda: running_cluster.cluster.kill_app(1)
        )
        # Killed between writing an answer's status line and its body, the instance leaves a client with
        # half an answer: the balancer has passed the start on and cannot send the request elsewhere.
        assert_nothing_lost(running_cluster, result, names, cut_off=balancer.cut_off("app1"))
    finally:
        running_cluster.cluster.start_app(1)


def test_the_inngest_server_restarted_mid_load_loses_nothing(running_cluster: RunningCluster, users):
    # Stopped here; started again by its restart policy, as systemd or Kubernetes would.
    result, names = post_corpus_during(
        running_cluster, users, "restarted-inngest", running_cluster.cluster.interrupt_inngest
    )
    assert_nothing_lost(running_cluster, result, names)


def down_for(seconds: float, stop: Callable[[], None], start: Callable[[], None]) -> Callable[[], None]:
    """A fault: `stop`, then `start` again `seconds` later."""

    def outage() -> None:
        stop()
        time.sleep(seconds)
        start()

    return outage


def test_redis_stopped_for_ten_seconds_mid_load_loses_nothing(running_cluster: RunningCluster, users):
    redis = running_cluster.cluster.redis
    result, names = post_corpus_during(running_cluster, users, "stopped-redis", down_for(10, redis.stop, redis.start))
    assert_nothing_lost(running_cluster, result, names)


def test_postgresql_restarted_mid_load_answers_503_and_loses_nothing(running_cluster: RunningCluster, users):
    postgres = running_cluster.cluster.postgres
    result, names = post_corpus_during(
        running_cluster, users, "restarted-postgresql", down_for(3, postgres.stop, postgres.start)
    )
    assert result.statuses()[503] > 0, "no request met the database down: the fault missed the load"
    assert_nothing_lost(running_cluster, result, names)
