"""Account deletion purges documents: these tests hand some in as the function tests do."""

from tests.inngest_functions.conftest import stored, submit

__all__ = ["stored", "submit"]
