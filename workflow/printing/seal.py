"""A unit's seal (印章) for printing: the image its printed notices carry, and nothing invented.

Owns: checking that a file is a PNG fit to be a seal (its signature, a sound header, a size that
prints), and `set_seal`, the command that stores or clears `Unit.seal_png` with an audit entry.
A unit without a seal prints none — no stand-in, no placeholder (条例: only the organ's own seal
authenticates a document). Must not: draw or alter a seal, or commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import struct
import zlib

from sqlalchemy.orm import Session

from workflow import audit
from workflow.commands.savepoint import command
from workflow.db import as_utc
from workflow.errors import InvalidInput
from workflow.loading import get_actor, get_or_404
from workflow.models import Unit, User
from workflow.permissions import Right, demand

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_SEAL_BYTES = 2 * 1024 * 1024
MIN_SIDE, MAX_SIDE = 64, 4000


def check_png(data: bytes) -> tuple[int, int]:
    """The width and height of a PNG fit to be a seal; InvalidInput (in Chinese) otherwise."""
    if not data:
        raise InvalidInput("印章图片是空文件")
    if len(data) > MAX_SEAL_BYTES:
        raise InvalidInput(f"印章图片超过 {MAX_SEAL_BYTES // 2**20} MB")
    if not data.startswith(PNG_SIGNATURE):
        raise InvalidInput("印章图片必须是 PNG 格式（文件头不符）")
    header = data[8:33]
    if len(header) < 25:
        raise InvalidInput("PNG 文件不完整")
    length, kind = struct.unpack(">I4s", header[:8])
    if kind != b"IHDR" or length != 13:
        raise InvalidInput("PNG 文件已损坏（缺少 IHDR）")
    fields, crc = header[8:21], struct.unpack(">I", header[21:25])[0]
    if zlib.crc32(b"IHDR" + fields) != crc:
        raise InvalidInput("PNG 文件已损坏（校验和不符）")
    width, height = struct.unpack(">II", fields[:8])
    if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
        raise InvalidInput(f"印章图片的宽和高须在 {MIN_SIDE} 至 {MAX_SIDE} 像素之间"
                           f"（此图为 {width}×{height}）")
    if b"IEND" not in data[-12:]:
        raise InvalidInput("PNG 文件不完整（缺少结尾）")
    return width, height


@command
def set_seal(session: Session, actor: User | None, *, unit_id: int, png: bytes | None,
             now: dt.datetime | None = None) -> Unit:
    """Store a unit's seal image (a checked PNG), or clear it with `png=None`."""
    now, actor = as_utc(now), get_actor(session, actor)
    demand(actor, Right.SET_SEAL)
    unit = get_or_404(session, Unit, unit_id, label="单位")
    details: dict = {"name": unit.name}
    if png is None:
        action = "unit.CLEAR_SEAL"
    else:
        width, height = check_png(png)
        action = "unit.SET_SEAL"
        details.update(sha256=hashlib.sha256(png).hexdigest(), width=width, height=height,
                       bytes=len(png))
    unit.seal_png = png
    session.flush()
    audit.append(session, actor=actor, action=action, object_type="unit", object_id=unit.id,
                 at=now, details=details)
    return unit
