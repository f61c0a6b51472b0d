"""Left only for tests/scripts/, which imports REPOSITORY from here; the app server lives in tests/support/."""

from tests.support.app_server import REPOSITORY as REPOSITORY
