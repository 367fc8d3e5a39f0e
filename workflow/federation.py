"""The federations: each root tree of units is one federation, and nothing crosses between them.

Owns: finding the federation (root unit) of units, and the refusal when a notice would reach a
unit of another federation. A 长春 notice never reaches a 哈尔滨 unit, whoever chooses the
recipients and however a group was put together. Must not: change anything.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from workflow.errors import InvalidInput
from workflow.models import Unit


def roots_of(session: Session, unit_ids: Iterable[int]) -> dict[int, int]:
    """Each unit's root (the federation it belongs to), in one recursive statement whatever the
    number of units; units that do not exist are left out."""
    ids = sorted(set(unit_ids))
    if not ids:
        return {}
    up = (select(Unit.id.label("start"), Unit.id.label("id"), Unit.parent_id.label("parent_id"))
          .where(Unit.id.in_(ids)).cte("up", recursive=True))
    parent = aliased(Unit)
    up = up.union_all(select(up.c.start, parent.id, parent.parent_id)
                      .join(parent, parent.id == up.c.parent_id))
    return dict(session.execute(select(up.c.start, up.c.id).where(up.c.parent_id.is_(None))).all())


def require_within(session: Session, issuer_unit_id: int, unit_ids: Iterable[int]) -> None:
    """Refuse (InvalidInput, naming them) the units that lie outside the issuer's federation."""
    unit_ids = list(dict.fromkeys(unit_ids))
    roots = roots_of(session, [issuer_unit_id, *unit_ids])
    home = roots.get(issuer_unit_id)
    strangers = [u for u in unit_ids if roots.get(u) != home]
    if strangers:
        names = session.scalars(select(Unit.name).where(Unit.id.in_(strangers))
                                .order_by(Unit.id)).all()
        shown = "、".join(names[:5]) + (f"等{len(names)}个单位" if len(names) > 5 else "")
        raise InvalidInput(f"只能向本系统（本级妇联组织）内的单位行文，以下单位不属于本系统：{shown}")


def descendants_of(session: Session, unit_id: int) -> set[int]:
    """Every unit below `unit_id` (not itself), in one recursive statement."""
    down = select(Unit.id.label("id")).where(Unit.parent_id == unit_id).cte("down", recursive=True)
    child = aliased(Unit)
    down = down.union_all(select(child.id).join(down, child.parent_id == down.c.id))
    return set(session.scalars(select(down.c.id)))


def require_below(session: Session, issuer_unit_id: int, unit_ids: Iterable[int]) -> None:
    """Refuse (InvalidInput, naming them) the units that are not below the issuer: a 转发 goes
    only down the unit's own subtree (不得越级行文), never up, sideways or to its departments."""
    unit_ids = list(dict.fromkeys(unit_ids))
    if not unit_ids:
        return
    below = descendants_of(session, issuer_unit_id)
    internal = set(session.scalars(select(Unit.id).where(Unit.id.in_(unit_ids),
                                                         Unit.internal.is_(True))))
    strangers = [u for u in unit_ids if u not in below or u in internal]
    if strangers:
        names = session.scalars(select(Unit.name).where(Unit.id.in_(strangers))
                                .order_by(Unit.id)).all()
        shown = "、".join(names[:5]) + (f"等{len(names)}个单位" if len(names) > 5 else "")
        raise InvalidInput(f"转发只能发给本单位的下级单位，以下单位不是：{shown}")
