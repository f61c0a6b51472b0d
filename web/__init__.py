"""The pages a person uses in a browser: sign in, their documents, one document."""

from web.routes import blueprint

__all__ = ["blueprint"]
