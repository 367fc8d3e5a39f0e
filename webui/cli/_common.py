"""What every command of the command line shares: tables for a terminal and a Chinese refusal."""

from __future__ import annotations

import unicodedata

import click


def short_time(iso: str | None) -> str:
    """2016-03-07T09:00:00+08:00 → 2016-03-07 09:00 (notice_detail already gives local time)."""
    return iso[:16].replace("T", " ") if iso else ""


def width(text: str) -> int:
    """Columns a string takes in a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def table(headers: list[str], rows: list[list], *, indent: int = 0) -> str:
    """A plain-text table, columns aligned for CJK text."""
    cells = [[str(c) if c is not None else "" for c in row] for row in [headers, *rows]]
    widths = [max(width(row[i]) for row in cells) for i in range(len(headers))]

    def line(row):
        padded = [c + " " * (w - width(c)) for c, w in zip(row, widths, strict=True)]
        return (" " * indent + "  ".join(padded)).rstrip()

    rule = " " * indent + "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule, *(line(row) for row in cells[1:])])


def fail(message: str):
    """Print a refusal on stderr and exit 1."""
    click.echo(message, err=True)
    click.get_current_context().exit(1)


def read_file(path: str) -> bytes:
    """A file's bytes; a missing or unreadable file is refused in Chinese (exit 1).

    Read here rather than through click.Path or click.File, whose refusals are in English."""
    try:
        with open(path, "rb") as file:
            return file.read()
    except FileNotFoundError:
        fail(f"找不到文件：{path}")
    except IsADirectoryError:
        fail(f"{path} 是目录，不是文件")
    except OSError as error:
        fail(f"无法读取文件 {path}：{error.strerror or error}")
