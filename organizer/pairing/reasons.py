"""Who may read which reason of a pairing.

A table's reasons are stored with the version (``PairingTable.reasons``), each naming the
need it is about (``need_id``) and, for a two-sided link, the helper's own need behind it
(``source_need_id``). Needs change after a pairing: they are hidden, deleted, or shared with
fewer people. So whoever reads a reason, the needs it names are checked as they are *now*:

* organizers (review page, CSV): every reason whose needs still exist, the "possible" ones too;
* a member (their lunch page): reasons members see (``shown``), whose needs the member may see
  now (shared with the group, the member's own, or shared with a lunch partner who is one);
* a table card, printed for the people at that table: shown reasons whose needs are shared
  with the group or with a lunch partner;
* the room (the master sheet): shown reasons whose needs the whole group may see.

Reasons saved before they named their needs by id are matched to a need by its owner and
title; one that matches no need is not shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import bindparam, select

from organizer.database import read_rows
from organizer.extensions import db
from organizer.groups import versions
from organizer.models import Membership, Need, PairingTable, Visibility

ORGANIZERS, MEMBER, TABLE, ROOM = "organizers", "member", "table", "room"


@dataclass(frozen=True)
class _NeedNow:
    owner: int          # user id
    visibility: str


# Built once (the review reads it on every visit). By the needs' ids, their group checked on each
# row: a filter on the group in SQL lets SQLite start from the group's memberships and probe every
# member's needs for the ids (1.5 ms at 400 members, against 0.25 ms by primary key).
_NEEDS_BY_ID = (select(Need.id, Need.title, Need.visibility, Membership.user_id, Membership.group_id)
                .join(Membership, Need.membership_id == Membership.id)
                .where(Need.id.in_(bindparam("ids", expanding=True))))


def _named(tables: Iterable[PairingTable]) -> tuple[set[int], set[int]]:
    """The needs the tables' reasons name by id, and the owners of those they name by title only."""
    reasons = [r for t in tables for r in t.reasons]
    ids = {r.get(k) for r in reasons for k in ("need_id", "source_need_id")} - {None}
    return ids, {r["helped"] for r in reasons if r.get("need_id") is None}


def _needs_now(group_id: int, tables: Iterable[PairingTable]) -> NeedsNow:
    """The current state of every need the tables' reasons name (by id, and by owner and title)."""
    ids, legacy_owners = _named(tables)
    if legacy_owners:
        rows = db.session.execute(
            select(Need.id, Need.title, Need.visibility, Membership.user_id, Membership.group_id)
            .join(Membership, Need.membership_id == Membership.id)
            .where(Membership.group_id == group_id, Need.id.in_(ids) | Membership.user_id.in_(legacy_owners))).all()
    else:
        rows = read_rows(_NEEDS_BY_ID, {"ids": sorted(ids)}).all() if ids else []
    rows = [row for row in rows if row.group_id == group_id]  # another group's need is never named
    by_id = {row.id: _NeedNow(row.user_id, row.visibility) for row in rows}
    by_title = {(row.user_id, row.title): row.id for row in rows if row.user_id in legacy_owners}
    return by_id, by_title


def _may_see(need: _NeedNow | None, audience: str, viewer_id: int | None, partner_ids: frozenset[int]) -> bool:
    if need is None:
        return False
    if audience == ORGANIZERS:
        return True
    if need.visibility == Visibility.GROUP.value:
        return True
    if need.visibility == Visibility.PARTNER.value:
        if audience == TABLE:
            return True
        if audience == MEMBER:
            return need.owner == viewer_id or need.owner in partner_ids
    return audience == MEMBER and need.owner == viewer_id


NeedsNow = tuple[dict[int, _NeedNow], dict[tuple[int, str], int]]


def needs_now(group_id: int, tables: Iterable[PairingTable]) -> NeedsNow:
    """What visible_reasons reads, for several calls on these tables (or some of them): one statement."""
    return _needs_now(group_id, list(tables))


NEEDS_CACHE_SIZE = 1024
_kept_needs = versions.SharedCache(max_entries=NEEDS_CACHE_SIZE)


def kept_needs_now(group_id: int, tables: Iterable[PairingTable]) -> NeedsNow:
    """``needs_now``, kept per process under the group's data version (groups.versions: a need
    deleted, hidden, renamed or gone with its member changes it) and the needs named: the review
    asks on every visit for the same page of tables. Callers only read it."""
    tables = list(tables)
    ids, legacy_owners = _named(tables)
    version = versions.current(group_id)  # read before the needs: a change between the two only reads again
    return _kept_needs.get(("needs now", group_id, version, tuple(sorted(ids)), tuple(sorted(legacy_owners))),
                           lambda: _needs_now(group_id, tables))


def visible_reasons(group_id: int, tables: Iterable[PairingTable], audience: str,
                    viewer_id: int | None = None, partner_ids: frozenset[int] = frozenset(),
                    needs: NeedsNow | None = None) -> dict[int, list[dict]]:
    """Per table id, the reasons ``audience`` may read now (see the module's docstring).
    ``needs``: needs_now of these tables, read once for many viewers."""
    tables = list(tables)
    by_id, by_title = needs if needs is not None else _needs_now(group_id, tables)
    out: dict[int, list[dict]] = {}
    for table in tables:
        kept = []
        for reason in table.reasons:
            if audience != ORGANIZERS and not reason.get("shown", True):
                continue
            need_id = reason.get("need_id")
            if need_id is None:
                need_id = by_title.get((reason["helped"], reason["need"]))
            if not _may_see(by_id.get(need_id), audience, viewer_id, partner_ids):
                continue
            source = reason.get("source_need_id")
            if source is not None and not _may_see(by_id.get(source), audience, viewer_id, partner_ids):
                continue
            kept.append(reason)
        out[table.id] = kept
    return out
