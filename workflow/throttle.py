"""Login throttling: failed attempts counted in the database, by account and by client address.

Owns: the keys a login attempt is counted under, whether an attempt is held back (refused without
looking at the password), counting a failure and the delay it starts, forgetting the account's
failures after a complete login, and dropping counters nobody has touched for a day. Must not:
check passwords or codes, write audit entries (the login command does both), or commit.

The scheme (docs/security.md states it with the ASVS requirements it answers):

- Every failure — a wrong password, a wrong or reused second-factor code, an unknown username —
  is counted under the typed username ("name:…") and under the client address ("addr:…", an IPv4
  address or an IPv6 /64). Unknown names are counted exactly like real ones, so the throttle
  tells nobody which accounts exist.
- After `max_failures` failures under a name (four times as many under an address) each further
  failure delays the next attempt: 1 minute, 2, 4 … doubling up to the policy's longest delay.
  Attempts during a delay are refused without the password being checked (the same answer, and
  an Argon2 hash of the same cost is computed all the same), and are counted under the address
  only — so a stranger who keeps trying only keeps their own address waiting.
- The account's usual address (where its last complete login came from) is exempt from the
  name's and the address's delays: from there only the pair "pair:name@address" counts. A
  stranger elsewhere can delay the account anywhere but at its owner's desk, where a correct
  password is never held back by anyone else's failures.
- Counters live in one table shared by every worker and host. A complete login makes its address
  the usual one and forgets the pair's counter there; the name's counter is not reset by a login
  (that would hand a stranger a fresh allowance each time the owner logs in) but, like every
  counter, starts again after FORGET_AFTER without failures, and its row is then dropped.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.orm import Session

from workflow.db import insert_ignore, lock_for_update
from workflow.models import LoginThrottle
from workflow.settings import Policy

FORGET_AFTER = dt.timedelta(hours=24)  # failures older than this no longer count
ADDRESS_FACTOR = 4  # an address (an office behind one NAT) may fail this many times a name's
MAX_DOUBLINGS = 20  # keeps 2**n small; the policy's longest delay caps the wait long before
UNKNOWN_ADDRESS = "unknown"


def client_key(address: str | None) -> str:
    """The address a client is counted by: IPv4 as it is, IPv6 by its /64 (one subscriber's
    network: a single host can take any address in it)."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return UNKNOWN_ADDRESS
    if ip.version == 6 and ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    if ip.version == 6:
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


@dataclass(frozen=True)
class Keys:
    """The counters one attempt is judged and counted by."""

    name: str
    address: str
    pair: str | None  # only when the attempt comes from the account's usual address


def keys_for(username: str, address: str | None, usual_address: str | None) -> Keys:
    client = client_key(address)
    usual = usual_address is not None and client != UNKNOWN_ADDRESS and client == usual_address
    return Keys(name=f"name:{username}", address=f"addr:{client}",
                pair=f"pair:{username}@{client}" if usual else None)


@dataclass(frozen=True)
class Delay:
    """A delay that a failure has just started: under which kind of key, for how long."""

    scope: str  # "name", "address" or "pair"
    failures: int
    minutes: int


def held_back(session: Session, keys: Keys, now: dt.datetime) -> bool:
    """Is an attempt under these keys to be refused without looking at the password?"""
    judged = [keys.pair] if keys.pair is not None else [keys.name, keys.address]
    return session.scalar(
        select(LoginThrottle.key).where(LoginThrottle.key.in_(judged),
                                        LoginThrottle.blocked_until > now).limit(1)) is not None


def record_failure(session: Session, keys: Keys, policy: Policy, now: dt.datetime, *,
                   checked: bool = True) -> list[Delay]:
    """Count a failed attempt; return the delays it starts.

    `checked` is False for an attempt that was held back: it counts under the address alone
    (the one who keeps knocking waits longer; the account's owner does not).
    """
    _forget_old(session, now)
    counted = [("address", keys.address, policy.max_failures * ADDRESS_FACTOR)]
    if checked:
        counted.append(("name", keys.name, policy.max_failures))
        if keys.pair is not None:
            counted.append(("pair", keys.pair, policy.max_failures))
    delays = []
    for scope, key, allowed in counted:
        failures = _count(session, key, now)
        if failures >= allowed:
            minutes = min(2 ** min(failures - allowed, MAX_DOUBLINGS), policy.lock_minutes)
            session.execute(update(LoginThrottle).where(LoginThrottle.key == key)
                            .values(blocked_until=now + dt.timedelta(minutes=minutes)))
            delays.append(Delay(scope, failures, minutes))
    return delays


def forget_at_usual_address(session: Session, username: str, address: str | None) -> None:
    """After a complete login from `address` (now the account's usual one): the failures made
    there under the name no longer count. The name's own count stays — an owner's login must
    not hand a stranger elsewhere a fresh allowance of guesses — and fades after FORGET_AFTER."""
    session.execute(delete(LoginThrottle).where(
        LoginThrottle.key == f"pair:{username}@{client_key(address)}"))


def forget_name(session: Session, username: str) -> None:
    """After a password reset: the name's delays and its pairs' are lifted (the address's stay)."""
    session.execute(delete(LoginThrottle).where(or_(
        LoginThrottle.key == f"name:{username}",
        LoginThrottle.key.startswith(f"pair:{username}@", autoescape=True))))


def delayed_until(session: Session, usernames: list[str], now: dt.datetime
                  ) -> dict[str, dt.datetime]:
    """For the administrators' user lists: which of these names are being delayed, until when."""
    if not usernames:
        return {}
    rows = session.execute(select(LoginThrottle.key, LoginThrottle.blocked_until).where(
        LoginThrottle.key.in_([f"name:{u}" for u in usernames]), LoginThrottle.blocked_until > now))
    return {key.removeprefix("name:"): until for key, until in rows}


def _count(session: Session, key: str, now: dt.datetime) -> int:
    """One more failure under `key`, counted under a row lock so that workers at once all count;
    a run of failures older than FORGET_AFTER starts again at one."""
    insert_ignore(session, LoginThrottle.__table__,
                  [{"key": key, "failures": 0, "last_failure_at": now}],
                  conflict_columns=["key"])
    row = session.execute(lock_for_update(
        select(LoginThrottle.failures, LoginThrottle.last_failure_at)
        .where(LoginThrottle.key == key))).one()
    failures = 1 if row.last_failure_at < now - FORGET_AFTER else row.failures + 1
    session.execute(update(LoginThrottle).where(LoginThrottle.key == key)
                    .values(failures=failures, last_failure_at=now))
    return failures


def _forget_old(session: Session, now: dt.datetime) -> None:
    """Drop counters nobody has failed under for a day and that hold nothing back (an attacker
    trying many names must not grow the table without end)."""
    session.execute(delete(LoginThrottle).where(
        LoginThrottle.last_failure_at < now - FORGET_AFTER,
        or_(LoginThrottle.blocked_until.is_(None),
            and_(LoginThrottle.blocked_until.is_not(None), LoginThrottle.blocked_until <= now))))
