"""The rooms' imports point one way: a room below never imports a room above it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parent.parent
# Each room, and the rooms it must never import: they sit above it and import it.
NEVER_IMPORTS = {
    "documents": {"inngest_functions", "web", "webhooks", "api_description"},
    "webhooks": {"inngest_functions", "web", "api_description"},
    # The routes record what they promise (http_plumbing.api_operations); api_description reads it, above them all.
    "auth": {"inngest_functions", "web", "api_description"},
    # documents.reprocessing reads the chunking fingerprint to tell stale chunks: it sits above processing.
    "processing": {"inngest_functions", "web", "documents.routes", "documents.cli", "documents.reprocessing"},
    "outbox": {"documents", "inngest_functions", "web"},
    "http_plumbing": {"documents", "inngest_functions", "web", "auth", "webhooks", "api_description"},
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


@pytest.mark.parametrize("room", sorted(NEVER_IMPORTS))
def test_a_room_imports_nothing_from_the_rooms_above_it(room):
    climbing = {
        f"{path.relative_to(REPOSITORY)}: {module}"
        for path in sorted((REPOSITORY / room).rglob("*.py"))
        for module in imported_modules(path)
        if any(module == above or module.startswith(f"{above}.") for above in NEVER_IMPORTS[room])
    }
    assert climbing == set()
