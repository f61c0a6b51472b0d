"""The pages a person uses in a browser: sign in, their documents, one document, the trash."""

from web import lifecycle  # noqa: F401 - adds the delete, trash, restore and reprocess pages to the blueprint
from web.routes import blueprint

__all__ = ["blueprint"]
