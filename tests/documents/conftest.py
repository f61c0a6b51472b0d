"""The documents tests share the handing-in fixtures of the function tests: a document submitted for real, read back."""

from tests.inngest_functions.conftest import stored, submit

__all__ = ["stored", "submit"]
