"""Each piece of the topology fails while ~200 documents are posted at a steady rate; nothing accepted is lost.

After each fault: every document accepted (200 or 202, after retries on 409/503), processed, its chunks
stored once, its event received by the Inngest server once; no 5xx but the documented 503.
"""

from __future__ import annotations

import time

from tests.cluster.conftest import RunningCluster, SteadyLoad, assert_nothing_lost

DOCUMENTS = 200
INTERVAL_SECONDS = 0.1  # 10 documents a second, for 20 seconds
FAULT_AFTER_SECONDS = 6.0


def corpus(prefix: str) -> list[str]:
    return [f"{prefix}-{number:03}.txt" for number in range(DOCUMENTS)]


def test_an_app_instance_killed_mid_load_loses_nothing(running_cluster: RunningCluster, users):
    names = corpus("killed-instance")
    load = SteadyLoad(running_cluster, users)
    try:
        result = load.run(
            names, interval=INTERVAL_SECONDS, fault=lambda: running_cluster.cluster.kill_app(1),
            fault_after=FAULT_AFTER_SECONDS,
        )  # fmt: skip
        assert_nothing_lost(running_cluster, result, names)
    finally:
        running_cluster.cluster.start_app(1)


def test_the_inngest_server_restarted_mid_load_loses_nothing(running_cluster: RunningCluster, users):
    # Stopped here; started again by the cluster's supervision, as systemd or Kubernetes would.
    names = corpus("restarted-inngest")
    result = SteadyLoad(running_cluster, users).run(
        names, interval=INTERVAL_SECONDS, fault=running_cluster.cluster.stop_inngest, fault_after=FAULT_AFTER_SECONDS
    )
    assert_nothing_lost(running_cluster, result, names)


def test_redis_stopped_for_ten_seconds_mid_load_loses_nothing(running_cluster: RunningCluster, users):
    def outage() -> None:
        running_cluster.cluster.redis.stop()
        time.sleep(10)
        running_cluster.cluster.redis.start()

    names = corpus("stopped-redis")
    result = SteadyLoad(running_cluster, users).run(
        names, interval=INTERVAL_SECONDS, fault=outage, fault_after=FAULT_AFTER_SECONDS
    )
    assert_nothing_lost(running_cluster, result, names)


def test_postgresql_restarted_mid_load_answers_503_and_loses_nothing(running_cluster: RunningCluster, users):
    def restart() -> None:
        running_cluster.cluster.postgres.stop()
        time.sleep(3)
        running_cluster.cluster.postgres.start()

    names = corpus("restarted-postgresql")
    result = SteadyLoad(running_cluster, users).run(
        names, interval=INTERVAL_SECONDS, fault=restart, fault_after=FAULT_AFTER_SECONDS
    )
    assert result.statuses()[503] > 0, "no request met the database down: the fault missed the load"
    assert_nothing_lost(running_cluster, result, names)
