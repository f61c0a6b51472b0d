"""What the fuzz run did, counted as it goes and reported once at the end: requests, operations, failures."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

REPORT = Path(__file__).resolve().parents[3] / "test-artifacts" / "fuzzing.txt"

# The checks whose failure means the response says something the description does not.
SCHEMA_CHECKS = frozenset(
    {
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "response_headers_conformance",
    }
)


@dataclass
class Tally:
    requests: int = 0
    sequences: int = 0
    operations: Counter[str] = field(default_factory=Counter)
    server_errors: int = 0
    failures: Counter[str] = field(default_factory=Counter)

    def count_response(self, operation: str, status: int) -> None:
        self.requests += 1
        self.operations[operation] += 1
        if status >= 500:
            self.server_errors += 1

    def count_sequence(self) -> None:
        self.sequences += 1

    def count_failure(self, check: str) -> None:
        self.failures[check] += 1

    @property
    def schema_violations(self) -> int:
        return sum(count for check, count in self.failures.items() if check in SCHEMA_CHECKS)

    def summary(self) -> str:
        line = (
            f"fuzzing: {self.requests} requests over {len(self.operations)} operations, "
            f"{self.server_errors} server errors, {self.schema_violations} schema violations; "
            f"{self.sequences} sequences of linked calls"
        )
        others = {check: count for check, count in self.failures.items() if check not in SCHEMA_CHECKS}
        if others:
            line += ", other failed checks: " + ", ".join(f"{check} {count}" for check, count in sorted(others.items()))
        return line

    def write(self) -> str:
        """The summary line, returned, and written with each operation's count of requests below it."""
        line = self.summary()
        per_operation = [f"{count:6} {operation}" for operation, count in sorted(self.operations.items())]
        REPORT.parent.mkdir(exist_ok=True)
        REPORT.write_text("\n".join([line, "", *per_operation]) + "\n")
        return line


# One run of pytest, one tally: the tests add to it, the terminal summary reports it.
TALLY = Tally()
