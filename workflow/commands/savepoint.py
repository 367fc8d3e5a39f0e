"""How every command runs: inside a SAVEPOINT of the caller's transaction, under the write lock.

Owns: `command`, the decorator that makes a refused command leave the session exactly as it was,
holds SQLite's write lock from the command's first read (a late writer's, see
workflow.db.write_late, is taken here), and turns a lost update (StaleDataError) or a unique-constraint race (IntegrityError) into the
user's Conflict. Must not: commit (the caller owns the transaction) or know any domain rule.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from workflow.db import write_from_here
from workflow.errors import Conflict


def command(fn: Callable) -> Callable:
    """Run a command in a SAVEPOINT: on any error the session is as it was before the call.

    Lost updates (StaleDataError) and unique-constraint races (IntegrityError) become Conflict.
    """

    @functools.wraps(fn)
    def wrapper(session: Session, *args, **kwargs):
        write_from_here(session)  # its reads are the ones its writes rely on
        try:
            with session.begin_nested():
                result = fn(session, *args, **kwargs)
                session.flush()
                return result
        except StaleDataError as error:
            raise Conflict() from error
        except IntegrityError as error:
            raise Conflict("数据已被他人修改或编号已被占用，请刷新后重试") from error

    return wrapper
