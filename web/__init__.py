"""The pages a person uses in a browser: sign in, their documents, one document, the trash, their API tokens
and webhook."""

from web import lifecycle  # noqa: F401 - adds the delete, trash, restore and reprocess pages to the blueprint
from web import tokens as tokens  # the Tokens page's routes, on the same blueprint
from web import webhook_page as webhook_page  # its webhook section's
from web.routes import blueprint

__all__ = ["blueprint"]
