"""Accounts and sessions: the User model, flask-login, the /auth blueprint and the `users` CLI."""

from auth import login as login  # registers the user loader and the JSON 401 handler
from auth.cli import users_cli
from auth.models import User
from auth.routes import blueprint

__all__ = ["User", "blueprint", "users_cli"]
