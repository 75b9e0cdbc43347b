"""Small factory functions: each builds one thing, committed, with sensible defaults."""

import itertools

from organizer.auth.service import hash_password
from organizer.extensions import db
from organizer.groups.service import add_member, create_group
from organizer.models import Group, Membership, Role, User

DEFAULT_PASSWORD = "correct horse battery"
_counter = itertools.count(1)


def make_user(name: str | None = None, email: str | None = None, password: str | None = DEFAULT_PASSWORD,
              headline: str = "", industry: str = "") -> User:
    n = next(_counter)
    user = User(
        name=name or f"Member {n}",
        email=(email or f"member{n}@example.org").lower(),
        password_hash=None if password is None else hash_password(password),
        headline=headline, industry=industry,
    )
    db.session.add(user)
    db.session.commit()
    return user


def make_group(organizer: User | None = None, name: str | None = None, members: list[User] = (),
               time_zone: str = "America/Toronto") -> Group:
    organizer = organizer or make_user()
    group = create_group(organizer, name or f"Group {next(_counter)}", time_zone)
    for user in members:
        add_member(group, user)
    db.session.commit()
    return group


def make_member(group: Group, role: Role = Role.MEMBER, **user_fields) -> User:
    user = make_user(**user_fields)
    add_member(group, user, role)
    db.session.commit()
    return user


def membership_of(user: User, group: Group) -> Membership | None:
    from organizer.groups.service import membership

    return membership(group.id, user.id)


def make_need(group: Group, user: User, title: str = "A publisher for my book", tags: str = "",
              visibility: str = "group", priority: str = "normal", status: str = "open", details: str = ""):
    from organizer.members.service import NeedInput, add_need

    need = add_need(membership_of(user, group), NeedInput(title=title, details=details, tags=tags,
                                                          visibility=visibility, priority=priority, status=status))
    db.session.commit()
    return need


def make_offer(group: Group, user: User, title: str = "Resume reviews", tags: str = "", kind: str = "advice",
               active: bool = True, details: str = ""):
    from organizer.members.service import OfferInput, add_offer

    offer = add_offer(membership_of(user, group), OfferInput(title=title, details=details, tags=tags,
                                                            kind=kind, active=active))
    db.session.commit()
    return offer
