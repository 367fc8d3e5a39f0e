"""Password hashing with Argon2id (argon2-cffi), the standard KDF for stored passwords.

Owns: hashing, checking, and telling when a stored hash needs re-hashing. Must not: store anything.
Production uses argon2-cffi's default parameters (RFC 9106 low-memory profile). Test suites may
switch to the library's CHEAPEST profile with `use_profile("CHEAPEST")` (or the environment
variable GONGWEN_ARGON2_PROFILE): a hash then costs microseconds instead of ~0.1 s, and hashes made
with either profile still verify under the other.
"""

import os

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 8
_hasher = PasswordHasher()


def use_profile(name: str) -> None:
    """Switch the hashing parameters to one of argon2.profiles (e.g. "CHEAPEST")."""
    global _hasher
    _hasher = PasswordHasher.from_parameters(getattr(profiles, name))


if os.environ.get("GONGWEN_ARGON2_PROFILE"):
    use_profile(os.environ["GONGWEN_ARGON2_PROFILE"])


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(stored_hash: str | None, password: str) -> bool:
    """True when `password` matches; False for a wrong password or an unusable hash."""
    if not stored_hash:
        return False
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)
