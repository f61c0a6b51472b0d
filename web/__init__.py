"""The pages a person uses in a browser: sign in, their documents, one document, their API tokens."""

from web import tokens as tokens  # the Tokens page's routes, on the same blueprint
from web.routes import blueprint

__all__ = ["blueprint"]
