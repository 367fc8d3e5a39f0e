"""Looking at SQLite's writers' lock file from outside, for the tests of the write queue."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path


def lock_file(database_url: str) -> Path:
    """The lock file beside a SQLite database: `<database>.writelock`."""
    return Path(database_url.removeprefix("sqlite:///") + ".writelock")


def is_locked(path: Path) -> bool:
    """Whether some open file description holds a flock on `path` (tried without waiting)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False
