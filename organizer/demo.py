"""Demo data for `flask seed-demo`: one group, its organizer and twenty members with
realistic needs and offers, and next month's lunch with everyone answering yes."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from organizer.auth.service import create_user, user_by_email
from organizer.extensions import db
from organizer.groups.service import add_member, create_group, group_by_slug
from organizer.members.service import parse_tags, tags_for
from organizer.models import Event, EventStatus, Group, Need, Offer, Role, Rsvp, RsvpState, utcnow
from organizer.timezones import in_zone, to_utc

DEMO_SLUG = "oakville-connectors"
# The demo accounts' password is published on purpose; seed-demo runs only in development.
DEMO_PASSWORD = "give-first-demo"  # nosec B105
ORGANIZER = ("Maria Coach", "coach@example.org")
# Per member: headline, industry, city, needs as (title, tags, priority, visibility),
# offers as (title, tags, kind).
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


PROFILES: dict[str, tuple[str, str, str, list[tuple], list[tuple]]] = {
    "alice@example.org": (
        "Author of a first novel, former HR director", "Human resources", "Oakville",
        [("Find a publisher for my book", "publishing, books", "high", "group"),
         ("A good electrician in Oakville", "electrician, home", "normal", "group")],
        [("Resume reviews from a hiring manager's eye", "resume, hiring", "advice"),
         ("Interview practice for HR and people roles", "interviews", "advice")]),
    "dave@example.org": (
        "Former magazine editor, now freelance", "Publishing", "Mississauga",
        [("Keynote speaking gigs on media literacy", "speaking, events", "high", "group"),
         ("Warm introductions in the healthcare industry", "healthcare, introductions", "normal", "partner")],
        [("Introduction to my literary agent and editor friends", "publishing, books, introductions", "introduction"),
         ("Edit and tighten your LinkedIn summary", "writing, linkedin", "advice")]),
    "priya@example.org": (
        "Finance director in transition", "Life sciences", "Toronto",
        [("An intro to the CFO of a life-science company", "finance, life sciences, introductions", "high", "partner"),
         ("Confidential: exploring roles outside my current employer", "job search", "high", "organizers")],
        [("Financial modelling and budgeting advice", "finance, budgeting", "advice"),
         ("Car-buying negotiation tips from a former dealer CFO", "cars, negotiation", "advice")]),
    "tom@example.org": (
        "Electrical contractor, 20 years", "Trades", "Oakville",
        [("Promote my weekend running class", "running, marketing", "normal", "group"),
         ("Bookkeeping help for a small business", "bookkeeping, small business", "low", "group")],
        [("Licensed electrical work and trades contacts in Oakville", "electrician, home, trades", "resource"),
         ("Insider price on hot tubs through my supplier", "hot tubs, discounts", "resource")]),
    "sofia@example.org": (
        "Marketing VP in transition", "Consumer goods", "Burlington",
        [("Warm introductions in the spa and wellness industry", "spa, wellness, introductions", "high", "group"),
         ("Interview practice for executive roles", "interviews, executive", "normal", "group")],
        [("Marketing plan for a small business or class", "marketing, small business", "advice"),
         ("Social media promotion tips", "marketing, social media", "advice")]),
    "ken@example.org": (
        "Software engineer looking for a new team", "Technology", "Toronto",
        [("Referrals to engineering managers at fintech companies", "fintech, referrals, job search", "high", "partner"),
         ("Practice system-design interviews", "interviews, software", "normal", "group")],
        [("PostgreSQL and Python help for your side project", "postgres, python, software", "advice"),
         ("Build a simple website for your business", "websites, small business", "advice")]),
    "grace@example.org": (
        "Registered nurse moving into health administration", "Healthcare", "Hamilton",
        [("Advice on health administration certificates", "healthcare, education", "normal", "group"),
         ("Resume reviews for a career change", "resume, career change", "high", "group")],
        [("Introductions to hospital managers in Hamilton", "healthcare, introductions", "introduction"),
         ("First-aid and CPR training for your team", "training, health", "resource")]),
    "omar@example.org": (
        "Operations manager, logistics", "Logistics", "Milton",
        [("Job leads in supply-chain planning", "supply chain, job search", "high", "group"),
         ("Negotiation tips for buying a used car", "cars, negotiation", "low", "group")],
        [("Job leads at distribution centres in Halton", "job leads, logistics", "job_lead"),
         ("Lean process improvement advice", "operations, lean", "advice")]),
    "linda@example.org": (
        "Spa owner and wellness coach", "Wellness", "Oakville",
        [("Bookkeeping and tax advice for my spa", "bookkeeping, taxes, small business", "normal", "group"),
         ("A hot tub supplier for the spa", "hot tubs, spa", "high", "group")],
        [("I know the spa industry: introductions and advice", "spa, wellness, introductions", "introduction"),
         ("Discounted massage sessions for members", "wellness, discounts", "resource")]),
    "james@example.org": (
        "Sales leader between roles", "Industrial sales", "Oakville",
        [("Introductions to VPs of sales in manufacturing", "sales, manufacturing, introductions", "high", "partner"),
         ("Publishing advice for a sales playbook e-book", "publishing, writing", "low", "group")],
        [("Negotiation coaching for salary offers", "negotiation, salary", "advice"),
         ("Cold-calling and prospecting scripts", "sales", "advice")]),
    "fatima@example.org": (
        "Chartered accountant, open to contract work", "Accounting", "Mississauga",
        [("Contract accounting work for small businesses", "accounting, contracts, job search", "high", "group"),
         ("Speaking opportunities on personal finance", "speaking, finance", "normal", "group")],
        [("Bookkeeping and tax questions answered", "bookkeeping, taxes, accounting", "advice"),
         ("Review of your business budget", "budgeting, finance", "advice")]),
    "ben@example.org": (
        "High-school teacher exploring corporate training", "Education", "Oakville",
        [("Introductions to corporate learning and development teams", "training, introductions", "high", "group"),
         ("Interview practice for training roles", "interviews, training", "normal", "group")],
        [("Public speaking coaching", "speaking, coaching", "advice"),
         ("Tutoring for your kids in math and science", "tutoring, education", "resource")]),
    "chloe@example.org": (
        "UX designer, freelance", "Design", "Toronto",
        [("Clients who need a website redesign", "websites, design, clients", "high", "group"),
         ("A good electrician for a home studio", "electrician, home", "low", "group")],
        [("Portfolio and resume design review", "resume, design", "advice"),
         ("Usability review of your product or website", "ux, websites", "advice")]),
    "raj@example.org": (
        "Pharma regulatory affairs specialist", "Life sciences", "Mississauga",
        [("Introductions in medical devices companies", "life sciences, medical devices, introductions", "high", "partner"),
         ("Advice on going independent as a consultant", "consulting, small business", "normal", "group")],
        [("I know CFOs and VPs at three life-science companies", "life sciences, finance, introductions", "introduction"),
         ("Regulatory submissions advice", "regulatory, life sciences", "advice")]),
    "hannah@example.org": (
        "HR business partner returning from leave", "Human resources", "Burlington",
        [("Refresh my interview skills", "interviews", "normal", "group"),
         ("Job leads in people operations", "job search, hr", "high", "group")],
        [("Resume reviews and LinkedIn profile tips", "resume, linkedin", "advice"),
         ("Job leads from my HR network", "job leads, hr", "job_lead")]),
    "marcus@example.org": (
        "Personal trainer and running coach", "Fitness", "Oakville",
        [("Marketing help to fill my running class", "running, marketing", "high", "group"),
         ("A publisher for a fitness guide", "publishing, books", "low", "group")],
        [("Free running class for members", "running, fitness", "resource"),
         ("Stress management through exercise", "wellness, fitness", "advice")]),
    "elena@example.org": (
        "Event planner", "Hospitality", "Toronto",
        [("Keynote speakers for a spring conference", "speaking, events", "normal", "group"),
         ("Introductions to corporate event buyers", "events, introductions", "high", "group")],
        [("Speaking gigs at events I organise", "speaking, events", "job_lead"),
         ("Venue discounts for group lunches", "events, discounts", "resource")]),
    "sam@example.org": (
        "Used-car dealer turned consultant", "Automotive", "Milton",
        [("Clients for my car-buying consulting", "cars, clients, small business", "high", "group"),
         ("Website for my consulting business", "websites, small business", "normal", "group")],
        [("Car-buying negotiation tips", "cars, negotiation", "advice"),
         ("Dealer-price introductions for new cars", "cars, discounts, introductions", "introduction")]),
    "yuki@example.org": (
        "Data analyst seeking a first job in Canada", "Technology", "Mississauga",
        [("Resume reviews for the Canadian market", "resume, job search", "high", "group"),
         ("Practice behavioural interviews", "interviews", "high", "group")],
        [("Excel and data analysis help", "data, excel", "advice"),
         ("Japanese-language translation", "translation", "resource")]),
    "noah@example.org": (
        "Career coach and author", "Coaching", "Oakville",
        [("Speaking gigs on career transition", "speaking, events", "normal", "group"),
         ("Promote my book to HR leaders", "publishing, marketing, books", "low", "group")],
        [("Publishing advice: I have published two books", "publishing, books, writing", "advice"),
         ("Career-transition coaching session", "coaching, career change", "resource")]),
}


@dataclass(frozen=True)
class DemoLogin:
    name: str
    email: str
    role: str


def seed_demo() -> Group:
    """Creates the demo group, or completes it (the caller commits)."""
    organizer = user_by_email(ORGANIZER[1]) or create_user(*ORGANIZER, DEMO_PASSWORD)
    group = group_by_slug(DEMO_SLUG) or create_group(
        organizer, "Oakville Career Connectors", "America/Toronto", slug=DEMO_SLUG
    )
    add_member(group, organizer, Role.ORGANIZER)
    for name, email in MEMBERS:
        user = user_by_email(email)
        if user is None:
            user = create_user(name, email, DEMO_PASSWORD)
            member = add_member(group, user)
            _add_profile(group, member, *PROFILES[email])
        else:
            add_member(group, user)
    if db.session.scalar(select(Event.id).where(Event.group_id == group.id).limit(1)) is None:
        _add_demo_lunch(group)
    db.session.flush()
    return group


def next_first_thursday_noon(now: datetime, time_zone: str) -> datetime:
    """The first Thursday of next month at 12:00 in the group's zone, in UTC."""
    local = in_zone(now, time_zone)
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    day = date(year, month, 1)
    day += timedelta(days=(3 - day.weekday()) % 7)
    return to_utc(datetime.combine(day, time(12, 0)), time_zone)


