"""Webhooks: a user's endpoint, told signed (Standard Webhooks) when a document reaches its outcome; the SSRF guard."""

from webhooks.routes import blueprint

__all__ = ["blueprint"]
