"""The second factor: TOTP codes (RFC 6238, through pyotp) and one-time recovery codes.

Owns: making a secret and the otpauth:// address an authenticator app reads from the QR code;
the time step of a moment; telling which step a typed code belongs to (the one before, the one
now, the one after — a phone's clock drifts), never one at or before the last step accepted; and
making, hashing and recognising recovery codes. Must not: store anything, count failures or
write the audit trail (the commands in workflow.commands.accounts do).

The secret is kept in the database in the clear: whoever can read user_account can compute codes.
docs/security.md says so; it relies on the database's access control, like the password hashes.
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
import secrets

import pyotp

from workflow.passwords import check_password, hash_password

ISSUER = "公文流转"
STEP_SECONDS = 30  # RFC 6238's default, what every authenticator app uses
DIGITS = 6
RECOVERY_CODES = 10
# Recovery codes are read from paper: capitals and digits without look-alikes (0/O, 1/I);
# 10 of 32 symbols are 50 bits, far beyond what the login throttle lets anyone try online.
_RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_RECOVERY_LENGTH = 10
_CODE = re.compile(rf"^\d{{{DIGITS}}}$")


def new_secret() -> str:
    """A fresh shared secret: 32 base32 characters (160 bits, RFC 4226's recommended length)."""
    return pyotp.random_base32()


def provisioning_uri(secret: str, username: str) -> str:
    """The otpauth:// address the QR code carries: the app files the code under 公文流转 and
    the username."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def time_step(moment: dt.datetime) -> int:
    """The TOTP counter of a moment (naive UTC, as the engine keeps time)."""
    seconds = moment.replace(tzinfo=dt.UTC).timestamp() if moment.tzinfo is None \
        else moment.timestamp()
    return int(seconds) // STEP_SECONDS


def code_at(secret: str, step: int) -> str:
    """The code for one time step (what the app shows during those 30 seconds)."""
    return pyotp.TOTP(secret).generate_otp(step)


def looks_like_code(typed: str) -> bool:
    return bool(_CODE.match(typed))


def matching_step(secret: str, typed: str, moment: dt.datetime, last_step: int | None
                  ) -> tuple[int | None, bool]:
    """(the step `typed` is the code of, whether it had been used already).

    The step before and after now are accepted too (clocks drift by a few seconds); a step at or
    before `last_step` is a code used before — refused, however fresh.
    """
    if not looks_like_code(typed):
        return None, False
    now = time_step(moment)
    for step in (now - 1, now, now + 1):
        if hmac.compare_digest(code_at(secret, step), typed):
            return step, last_step is not None and step <= last_step
    return None, False


def new_recovery_codes() -> list[str]:
    """Ten fresh recovery codes, shown to their holder once, as XXXXX-XXXXX."""
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(_RECOVERY_LENGTH))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def normalised_recovery_code(typed: str) -> str | None:
    """A typed recovery code without spaces and dashes, in capitals; None if it cannot be one."""
    raw = re.sub(r"[\s\-]", "", typed or "").upper()
    if len(raw) != _RECOVERY_LENGTH or any(ch not in _RECOVERY_ALPHABET for ch in raw):
        return None
    return raw


def hash_recovery_code(code: str) -> str:
    """Stored like a password (Argon2id): a stolen table does not give the codes away."""
    return hash_password(normalised_recovery_code(code) or code)


def recovery_code_matches(stored_hash: str, raw: str) -> bool:
    return check_password(stored_hash, raw)
