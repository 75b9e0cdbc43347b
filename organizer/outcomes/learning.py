"""What the next pairing learns from the answers after earlier lunches (the group's rules are
``OutcomeRules``; an organizer changes them on the rules page).

``adjust(problem, group_id, event_id)`` takes the pairing's problem and gives it back with:

* **priority for givers**: a member whom others confirmed helping, and whom nobody has helped
  yet, receives help weighted ``1 + boost_per_person * people helped`` (at most ``max_boost``),
  through the engine's ``Attendee.boost``;
* **meet again sooner**: a pair whose lunch did not happen or has not helped yet ("we didn't
  meet", "not yet", and nobody of the two said it helped) may be seated again
  ``rematch_weeks`` after that lunch instead of after the group's cool-down (that past
  meeting no longer forbids the pair nor counts as a repeat); None keeps the cool-down;
* **the help model's links** (``learn_links``): help confirmed after a lunch whose pairing named
  the link (an offer of some kind answering a need on some topic) strengthens that kind of offer
  for that topic in this group: such links count at full confidence, as an organizer's link
  would; "not yet" from a partner who did meet weakens the links the pairing named between them:
  they stop counting for those needs (as the help model's "wrong" mark).

and a list of notes for the organizer's review ("Raj gets priority: ..."), kept with the
version. Pure reads; nothing is written.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import select

from organizer import matching
from organizer.database import among
from organizer.extensions import db
from organizer.models import (
    Event,
    Helped,
    HelpGiven,
    HelpSource,
    LunchAnswer,
    Offer,
    OutcomeRules,
    PairingRun,
    PairingTable,
)
from organizer.outcomes.service import giver_counts

NOT_MET = (Helped.NOT_YET.value, Helped.DID_NOT_MEET.value)
HELPED = (Helped.YES.value, Helped.A_LITTLE.value)


def rules_of(group_id: int) -> OutcomeRules:
    """The group's rules (the defaults, unsaved, until an organizer changes them)."""
    rules = db.session.get(OutcomeRules, group_id)
    if rules is None:
        rules = OutcomeRules(group_id=group_id, boost_per_person=0.25, max_boost=2.0, rematch_weeks=2,
                             learn_links=True)
    return rules


def boost_for(rules: OutcomeRules, people_helped: int, helped_by: int) -> float:
    if people_helped <= 0 or helped_by > 0:
        return 1.0
    return round(min(max(rules.max_boost, 1.0), 1.0 + rules.boost_per_person * people_helped), 4)


def boosts(group_id: int, user_ids: Iterable[int], rules: OutcomeRules) -> dict[int, tuple[float, int]]:
    """Per boosted member: (boost, people they helped)."""
    out = {}
    for uid, (gave, got) in giver_counts(group_id, user_ids).items():
        boost = boost_for(rules, gave, got)
        if boost > 1.0:
            out[uid] = (boost, gave)
    return out


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def rematch_pairs(group_id: int, user_ids: Iterable[int], before: datetime) -> dict[tuple[int, int], datetime]:
    """Pairs who answered "not yet" / "we didn't meet" about a lunch (and neither said it helped),
    with that lunch's start."""
    ids = list(user_ids)
    answers: dict[tuple[tuple[int, int], datetime], set[str]] = {}
    for author, partner, helped, starts_at in db.session.execute(
            select(LunchAnswer.author_id, LunchAnswer.partner_id, LunchAnswer.helped, Event.starts_at)
            .join(Event, Event.id == LunchAnswer.event_id)
            .where(LunchAnswer.group_id == group_id, among(LunchAnswer.author_id, ids),
                   among(LunchAnswer.partner_id, ids), LunchAnswer.helped.is_not(None), Event.starts_at < before)):
        if partner is None or helped is None:  # not so: the query asks for both
            continue
        answers.setdefault((_pair(author, partner), starts_at), set()).add(helped)
    return {pair: starts_at for (pair, starts_at), said in answers.items()
            if said & set(NOT_MET) and not said & set(HELPED)}


def _named_reasons(group_id: int, pairs: set[tuple[int, int, int]]) -> list[tuple[dict, int]]:
    """The published tables' reasons (with the event id) for (event, helper, helped) triples."""
    if not pairs:
        return []
    events = {e for e, _, _ in pairs}
    out = []
    for table, event_id in db.session.execute(
            select(PairingTable, PairingRun.event_id).join(PairingRun)
            .where(PairingRun.event_id.in_(events), PairingRun.published_at.is_not(None))):
        for reason in table.reasons:
            if (event_id, reason.get("helper"), reason.get("helped")) in pairs:
                out.append((reason, event_id))
    return out


def learned_kinds(group_id: int, before: datetime) -> set[tuple[str, str]]:
    """(offer kind, topic) pairs that help confirmed after a lunch whose pairing named the link."""
    confirmed = db.session.execute(
        select(HelpGiven.source_id, HelpGiven.giver_id, HelpGiven.receiver_id, HelpGiven.need_id)
        .join(Event, Event.id == HelpGiven.source_id)
        .where(HelpGiven.group_id == group_id, HelpGiven.source == HelpSource.LUNCH.value,
               HelpGiven.confirmed_at.is_not(None), Event.starts_at < before)).all()
    wanted = {(e, g, r) for e, g, r, _ in confirmed if e is not None and g is not None and r is not None}
    needs = {(e, g, r, n) for e, g, r, n in confirmed}
    reasons = [(r, e) for r, e in _named_reasons(group_id, wanted)
               if r.get("topic") and r.get("offer_id") is not None
               and ((e, r["helper"], r["helped"], r.get("need_id")) in needs
                    or (e, r["helper"], r["helped"], None) in needs)]
    kinds = dict(db.session.execute(select(Offer.id, Offer.kind).where(
        Offer.id.in_({r["offer_id"] for r, _ in reasons}))).all()) if reasons else {}
    return {(kinds[r["offer_id"]], r["topic"]) for r, _ in reasons if r["offer_id"] in kinds}


