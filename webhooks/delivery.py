"""Sending one signed webhook: to the address that was checked, with a short timeout, following no redirect."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from webhooks.addresses import AddressRefusedError, WebhookTarget, checked_address

USER_AGENT = "document-service-webhooks/1"


@dataclass(frozen=True)
class Outcome:
    delivered: bool
    refused: bool = False
    status_code: int | None = None
    error: str | None = None


def post_webhook(
    target: WebhookTarget, body: str, headers: dict[str, str], *, allow_private: bool, timeout_seconds: float
) -> Outcome:
    """POST `body` to `target`; delivered only on a 2xx answer. Never raises for the receiver's faults."""
    try:
        address = checked_address(target, allow_private=allow_private)
    except AddressRefusedError as error:
        return Outcome(delivered=False, refused=True, error=str(error))
    # The URL names the checked address; Host and (for https) SNI and the certificate check name the host.
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    request_headers = {
        **headers,
        "Host": target.host_header,
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
    }
    try:
        # trust_env=False: a proxy from the environment would connect wherever it likes.
        with (
            httpx.Client(timeout=timeout_seconds, follow_redirects=False, trust_env=False) as client,
            # Streamed and never read: what the receiver answers beyond its status is not ours to download.
            client.stream(
                "POST",
                target.url_for_address(address),
                content=body.encode(),
                headers=request_headers,
                extensions=extensions,
            ) as response,
        ):
            pass
    except (httpx.HTTPError, httpx.InvalidURL, OSError) as error:
        return Outcome(delivered=False, error=f"{type(error).__name__}: could not reach {target.host_header}")
    if response.is_success:
        return Outcome(delivered=True, status_code=response.status_code)
    if response.is_redirect:
        return Outcome(
            delivered=False,
            status_code=response.status_code,
            error="the receiver redirected; redirects are not followed",
        )
    return Outcome(
        delivered=False, status_code=response.status_code, error=f"the receiver answered {response.status_code}"
    )
