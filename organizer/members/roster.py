"""The member roster as CSV: import (parse, check every row, then apply in one
transaction) and export in the same format, so that an export imported again changes nothing.

Format: a header row; `name` and `email` (or `first name`, `last name` and `email`, as in
Eventbrite attendee exports); optional `headline`, `industry`, `city`, `needs`, `offers`.
Header names match case-insensitively; other columns are ignored and named in the report.
A needs or offers cell holds one item per line, or items separated by `;`.
UTF-8 with or without a byte-order mark; comma or semicolon delimiters; quoted cells may
hold line breaks.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from organizer import signals
from organizer.auth.service import create_user, looked_after_by, normalize_email
from organizer.extensions import db
from organizer.groups.memberships import add_member, invite_to_group, membership
from organizer.members.service import MAX_NEEDS, MAX_OFFERS, TITLE_MAX_LENGTH
from organizer.models import Group, Membership, Need, Offer, User, Visibility
from organizer.spreadsheet import safe_cell, unescape_cell

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
COLUMNS = ["name", "email", "headline", "industry", "city", "needs", "offers"]
FIELD_LIMITS = {"name": 120, "email": 254, "headline": 160, "industry": 120, "city": 120}
# Needs that arrive by import are shown to a lunch partner and organizers only,
# until the member says otherwise: the member has not chosen to tell the whole group.
IMPORTED_NEED_VISIBILITY = Visibility.PARTNER


class ImportRejected(Exception):
    """The file as a whole cannot be read (size, encoding, header)."""


@dataclass
class RowProblem:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass
class MemberRow:
    line: int
    name: str
    email: str
    headline: str = ""
    industry: str = ""
    city: str = ""
    needs: list[str] = field(default_factory=list)
    offers: list[str] = field(default_factory=list)


@dataclass
class ImportPlan:
    rows: list[MemberRow]
    problems: list[RowProblem]
    ignored_columns: list[str]
    # Emails of people already in the group. The preview says nothing else about an email:
    # whether one outside the group has an account is not shown before the import is saved.
    member_emails: set[str] = field(default_factory=set)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def outside_count(self) -> int:
        return sum(1 for row in self.rows if row.email not in self.member_emails)


@dataclass
class ImportResult:
    created: list[User]                  # new accounts: each owner is emailed their own set-password link
    invited: list[User]                  # existing accounts outside the group: asked to join
    updated: list[User]                  # needs or offers added (accounts this group still looks after)
    unchanged: list[User]                # members left as they are (their owner's to change)


def split_items(cell: str) -> list[str]:
    """One item per line; a cell of a single line may separate its items with ';'."""
    cell = cell.replace("\r\n", "\n").strip()
    parts = cell.split("\n") if "\n" in cell else cell.split(";")
    items: list[str] = []
    for part in parts:
        part = part.strip()
        if part and part not in items:
            items.append(part)
    return items


def decode(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        raise ImportRejected(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ImportRejected(f"The file is not UTF-8 text (line {line}). Save it as 'CSV UTF-8'.") from None
    if "\0" in text:
        line = text[: text.index("\0")].count("\n") + 1
        raise ImportRejected(f"Line {line} holds a NUL character (\\0), which cannot be saved. "
                             "Remove it, or save the file again as 'CSV UTF-8'.")
    return text


def _delimiter(text: str) -> str:
    header = text.split("\n", 1)[0]
    return ";" if header.count(";") > header.count(",") else ","


def _header_map(header: list[str]) -> tuple[dict[str, int], list[str]]:
    positions: dict[str, int] = {}
    ignored = []
    aliases = {"first name": "first_name", "last name": "last_name", "first_name": "first_name",
               "last_name": "last_name", "e-mail": "email", "email address": "email", "full name": "name"}
    for index, raw in enumerate(header):
        key = " ".join(raw.strip().lower().split())
        key = aliases.get(key, key)
        if key in COLUMNS or key in ("first_name", "last_name"):
            if key in positions:
                raise ImportRejected(f"The column '{raw.strip()}' appears twice in the header.")
            positions[key] = index
        elif raw.strip():
            ignored.append(raw.strip())
    if "email" not in positions:
        raise ImportRejected("The header has no 'email' column.")
    if "name" not in positions and not ("first_name" in positions and "last_name" in positions):
        raise ImportRejected("The header needs a 'name' column, or 'first name' and 'last name'.")
    return positions, ignored


def parse(data: bytes) -> ImportPlan:
    """Reads and checks the whole file; saves nothing."""
    text = decode(data)
    if not text.strip():
        raise ImportRejected("The file is empty.")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    try:
        header = next(reader)
        positions, ignored = _header_map(header)
        rows: list[MemberRow] = []
        problems: list[RowProblem] = []
        seen: dict[str, int] = {}
        start = reader.line_num + 1
        for cells in reader:
            line, start = start, reader.line_num + 1
            if not any(c.strip() for c in cells):
                continue
            if len(rows) + len(problems) >= MAX_ROWS:
                raise ImportRejected(f"The file has more than {MAX_ROWS} rows. Split it into smaller files.")
            row, row_problems = _read_row(line, cells, positions, seen)
            problems.extend(row_problems)
            if row is not None and not row_problems:
                rows.append(row)
    except csv.Error as error:
        raise ImportRejected(f"The file is not valid CSV near line {reader.line_num}: {error}.") from None
    return ImportPlan(rows=rows, problems=problems, ignored_columns=ignored)


def _cell(cells: list[str], positions: dict[str, int], key: str) -> str:
    index = positions.get(key)
    if index is None or index >= len(cells):
        return ""
    return unescape_cell(cells[index].strip())


def _read_row(line: int, cells: list[str], positions: dict[str, int],
              seen: dict[str, int]) -> tuple[MemberRow | None, list[RowProblem]]:
    problems = []
    if "name" in positions and _cell(cells, positions, "name"):
        name = _cell(cells, positions, "name")
    else:
        name = " ".join(p for p in (_cell(cells, positions, "first_name"), _cell(cells, positions, "last_name")) if p)
    raw_email = _cell(cells, positions, "email")
    email = normalize_email(raw_email)
    if not name:
        problems.append(RowProblem(line, "the name is missing"))
    if not email:
        problems.append(RowProblem(line, "the email is missing"))
    else:
        try:
            validate_email(email, check_deliverability=False)
        except EmailNotValidError:
            problems.append(RowProblem(line, f"'{raw_email[:80]}' is not a valid email address"))
        if email in seen:
            problems.append(RowProblem(line, f"{email} already appears on line {seen[email]}"))
        else:
            seen[email] = line
    values = {"name": name, "email": email}
    for key in ("headline", "industry", "city"):
        values[key] = _cell(cells, positions, key)
    for key, limit in FIELD_LIMITS.items():
        if len(values[key]) > limit:
            problems.append(RowProblem(line, f"the {key} is longer than {limit} characters"))
    needs = split_items(_cell(cells, positions, "needs"))
    offers = split_items(_cell(cells, positions, "offers"))
    for kind, items, limit in (("need", needs, MAX_NEEDS), ("offer", offers, MAX_OFFERS)):
        if len(items) > limit:
            problems.append(RowProblem(line, f"{len(items)} {kind}s: a member keeps at most {limit} {kind}s"))
        for item in items:
            if len(item) > TITLE_MAX_LENGTH:
                problems.append(RowProblem(line, f"a {kind} is longer than {TITLE_MAX_LENGTH} characters: '{item[:40]}...'"))
    if problems:
        return None, problems
    return MemberRow(line=line, needs=needs, offers=offers, **values), []


def preview(group: Group, plan: ImportPlan) -> ImportPlan:
    """Marks which rows are already members of the group."""
    emails = [row.email for row in plan.rows]
    plan.member_emails = set(db.session.scalars(
        select(User.email).join(Membership).where(Membership.group_id == group.id, User.email.in_(emails)))) if emails else set()
    plan.problems.extend(_beyond_the_item_limits(group, plan.rows, plan.member_emails))
    plan.problems.sort(key=lambda problem: problem.line)
    return plan


def _beyond_the_item_limits(group: Group, rows: list[MemberRow], member_emails: set[str]) -> list[RowProblem]:
    """Rows whose new needs or offers would take a member of the group past MAX_NEEDS/MAX_OFFERS
    (only where `apply` adds them: accounts the group looks after)."""
    problems = []
    for row in rows:
        if row.email not in member_emails:
            continue  # a new member starts with none (the row itself was checked); others are invited
        member = db.session.scalar(select(Membership).join(User).where(
            Membership.group_id == group.id, User.email == row.email).options(selectinload(Membership.user)))
        if member is None:
            continue  # not so: member_emails are the group's
        if not looked_after_by(member.user, group.id):
            continue  # the owner keeps their own lists: the row's items are not added
        for kind, model, items, limit in (("need", Need, row.needs, MAX_NEEDS),
                                          ("offer", Offer, row.offers, MAX_OFFERS)):
            have = {t.lower() for t in db.session.scalars(select(model.title).where(model.membership_id == member.id))}
            total = len(have | {t.lower() for t in items})
            if total > limit:
                problems.append(RowProblem(row.line, f"{row.email} would have {total} {kind}s in this group; "
                                                     f"a member keeps at most {limit} {kind}s"))
    return problems


def apply(group: Group, plan: ImportPlan, issued_by: User | None, now: datetime) -> ImportResult:
    """Saves a checked plan in one transaction.

    An email without an account gets a new account (created by this group, without a
    password), the profile and the needs and offers of the row; its owner is emailed their own
    set-password link (``signals.account_created``: the organizer never handles it).
    An account that already exists is never written to: its owner's profile stays as they
    wrote it; outside the group its owner is invited and joins only by accepting. Needs and
    offers are added only to accounts this group created that have never had a password."""
    if not plan.ok:
        raise ValueError("a plan with problems cannot be applied")
    result = ImportResult(created=[], invited=[], updated=[], unchanged=[])
    for row in plan.rows:
        user = db.session.scalar(select(User).where(User.email == row.email))
        if user is None:
            user = create_user(row.name, row.email, None)
            user.created_by_group_id = group.id
            for key in ("headline", "industry", "city"):
                setattr(user, key, getattr(row, key))
            result.created.append(user)
            _add_items(add_member(group, user), row)
            db.session.flush()
            signals.account_created.send(group, user=user, by=issued_by, now=now)
            continue
        member = membership(group.id, user.id)
        if member is None:
            invite_to_group(group, user, issued_by.id if issued_by else None, via="import", now=now)
            result.invited.append(user)
        elif looked_after_by(user, group.id) and _add_items(member, row):
            result.updated.append(user)
        else:
            result.unchanged.append(user)
    db.session.flush()
    return result


def _add_items(member: Membership, row: MemberRow) -> bool:
    """Adds the needs and offers the member does not have yet (same title, any case)."""
    have_needs = {n.title.lower() for n in db.session.scalars(select(Need).where(Need.membership_id == member.id))}
    have_offers = {o.title.lower() for o in db.session.scalars(select(Offer).where(Offer.membership_id == member.id))}
    added = False
    for title in row.needs:
        if title.lower() not in have_needs:
            db.session.add(Need(membership=member, title=title, visibility=IMPORTED_NEED_VISIBILITY.value))
            have_needs.add(title.lower())
            added = True
    for title in row.offers:
        if title.lower() not in have_offers:
            db.session.add(Offer(membership=member, title=title))
            have_offers.add(title.lower())
            added = True
    return added


def export(group: Group) -> str:
    """Every member of the group with every need and offer, hidden ones included:
    for organizers and the command line only."""
    members = db.session.scalars(
        select(Membership).where(Membership.group_id == group.id).join(User).order_by(User.email)
        .options(selectinload(Membership.user)))
    needs: dict[int, list[str]] = {}
    for need in db.session.scalars(select(Need).join(Membership).where(Membership.group_id == group.id).order_by(Need.created_at, Need.id)):
        needs.setdefault(need.membership_id, []).append(need.title)
    offers: dict[int, list[str]] = {}
    for offer in db.session.scalars(select(Offer).join(Membership).where(Membership.group_id == group.id).order_by(Offer.created_at, Offer.id)):
        offers.setdefault(offer.membership_id, []).append(offer.title)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for member in members:
        user = member.user
        writer.writerow([safe_cell(v) for v in (
            user.name, user.email, user.headline, user.industry, user.city,
            "\n".join(needs.get(member.id, [])), "\n".join(offers.get(member.id, [])))])
    return out.getvalue()
