"""Users' documents: the API blueprint, the Document/Chunk models, names, S3 access and the `documents` CLI."""

from documents.cli import documents_cli
from documents.models import Chunk, Document, DocumentStatus
from documents.routes import blueprint

__all__ = ["Chunk", "Document", "DocumentStatus", "blueprint", "documents_cli"]
