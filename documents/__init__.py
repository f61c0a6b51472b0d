"""Users' documents: API blueprint, models, supported types, names, the service API, pages and CLI call, S3."""

from documents.cli import documents_cli
from documents.models import Chunk, Document, DocumentStatus
from documents.routes import blueprint

__all__ = ["Chunk", "Document", "DocumentStatus", "blueprint", "documents_cli"]
