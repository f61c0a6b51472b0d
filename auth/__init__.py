"""Accounts and sessions: the User model, flask-login, the /auth blueprint, API tokens and the `users` CLI."""

from auth import bearer as bearer  # registers the request loader: bearer tokens on the API
from auth import login as login  # registers the user loader and the JSON 401 handler
from auth.cli import users_cli
from auth.models import User
from auth.routes import blueprint
from auth.token_cli import tokens_cli
from auth.token_routes import blueprint as tokens_blueprint

users_cli.add_command(tokens_cli)

__all__ = ["User", "blueprint", "tokens_blueprint", "users_cli"]