def _add_demo_lunch(group: Group) -> None:
    """Next month's lunch, open for RSVP, with every demo member answering yes."""
    db.session.flush()
    starts_at = next_first_thursday_noon(utcnow(), group.time_zone)
    event = Event(group=group, title="Monthly networking lunch", starts_at=starts_at,
                  ends_at=starts_at + timedelta(minutes=90), venue_name="The Oakville Bistro",
                  venue_address="123 Lakeshore Rd E, Oakville, ON", capacity=30, rounds=1,
                  description="Bring your needs and offers. Each of us sits with the person who can help most.",
                  status=EventStatus.OPEN)
    db.session.add(event)
    now = utcnow()
    for member in group.memberships:
        db.session.add(Rsvp(event=event, user=member.user, state=RsvpState.GOING, answered_at=now))


def _add_profile(group: Group, member, headline, industry, city, needs, offers) -> None:
    member.user.headline, member.user.industry, member.user.city = headline, industry, city
    for title, tags, priority, visibility in needs:
        db.session.add(Need(membership=member, title=title, priority=priority, visibility=visibility,
                            tags=tags_for(group.id, parse_tags(tags))))
        db.session.flush()
    for title, tags, kind in offers:
        db.session.add(Offer(membership=member, title=title, kind=kind, tags=tags_for(group.id, parse_tags(tags))))
        db.session.flush()


def demo_logins() -> list[DemoLogin] | None:
    """The demo logins, if the demo group exists."""
    group = group_by_slug(DEMO_SLUG)
    if group is None:
        return None
    return [
        DemoLogin(m.user.name, m.user.email, m.role)
        for m in sorted(group.memberships, key=lambda m: (not m.is_organizer, m.user.name))
    ]
