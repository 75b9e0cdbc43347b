"""What an organizer prints and exports, and what a member reads about their lunch:
the master sheet, table cards (HTML print view and PDF), the pairs CSV, the member's
lunch page and calendar entry.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from flask import render_template
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from organizer.events import exports
from organizer.extensions import db
from organizer.groups.memberships import memberships_among
from organizer.members.service import can_see_contact, need_visible, offer_visible, published_partner_ids_of
from organizer.models import Event, Group, Membership, Need, Offer, PairingRun, PairingTable, User, utcnow
from organizer.pairing import queries
from organizer.pairing.reasons import MEMBER, ORGANIZERS, ROOM, TABLE, needs_now, visible_reasons
from organizer.spreadsheet import safe_cell
from organizer.timezones import LONG_DAY_AND_TIME, STAMP, local_time

PRINT_CSS = Path(__file__).resolve().parent.parent.parent / "static" / "css" / "print.css"


@dataclass
class CardSide:
    user_id: int
    name: str
    asks: list[str] = field(default_factory=list)        # their needs someone at the table can help with
    gives: list[str] = field(default_factory=list)       # their offers that meet a need at the table


@dataclass
class Card:
    round: int
    number: int
    score: float
    locked: bool
    sides: list[CardSide]
    reasons: list[str]                 # for the people at the table (the card)
    room_reason: str = ""              # for the master sheet, read by the whole room
    also_meet: str | None = None
    room_reasons: list[str] = field(default_factory=list)   # every reason the room may read


@dataclass
class FinderLine:
    """One line of the "find your table" sheet: a name and its table in each round."""
    name: str
    tables: list[int]


def cards(run: PairingRun, also_meet: dict[int, str] | None = None) -> list[Card]:
    """Table cards with what the people at each table may read, and one line per table for
    the master sheet that the whole room may read."""
    group_id = run.event.group_id
    for_table = visible_reasons(group_id, run.tables, TABLE)
    for_room = visible_reasons(group_id, run.tables, ROOM)
    result = []
    for table in run.tables:
        sides = {s.user_id: CardSide(s.user_id, s.user.name) for s in table.seats}
        for reason in for_table[table.id]:
            helped, helper = sides.get(reason["helped"]), sides.get(reason["helper"])
            if helped and reason["need"] not in helped.asks:
                helped.asks.append(reason["need"])
            gives = reason.get("offer") or reason.get("topic")
            if helper and gives and gives not in helper.gives:
                helper.gives.append(gives)
        room = for_room[table.id]
        result.append(Card(table.round, table.number, table.score, table.locked, list(sides.values()),
                           [r["text"] for r in for_table[table.id]], room[0]["text"] if room else "",
                           (also_meet or {}).get(table.id), [r["text"] for r in room]))
    result.sort(key=lambda c: (c.round, c.number))
    return result


def finder(run: PairingRun) -> list[FinderLine]:
    """Everyone at the lunch, alphabetically, with their table number in each round."""
    tables: dict[int, dict[int, int]] = {}
    names: dict[int, str] = {}
    for table in run.tables:
        for seat in table.seats:
            tables.setdefault(seat.user_id, {})[table.round] = table.number
            names[seat.user_id] = seat.user.name
    return sorted((FinderLine(names[uid], [by_round[r] for r in sorted(by_round)]) for uid, by_round in tables.items()),
                  key=lambda line: (line.name.casefold(), line.tables))


# The parts of the sheets one can print alone, as the PDF's page names them.
PART_NAMES = {"all": "everything (master sheet, find your table, table cards)", "cards": "the table cards",
              "finder": "find your table", "master": "the master sheet"}
PARTS = tuple(PART_NAMES)


def worth_meeting(run: PairingRun) -> dict[int, str]:
    """Per table of the first round (by table id), the name of the person worth meeting that
    the computation saved with the version (runs.worth_meeting); none where that person
    now sits at the table (a swap) or is no longer seated."""
    saved = (run.summary or {}).get("worth_meeting", {})
    seated = {s.user_id: s.user.name for t in run.tables for s in t.seats}
    best: dict[int, str] = {}
    for table in run.tables:
        user_id = saved.get(str(table.number)) if table.round == 1 else None
        if user_id in seated and user_id not in {s.user_id for s in table.seats}:
            best[table.id] = seated[user_id]
    return best


def context(group: Group, event: Event, run: PairingRun, now: datetime, large: bool = False,
            part: str = "all") -> dict:
    tz = group.time_zone
    part = part if part in PARTS else "all"
    return {
        "group": group, "event": event, "run": run, "large": large, "part": part,
        "cards": cards(run, worth_meeting(run) if part in ("all", "cards") else {}),
        "finder": finder(run),
        "when": local_time(event.starts_at, tz, LONG_DAY_AND_TIME),
        "printed": local_time(now, tz, STAMP),
        "rounds": list(range(1, run.rounds + 1)),
    }


def pdf(group: Group, event: Event, run: PairingRun, now: datetime, large: bool = False, part: str = "all") -> bytes:
    """The master sheet and the table cards as one PDF (the command line's; the site makes its
    PDFs in the background, ``organizer.pairing.printing``)."""
    return html_to_pdf(pdf_html(group, event, run, now, large, part))


def pdf_html(group: Group, event: Event, run: PairingRun, now: datetime, large: bool = False,
             part: str = "all") -> str:
    """What the PDF prints: the print view's page in its PDF form (needs a request context)."""
    return render_template("print/sheets.html", pdf=True, **context(group, event, run, now, large, part))


