"""Wrong passwords are throttled per account (5 a minute) and per client address (20 a minute); nothing else counts."""

from __future__ import annotations

from tests.conftest import PASSWORD, create_user

WRONG = "not the password"


def login(client, email="alice@example.com", password=WRONG, address="192.0.2.1", headers=None):
    return client.post(
        "/auth/login",
        json={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
        headers=headers or {},
    )


def assert_throttled(response):
    assert response.status_code == 429
    assert "too many wrong passwords" in response.get_json()["error"]
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert response.get_json()["requestId"] == response.headers["X-Request-Id"]


def test_sixth_wrong_password_for_an_account_is_429_with_retry_after(app, client):
    create_user(app, "alice@example.com")
    for _ in range(5):
        assert login(client).status_code == 401
    assert_throttled(login(client))


def test_a_throttled_account_refuses_even_the_right_password_from_another_address(app, client):
    create_user(app, "alice@example.com")
    for _ in range(5):
        login(client)
    assert_throttled(login(client, password=PASSWORD, address="198.51.100.9"))


def test_unknown_accounts_are_throttled_like_real_ones(client):
    for _ in range(5):
        assert login(client, email="nobody@example.com").status_code == 401
    assert_throttled(login(client, email="NOBODY@example.com"))


def test_successful_logins_do_not_count(app, client):
    create_user(app, "alice@example.com")
    for _ in range(7):
        assert login(client, password=PASSWORD).status_code == 200


def test_malformed_logins_do_not_count(app, client):
    create_user(app, "alice@example.com")
    for _ in range(10):
        response = client.post("/auth/login", json={"email": "alice@example.com"})
        assert response.status_code == 400
    assert login(client, password=PASSWORD).status_code == 200


def test_other_accounts_are_not_throttled_by_one_accounts_failures(app, client):
    create_user(app, "alice@example.com")
    create_user(app, "bob@example.com")
    for _ in range(5):
        login(client, email="alice@example.com")
    assert login(client, email="bob@example.com", password=PASSWORD).status_code == 200


def test_one_address_is_throttled_across_accounts_and_x_forwarded_for_is_ignored(client):
    # Each attempt claims another address in X-Forwarded-For; without ProxyFix that changes nothing.
    for attempt in range(20):
        forged = {"X-Forwarded-For": f"203.0.113.{attempt}"}
        assert login(client, email=f"user{attempt // 5}@example.com", headers=forged).status_code == 401
    assert_throttled(login(client, email="user9@example.com", headers={"X-Forwarded-For": "203.0.113.99"}))
    assert login(client, email="user9@example.com", address="198.51.100.9").status_code == 401


def test_behind_proxy_fix_the_forwarded_address_is_the_client(app_with):
    client = app_with(PROXY_FIX_X_FOR=1).test_client()
    proxy = "10.0.0.2"
    for attempt in range(20):
        response = login(
            client, email=f"user{attempt // 5}@example.com", address=proxy, headers={"X-Forwarded-For": "203.0.113.1"}
        )
        assert response.status_code == 401
    other_client = {"X-Forwarded-For": "203.0.113.2"}
    assert login(client, email="user9@example.com", address=proxy, headers=other_client).status_code == 401
    assert_throttled(
        login(client, email="user9@example.com", address=proxy, headers={"X-Forwarded-For": "203.0.113.1"})
    )


def test_wrong_current_passwords_share_the_accounts_login_budget(auth, client):
    assert auth.login().status_code == 200
    for _ in range(5):
        response = client.post("/auth/password", json={"currentPassword": WRONG, "newPassword": "a new password"})
        assert response.status_code == 401
    response = client.post("/auth/password", json={"currentPassword": PASSWORD, "newPassword": "a new password"})
    assert_throttled(response)
    assert_throttled(login(client, password=PASSWORD))
