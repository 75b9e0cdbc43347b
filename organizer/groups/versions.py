"""A group's data version: a number that changes with every commit that changed what the
group's shared read caches are built from (its members and their profiles, needs, offers,
their tags, help terms and links).

Caches of aggregates several pages share (the tags used in a group, the help model's inputs)
are kept per process and keyed by it, so a page asks one cheap question instead of recounting
the group: `current(group_id)`. Every worker reads the same number from the database, so a
change committed by one is seen by all on their next request.

It is kept here, for every writer present and future, rather than by each service: the
session's flushes note which groups their rows belong to, and the commit adds one to each of
those groups' `data_version` in the same transaction (so the number and the data change
together). A bulk UPDATE or DELETE on those tables, whose rows the session does not see,
changes every group's number. A reader must read the number before the data it caches: a
change committed between the two is then cached under the old number, which nobody reads again.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from sqlalchemy import bindparam, event, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from organizer.extensions import db
from organizer.models import Group, HelpLink, HelpTerm, Membership, Need, Offer, Tag, User

ALL_GROUPS = 0  # in the noted set: a bulk statement changed rows of groups unknown
_NOTED = "changed_group_ids"
_GROUP_ROWS = (Membership, Tag, HelpTerm, HelpLink)  # rows with their own group_id
_MEMBER_ROWS = (Need, Offer)                           # rows of a membership
_TRACKED = (*_GROUP_ROWS, *_MEMBER_ROWS, User)


_CURRENT = select(Group.created_at, Group.data_version).where(Group.id == bindparam("group_id"))
_READ = "group_versions"  # in the session's info: what current() read in this transaction


def current(group_id: int) -> tuple:
    """A key for the group's data as committed (or as this transaction sees it): its data
    version, with when the group was created (a group created under the id of a deleted
    one, as SQLite may reuse it, starts again from 0 but is not the same group).

    Read once per transaction (a page with two shared caches asks twice): the number changes
    only when a transaction commits, and the transaction's end forgets it. On PostgreSQL a
    commit by another worker meanwhile is then seen by the next transaction; the data read
    after the number is never older than the number, which is what the caches need."""
    session = db.session()
    read = session.info.setdefault(_READ, {})
    if group_id not in read:
        loaded = _loaded_version(session, group_id)
        if loaded is not None:
            read[group_id] = loaded
        else:
            row = session.execute(_CURRENT, {"group_id": group_id}).first()
            read[group_id] = (None, 0) if row is None else (row[0], row[1])
    return read[group_id]


def _loaded_version(session: Session, group_id: int) -> tuple | None:
    """The version of the group as this transaction already loaded it, if it did: every signed-in
    page reads the visitor's groups first (``access.load_signed_in``), so a page's shared caches
    need no statement of their own to ask. Read before the data they cache, as `current` needs; a
    commit or rollback expires the object, and then the number is read anew."""
    group = session.identity_map.get(identity_key(Group, group_id))  # persistent objects only
    if group is None:
        return None
    loaded = group.__dict__  # the loaded, unexpired attributes only (reading them sends nothing)
    if "created_at" not in loaded or "data_version" not in loaded:
        return None
    return loaded["created_at"], loaded["data_version"]


class SharedCache:
    """Values computed from groups' data, kept per process and database, under keys that hold
    the group's `current()` version (and, for what depends on the viewer, who may see what),
    so a commit that changed the group makes the next request compute anew. The least recently
    used keys go past `max_entries` (old versions are never asked again)."""

    def __init__(self, max_entries: int):
        self.max_entries = max_entries
        self._by_database: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # engine -> OrderedDict
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        engine = db.engine
        with self._lock:
            entries = self._by_database.setdefault(engine, OrderedDict())
            if key in entries:
                entries.move_to_end(key)
                return entries[key]
        value = compute()
        with self._lock:
            entries[key] = value
            while len(entries) > self.max_entries:
                entries.popitem(last=False)
        return value


def _groups_of(session: Session, instance) -> set[int]:
    if isinstance(instance, _GROUP_ROWS):
        group_id = instance.group_id
        if group_id is None and isinstance(instance, Membership) and instance.group is not None:
            group_id = instance.group.id
        return {group_id} if group_id is not None else set()
    if isinstance(instance, _MEMBER_ROWS):
        membership = instance.membership
        if membership is not None:
            return _groups_of(session, membership)
        if instance.membership_id is not None:
            group_id = session.scalar(select(Membership.group_id).where(Membership.id == instance.membership_id))
            return {group_id} if group_id is not None else set()
        return set()
    if isinstance(instance, User) and instance.id is not None:  # a new user has no groups yet
        return set(session.scalars(select(Membership.group_id).where(Membership.user_id == instance.id)))
    return set()


def _note_flush(session: Session, flush_context, instances) -> None:
    changed = [obj for obj in (*session.new, *session.dirty, *session.deleted)
               if isinstance(obj, _TRACKED) and (obj not in session.dirty or session.is_modified(obj))]
    if not changed:
        return
    noted = session.info.setdefault(_NOTED, set())
    with session.no_autoflush:  # read before the flush writes (a deleted user's groups still exist)
        for instance in changed:
            noted |= _groups_of(session, instance)


def _note_bulk(state) -> None:
    if (state.is_update or state.is_delete) and state.bind_mapper is not None \
            and issubclass(state.bind_mapper.class_, _TRACKED):
        state.session.info.setdefault(_NOTED, set()).add(ALL_GROUPS)


def _bump_before_commit(session: Session) -> None:
    session.flush()  # the commit flushes after this hook: note what is still pending first
    noted = session.info.pop(_NOTED, None)
    if not noted:
        return
    groups = Group.__table__
    statement = update(groups).values(data_version=groups.c.data_version + 1)  # type: ignore[arg-type]  # a Table
    if ALL_GROUPS not in noted:
        statement = statement.where(groups.c.id.in_(sorted(noted)))
    session.execute(statement)


def _forget(session: Session, transaction) -> None:
    session.info.pop(_READ, None)  # the next transaction reads the numbers anew
    if transaction.parent is None:  # the whole transaction ended (rolled back: nothing changed)
        session.info.pop(_NOTED, None)


def register() -> None:
    """Connects the session hooks (once per process)."""
    if event.contains(Session, "before_flush", _note_flush):
        return
    event.listen(Session, "before_flush", _note_flush)
    event.listen(Session, "do_orm_execute", _note_bulk)
    event.listen(Session, "before_commit", _bump_before_commit)
    event.listen(Session, "after_transaction_end", _forget)