def html_to_pdf(html: str) -> bytes:
    """WeasyPrint's PDF of ``pdf_html``'s page; it fetches nothing: the only stylesheet is
    read from our own file, and every URL is refused.  Needs no app (a child process runs it)."""
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"})
    document = HTML(string=html, base_url="about:blank", url_fetcher=fetcher)
    return document.write_pdf(stylesheets=[CSS(filename=str(PRINT_CSS), url_fetcher=fetcher)])


def filename(event: Event, run: PairingRun, part: str = "all", large: bool = False) -> str:
    """Each PDF its own name: event-7-v3-cards.pdf, event-7-v3-finder-large.pdf, ..."""
    name = {"all": "sheets", "cards": "cards", "finder": "find-your-table", "master": "master"}.get(part, "sheets")
    return f"event-{event.id}-v{run.version}-{name}{'-large' if large else ''}.pdf"


CSV_COLUMNS = ["Round", "Table", "Name", "Email", "Partners", "Score", "Reason"]


def pairs_csv(run: PairingRun) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    readable = visible_reasons(run.event.group_id, run.tables, ORGANIZERS)
    for table in run.tables:
        for seat in table.seats:
            partners = "; ".join(s.user.name for s in table.seats if s.user_id != seat.user_id)
            reason = next((r["text"] for r in readable[table.id]
                           if r.get("shown", True) and seat.user_id in (r["helper"], r["helped"])), "")
            writer.writerow([table.round, table.number, safe_cell(seat.user.name), safe_cell(seat.user.reachable_email),
                             safe_cell(partners), f"{table.score:g}", safe_cell(reason)])
    return out.getvalue()


@dataclass
class StandIn:
    """A lunch's stand-in guest (see events.service.add_walk_in_guest): a name, nothing else."""

    user: User


@dataclass
class PartnerView:
    membership: Membership | StandIn
    needs: list
    offers: list
    show_contact: bool


@dataclass
class LunchRound:
    round: int
    table: PairingTable
    partners: list[PartnerView]
    ask: list[tuple[str, str]]     # (my need, what they bring: their offer or their field)
    offer: list[tuple[str, str]]   # (their need, what I bring)


def member_lunch(group: Group, event: Event, run: PairingRun, viewer: Membership) -> list[LunchRound]:
    """The viewer's table and partners per round, with what to ask and what to offer.
    A partner's needs shared with "a lunch partner" show now; hidden ones never do."""
    return member_lunches(group, event, run, [viewer])[viewer.user_id]