def weakened_links(group_id: int, user_ids: Iterable[int], before: datetime) -> list[matching.Link]:
    """"Not yet" from a partner who met: the links the pairing named between them stop counting."""
    ids = list(user_ids)
    said = db.session.execute(
        select(LunchAnswer.event_id, LunchAnswer.partner_id, LunchAnswer.author_id)
        .join(Event, Event.id == LunchAnswer.event_id)
        .where(LunchAnswer.group_id == group_id, LunchAnswer.helped == Helped.NOT_YET.value,
               among(LunchAnswer.author_id, ids), among(LunchAnswer.partner_id, ids), Event.starts_at < before)).all()
    triples = {(e, helper, helped) for e, helper, helped in said if helper is not None}
    links = {(r["helper"], r["helped"], r["need_id"]) for r, _ in _named_reasons(group_id, triples)
             if r.get("need_id") is not None}
    return [matching.Link(helper, helped, "wrong", need_id) for helper, helped, need_id in sorted(links)]


def strengthened_links(problem: matching.Problem, kinds: set[tuple[str, str]],
                       links: list[matching.Link]) -> list[matching.Link]:
    """Links of a learned kind (offer kind, topic) in this problem, at full confidence."""
    if not kinds:
        return []
    scores = matching.score(problem.attendees, problem.options, problem.terms, tuple(problem.links) + tuple(links))
    wrong = {(lk.helper, lk.helped, lk.need_id) for lk in links if lk.kind == "wrong"}
    out = {}
    # only the (helper, helped) cells that have links, not every pair of attendees
    cells = sorted(set(zip(scores.match_helper.tolist(), scores.match_helped.tolist(), strict=True)))
    for i, j in cells:
        helper, helped = scores.attendees[i], scores.attendees[j]
        if helper.id == helped.id:
            continue
        for match in scores.reasons(helper.id, helped.id):
            if match.offer is None or match.need.id is None or match.via in ("wish", "organizer"):
                continue
            key = (helper.id, helped.id, match.need.id)
            if (match.offer.kind, match.topic) in kinds and key not in wrong:
                out[key] = matching.Link(helper.id, helped.id, "organizer", match.need.id)
    return list(out.values())


def adjust(problem: matching.Problem, group_id: int, event: Event) -> tuple[matching.Problem, list[dict]]:
    """The problem with what the group's earlier lunches taught (see the module), and the notes
    for the review: {"kind": "boost", "user", "boost", "helped"} and {"kind": "rematch", "users",
    "met_on"}."""
    rules = rules_of(group_id)
    ids = [a.id for a in problem.attendees]
    notes: list[dict] = []
    boosted = boosts(group_id, ids, rules)
    attendees = [dataclasses.replace(a, boost=boosted[a.id][0]) if a.id in boosted else a for a in problem.attendees]
    for uid, (boost, gave) in sorted(boosted.items(), key=lambda kv: (-kv[1][1], kv[0])):
        notes.append({"kind": "boost", "user": uid, "boost": boost, "helped": gave,
                      "per_person": rules.boost_per_person, "max": rules.max_boost})
    meetings = list(problem.meetings)
    if rules.rematch_weeks is not None:
        again = rematch_pairs(group_id, ids, event.starts_at)
        threshold = timedelta(weeks=rules.rematch_weeks)
        kept = []
        for m in meetings:
            met_on = again.get(_pair(m.a, m.b))
            if met_on is not None and m.met_on == met_on and problem.now is not None and problem.now - met_on >= threshold:
                notes.append({"kind": "rematch", "users": list(_pair(m.a, m.b)), "met_on": met_on.isoformat()})
                continue
            kept.append(m)
        meetings = kept
    links = list(problem.links)
    if rules.learn_links:
        extra = weakened_links(group_id, ids, event.starts_at)
        base = dataclasses.replace(problem, attendees=tuple(attendees), links=tuple(links))
        extra += strengthened_links(base, learned_kinds(group_id, event.starts_at), extra)
        links += extra
        notes += [{"kind": "strengthened" if lk.kind == "organizer" else "weakened", "helper": lk.helper,
                   "helped": lk.helped, "need_id": lk.need_id} for lk in extra]
    return dataclasses.replace(problem, attendees=tuple(attendees), meetings=tuple(meetings), links=tuple(links)), notes


def save_rules(group, boost_per_person: float, max_boost: float, rematch_weeks: int | None, learn_links: bool,
               now: datetime) -> OutcomeRules:
    rules = db.session.get(OutcomeRules, group.id)
    if rules is None:
        rules = OutcomeRules(group_id=group.id)
        db.session.add(rules)
    rules.boost_per_person = max(0.0, min(1.0, boost_per_person))
    rules.max_boost = max(1.0, min(4.0, max_boost))
    rules.rematch_weeks = None if rematch_weeks is None else max(0, min(52, rematch_weeks))
    rules.learn_links = bool(learn_links)
    rules.updated_at = now
    db.session.flush()
    return rules
