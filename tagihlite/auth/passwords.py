"""Password hashing (argon2id) and the rules a new password must meet."""

from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from tagihlite.errors import InputError

MIN_LENGTH = 8
MAX_LENGTH = 256

# argon2id with RFC 9106's second recommended profile (argon2-cffi's defaults, spelt out so
# a library upgrade cannot drift away from _DUMMY_HASH): about 0.1 s per hash.
_HASHER = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4, hash_len=32,
                         salt_len=16, type=Type.ID)

# A hash of a random password nobody knows, made with the same parameters: verifying against
# it costs what a real check costs, so unknown names and locked accounts take as long as a
# wrong password and the timing does not tell whether a user exists.
_DUMMY_HASH = ("$argon2id$v=19$m=65536,t=3,p=4$VPeyFNpsp6op0VxvdSB1VQ$"
               "/t28sConJ8fPBGkid8biPhm8KLfqG7yhb3+NFPTG/M4")


def check_new_password(password: str) -> str:
    if len(password) < MIN_LENGTH:
        raise InputError(f"Kata sandi terlalu pendek: minimal {MIN_LENGTH} karakter.")
    if len(password) > MAX_LENGTH:
        raise InputError(f"Kata sandi terlalu panjang: maksimal {MAX_LENGTH} karakter.")
    if password != password.strip():
        raise InputError("Kata sandi tidak boleh diawali atau diakhiri spasi.")
    return password


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def dummy_verify(password: str) -> None:
    """Spend the time of one real verification, for an answer that must not be faster."""
    verify_password(_DUMMY_HASH, password)


def needs_rehash(stored_hash: str) -> bool:
    try:
        return _HASHER.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True