def member_lunches(group: Group, event: Event, run: PairingRun, viewers: list[Membership],
                   now: datetime | None = None) -> dict[int, list[LunchRound]]:
    """member_lunch of each viewer (by user id), in statements that do not grow with them (a
    publication tells every attendee): the partners' memberships, needs and offers are read
    once, and each viewer sees of them what need_visible and offer_visible allow."""
    now = now or utcnow()
    still_partners = published_partner_ids_of(group, [v.user_id for v in viewers], now)  # ends after the cool-down
    seats_of = queries.seats_of(run, [v.user_id for v in viewers])
    tables = {seat.table.id: seat.table for seats in seats_of.values() for seat in seats}
    needs_state = needs_now(group.id, tables.values())
    owners = memberships_among(group.id, {p.id for seats in seats_of.values() for seat in seats for p in seat.partners})
    needs: dict[int, list[Need]] = {}
    offers: dict[int, list[Offer]] = {}
    if owners:
        owner_ids = [m.id for m in owners.values()]
        for need in db.session.scalars(
                select(Need).where(Need.membership_id.in_(owner_ids))
                .options(selectinload(Need.tags), selectinload(Need.helped_by)).order_by(Need.created_at, Need.id)):
            needs.setdefault(need.membership_id, []).append(need)
        for offer in db.session.scalars(
                select(Offer).where(Offer.membership_id.in_(owner_ids))
                .options(selectinload(Offer.tags)).order_by(Offer.created_at, Offer.id)):
            offers.setdefault(offer.membership_id, []).append(offer)
    lunches: dict[int, list[LunchRound]] = {}
    for viewer in viewers:
        rounds = []
        for seat in seats_of[viewer.user_id]:
            partners: list[PartnerView] = []
            partner_ids = frozenset(p.id for p in seat.partners) & still_partners[viewer.user_id]
            readable = visible_reasons(group.id, [seat.table], MEMBER, viewer.user_id, partner_ids,
                                       needs=needs_state)[seat.table.id]
            for partner in seat.partners:
                owner = owners.get(partner.id)
                if owner is None:
                    if partner.lunch_guest_event_id == event.id:
                        partners.append(PartnerView(StandIn(partner), [], [], False))
                    continue
                partners.append(PartnerView(
                    owner, [n for n in needs.get(owner.id, []) if need_visible(viewer, n, owner, partner_ids)],
                    [o for o in offers.get(owner.id, []) if offer_visible(viewer, o, owner)],
                    can_see_contact(viewer, owner, partner_ids)))
            ask = [(r["need"], _brings(r)) for r in readable if r["helped"] == viewer.user_id]
            give = [(r["need"], _brings(r)) for r in readable if r["helper"] == viewer.user_id]
            rounds.append(LunchRound(seat.round, seat.table, partners, ask, give))
        lunches[viewer.user_id] = rounds
    return lunches


def _brings(reason: dict) -> str:
    """What the helper brings to a need, in words: their offer, else what connects them."""
    if reason.get("offer"):
        return reason["offer"]
    if reason.get("via") == "need" and reason.get("source"):
        return reason["source"]
    return reason.get("topic") or "their experience"


def member_ics(group: Group, event: Event, run: PairingRun, viewer: Membership, domain: str = "givefirst",
               cancel: bool = False) -> bytes:
    """The member's lunch as a calendar entry. Its SEQUENCE grows with every publication (the
    seconds from the event's creation to it) and with the cancellation (METHOD:CANCEL, as
    emailed when the event is cancelled), so calendars take the newer copy."""
    published = run.published_at or utcnow()
    sequence = int(((event.updated_at if cancel else published) - event.created_at).total_seconds()) + cancel
    seats = queries.my_seats(run, viewer.user_id)
    lines = [f"Round {s.round}, table {s.table.number}: " + ", ".join(p.name for p in s.partners) for s in seats]
    who = " and ".join(p.name for p in seats[0].partners) if seats else "your group"
    return exports.ics(
        event,
        uid=f"lunch-{event.id}-{viewer.user_id}@{domain}",
        summary=f"{event.title}: lunch with {who}",
        description="\n".join(["How can I help you?", *lines]),
        stamp=published,
        sequence=sequence,
        status=exports.STATUS.CANCELLED if cancel else None,
        method="CANCEL" if cancel else None,
        prodid="-//Give First//Lunch//EN",
    )
