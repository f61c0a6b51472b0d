"""What instances share through PostgreSQL and Redis: login throttling, sessions, Idempotency-Key.

Each test speaks to the instances directly (not through the balancer), so it knows which one answers.
"""

from __future__ import annotations

import threading

import httpx

from tests.cluster.conftest import RunningCluster, SteadyLoad
from tests.conftest import PASSWORD


def test_wrong_passwords_are_counted_across_instances(running_cluster: RunningCluster, create_account):
    create_account("guessed@example.com")
    wrong = {"email": "guessed@example.com", "password": "not the password"}
    answers = []
    for attempt in range(6):  # the limit is 5 failures a minute per account, whichever instance counts them
        url = running_cluster.instance_url(1 + attempt % 2)
        answers.append(httpx.post(f"{url}/auth/login", json=wrong, timeout=30).status_code)

    assert answers == [401] * 5 + [429]
    right = {"email": "guessed@example.com", "password": PASSWORD}
    assert httpx.post(f"{running_cluster.instance_url(2)}/auth/login", json=right, timeout=30).status_code == 429


def test_signing_out_on_one_instance_ends_the_session_on_every_instance(
    running_cluster: RunningCluster, create_account
):
    create_account("everywhere@example.com")
    laptop = running_cluster.sign_in("everywhere@example.com", running_cluster.instance_url(1))
    phone = running_cluster.sign_in("everywhere@example.com", running_cluster.instance_url(2))
    phone_on_instance_1 = httpx.Client(base_url=running_cluster.instance_url(1), headers=phone.headers, timeout=30)
    running_cluster.clients.append(phone_on_instance_1)
    assert phone_on_instance_1.get("/auth/me").status_code == 200

    assert laptop.post("/auth/logout").status_code == 200

    assert phone.get("/auth/me").status_code == 401
    assert phone_on_instance_1.get("/auth/me").status_code == 401


def test_one_idempotency_key_sent_to_two_instances_at_once_runs_once(running_cluster: RunningCluster, create_account):
    create_account("twice@example.com")
    first = running_cluster.sign_in("twice@example.com", running_cluster.instance_url(1))
    second = httpx.Client(base_url=running_cluster.instance_url(2), headers=first.headers, timeout=60)
    running_cluster.clients.append(second)
    SteadyLoad(running_cluster, []).upload_as(first, ["twice.txt"])
    barrier = threading.Barrier(2)
    answers: list[httpx.Response] = []

    def post(client: httpx.Client) -> None:
        barrier.wait()
        answers.append(
            client.post("/api/route", json={"documentName": "twice.txt"}, headers={"Idempotency-Key": "same-key"})
        )

    threads = [threading.Thread(target=post, args=(client,)) for client in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    statuses = sorted(answer.status_code for answer in answers)
    assert statuses in ([200, 409], [202, 409], [200, 200], [202, 202]), [answer.text for answer in answers]
    if statuses[0] == statuses[1]:  # the second came after the first had finished: a replay
        assert [answer.headers.get("Idempotent-Replayed") for answer in answers].count("true") == 1
    events = running_cluster.query(
        "SELECT count(*) FROM outbox_events o JOIN documents d ON d.id = o.document_id WHERE d.name = 'twice.txt'"
    )
    assert events == [(1,)]
