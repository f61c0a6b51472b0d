"""The corpus is other projects' files: each one is named in tests/corpus/README.md with where it came from and
under which licence, and every licence the README links to is there."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
README = CORPUS / "README.md"
LICENCES = {"Apache-2.0", "BSD-2-Clause", "BSD-3-Clause", "CC-BY-SA-4.0", "MIT", "Unlicense"}
CORPUS_FILES = sorted(
    path for path in CORPUS.rglob("*") if path.is_file() and path != README and path.parent.name != "licences"
)


def row_naming(path: Path) -> str | None:
    """The README's table row whose first cell names the file (as `folder/name` or `name`)."""
    for line in README.read_text().splitlines():
        first_cell = line.split("|")[1].strip() if line.startswith("|") else ""
        if first_cell in (f"`{path.name}`", f"`{path.parent.name}/{path.name}`"):
            return line
    return None


def test_the_corpus_holds_files_of_every_family_it_tests():
    families = {"pdf", "docx", "pptx", "xlsx", "odt", "ods", "odp", "epub", "eml", "csv", "rtf"}
    assert {path.parent.name for path in CORPUS_FILES} == families


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_each_corpus_file_is_named_with_its_source_repository_and_licence(path):
    row = row_naming(path)
    assert row is not None, f"{path.relative_to(CORPUS)} is not in tests/corpus/README.md"
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert re.search(r"\[[\w.-]+/[\w.-]+\]", row), "the row names no source repository"
    assert cells[-1] in LICENCES


def test_every_licence_the_readme_links_to_is_in_the_corpus():
    linked = re.findall(r"\]\((licences/[^)]+)\)", README.read_text())
    assert linked
    assert [link for link in linked if not (CORPUS / link).is_file()] == []
