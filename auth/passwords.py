"""Password hashing with argon2id at the RFC 9106 / OWASP-recommended cost."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# argon2-cffi's defaults are RFC 9106's second recommended profile
# (t=3, m=64 MiB, p=4), above OWASP's minimum for argon2id (t=2, m=19 MiB).
_hasher = PasswordHasher()

# Verified when the account does not exist, so that an unknown email costs as
# much time as a wrong password and the two cannot be told apart.
_UNKNOWN_USER_HASH = _hasher.hash("no user has this password")

MIN_PASSWORD_LENGTH = 8


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _UNKNOWN_USER_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
