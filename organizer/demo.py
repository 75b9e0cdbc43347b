"""Demo data for `flask seed-demo`: one group, its organizer and twenty members."""

from dataclasses import dataclass

from organizer.auth.service import create_user, user_by_email
from organizer.extensions import db
from organizer.groups.service import add_group, add_member, group_by_slug
from organizer.models import Group, Role

DEMO_SLUG = "oakville-connectors"
DEMO_PASSWORD = "give-first-demo"  # demo only; printed by the command
ORGANIZER = ("Maria Coach", "coach@example.org")
MEMBERS = [
    ("Alice Nguyen", "alice@example.org"),
    ("Dave Okafor", "dave@example.org"),
    ("Priya Raman", "priya@example.org"),
    ("Tom Becker", "tom@example.org"),
    ("Sofia Marquez", "sofia@example.org"),
    ("Ken Watanabe", "ken@example.org"),
    ("Grace Liu", "grace@example.org"),
    ("Omar Haddad", "omar@example.org"),
    ("Linda Park", "linda@example.org"),
    ("James O'Brien", "james@example.org"),
    ("Fatima Zahra", "fatima@example.org"),
    ("Ben Carter", "ben@example.org"),
    ("Chloe Dubois", "chloe@example.org"),
    ("Raj Patel", "raj@example.org"),
    ("Hannah Schmidt", "hannah@example.org"),
    ("Marcus Green", "marcus@example.org"),
    ("Elena Rossi", "elena@example.org"),
    ("Sam Wilson", "sam@example.org"),
    ("Yuki Tanaka", "yuki@example.org"),
    ("Noah Friedman", "noah@example.org"),
]


@dataclass(frozen=True)
class DemoLogin:
    name: str
    email: str
    role: str


def seed_demo() -> Group:
    """Creates the demo group, or completes it. One commit."""
    organizer = user_by_email(ORGANIZER[1]) or create_user(*ORGANIZER, DEMO_PASSWORD)
    group = group_by_slug(DEMO_SLUG) or add_group(
        organizer, "Oakville Career Connectors", "America/Toronto", slug=DEMO_SLUG
    )
    add_member(group, organizer, Role.ORGANIZER)
    for name, email in MEMBERS:
        add_member(group, user_by_email(email) or create_user(name, email, DEMO_PASSWORD))
    db.session.commit()
    return group


def demo_logins() -> list[DemoLogin] | None:
    """The demo logins, if the demo group exists."""
    group = group_by_slug(DEMO_SLUG)
    if group is None:
        return None
    return [
        DemoLogin(m.user.name, m.user.email, m.role)
        for m in sorted(group.memberships, key=lambda m: (not m.is_organizer, m.user.name))
    ]
