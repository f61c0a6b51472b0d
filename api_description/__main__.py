"""`python -m api_description [PATH]` (what `make openapi` runs): write the description to PATH,
docs/openapi.json by default, from an app built without .env, so that it is the same on every machine."""

from __future__ import annotations

import sys
from pathlib import Path

from api_description.builder import description_text
from app import create_app

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "docs" / "openapi.json"


def main(arguments: list[str]) -> None:
    path = Path(arguments[0]) if arguments else DEFAULT_PATH
    app = create_app({"INNGEST_DEV": True}, env_file=None)
    path.write_text(description_text(app))
    print(f"wrote {path}")


if __name__ == "__main__":
    main(sys.argv[1:])
