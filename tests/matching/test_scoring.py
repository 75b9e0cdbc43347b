"""Help scores on a small hand-written group: the top reasons read right."""

import numpy as np
import pytest

from organizer.matching import (
    Attendee,
    Match,
    Need,
    Offer,
    Options,
    Problem,
    describe,
    explain,
    need_phrase,
    score,
    solve,
    violations,
)
from organizer.matching.scoring import tfidf


def job_seekers():
    return [
        Attendee(11, "Alice", needs=[Need("Finding a publisher for my memoir", ("publishing",), 2.0)],
                 offers=[Offer("Resume reviews for marketing and sales roles", ("resume",), "review")]),
        Attendee(22, "Dave", needs=[Need("I need an electrician in Oakville")],
                 offers=[Offer("An introduction to my editor at a publishing house", ("publishing",), "introduction")]),
        Attendee(33, "Priya", needs=[Need("Intro to a CFO in life sciences", ("finance", "life sciences"))],
                 offers=[Offer("I do electrical work around Oakville", ("trades",), "service")]),
        Attendee(44, "Sam", needs=[Need("Negotiating a better price when buying a car")],
                 offers=[Offer("I can introduce you to a CFO at a biotech company", ("finance", "life sciences"), "introduction")]),
        Attendee(55, "Lee", needs=[Need("Insider price on a hot tub"), Need("Someone to review my resume", ("resume",))],
                 offers=[Offer("Car buying negotiation tips from ten years selling cars", ("cars",), "advice")]),
        Attendee(66, "Kim", needs=[Need("Postgres performance tuning")],
                 offers=[Offer("I work at a hot tub dealer and can get you the insider price", ("hot tub",), "discount")]),
    ]


NAMES = {a.id: a.name for a in job_seekers()}


def top_reason(scores, helper, helped):
    reasons = scores.reasons(helper, helped)
    assert reasons, f"no reason for {NAMES[helper]} -> {NAMES[helped]}"
    return describe(reasons[0], NAMES)


def test_each_need_is_met_by_the_right_offer():
    scores = score(job_seekers())
    expected_best_helper = {11: 22, 22: 33, 33: 44, 44: 55, 66: None}
    for helped, helper in expected_best_helper.items():
        column = [scores.help(a.id, helped) for a in job_seekers()]
        if helper is None:
            assert max(column) == 0, "nobody offers Postgres tuning"
        else:
            assert max(column) == scores.help(helper, helped) > 0


def test_top_reasons_read_right():
    scores = score(job_seekers())
    assert top_reason(scores, 22, 11) == (
        "Dave can help Alice with publishing a book (Alice asks “Finding a publisher for my memoir”): "
        "Dave offers “An introduction to my editor at a publishing house”."
    )
    assert top_reason(scores, 33, 22) == (
        "Priya can help Dave with electrical work (Dave asks “I need an electrician in Oakville”): "
        "Priya offers “I do electrical work around Oakville”.")
    assert top_reason(scores, 44, 33).startswith("Sam can help Priya with ")
    assert "“I can introduce you to a CFO at a biotech company”" in top_reason(scores, 44, 33)
    assert "hot tub" in top_reason(scores, 66, 55)
    assert "resume" in top_reason(scores, 11, 55).lower()


def test_lee_gets_two_reasons_from_two_different_people():
    scores = score(job_seekers())
    assert [m.need.text for m in scores.reasons(66, 55)] == ["Insider price on a hot tub"]
    assert [m.need.text for m in scores.reasons(11, 55)] == ["Someone to review my resume"]


def test_priority_weights_the_help():
    people = job_seekers()
    scores = score(people)
    match = scores.reasons(22, 11)[0]
    assert match.score == pytest.approx(2.0 * match.similarity)
    assert scores.help(22, 11) == pytest.approx(match.score)


def test_unrelated_offer_and_need_score_zero():
    scores = score(job_seekers())
    assert scores.help(66, 11) == 0  # hot tub price does not find a publisher
    assert scores.reasons(66, 11) == []


@pytest.mark.parametrize(
    "a, b",
    [("Postgres", "PostgreSQL"), ("electrician", "electrical work"), ("negotiating", "negotiation"), ("resume review", "resumé reviews")],
)
def test_text_similarity_survives_word_forms(a, b):
    X = tfidf([a, b, "hot tub", "publisher", "car", "finance"])
    assert (X[0] @ X[1].T).toarray()[0, 0] > 0.3


def test_postgres_offer_meets_postgresql_need():
    people = [
        Attendee(1, "Ann", needs=[Need("PostgreSQL query tuning")]),
        Attendee(2, "Bob", offers=[Offer("Postgres performance help")]),
        Attendee(3, "Cy", offers=[Offer("Hot tub insider price")]),
    ]
    scores = score(people)
    assert scores.help(2, 1) > 0
    assert scores.help(3, 1) == 0


def test_solving_the_group_pairs_helpers_with_explanations():
    problem = Problem(job_seekers(), options=Options(seed=0, time_limit_s=5))
    pairing = solve(problem)
    assert violations(problem, pairing) == []
    assert pairing.proven_optimal
    sentences = [s for g in pairing.rounds[0].groups for s in explain(g, NAMES)]
    assert sentences and all(" can help " in s and " offers “" in s for s in sentences)
    assert pairing.helped >= 3


def test_scoring_many_attendees_keeps_one_reason_per_helper_and_need():
    rng = np.random.default_rng(0)
    topics = ["publisher", "electrician", "CFO intro", "car negotiation", "hot tub", "resume review", "Postgres", "grant writing"]
    people = [
        Attendee(
            i,
            needs=[Need(f"{rng.choice(topics)} {rng.integers(100)}") for _ in range(3)],
            offers=[Offer(f"{rng.choice(topics)} {rng.integers(100)}") for _ in range(3)],
        )
        for i in range(300)
    ]
    scores = score(people)
    assert scores.matrix.shape == (300, 300)
    assert np.all(np.diag(scores.matrix) == 0)
    # at most one reason per (helper, need)
    assert len(scores.match_need) <= 300 * 900
    keys = scores.match_helper * 10**6 + scores.match_need
    assert len(np.unique(keys)) == len(keys)


@pytest.mark.parametrize(
    "text, phrase",
    [
        ("A publisher for my book", "a publisher for my book"),
        ("An intro to a literary agent.", "an intro to a literary agent"),
        ("The best plumber in town", "the best plumber in town"),
        ("Finding a publisher", "finding a publisher"),
        ("I need A publisher", "a publisher"),
        ("CFO intro", "CFO intro"),
        ("PostgreSQL tuning", "PostgreSQL tuning"),
        ("LinkedIn profile rewrite", "LinkedIn profile rewrite"),
        ("AI tools for my shop", "AI tools for my shop"),
        ("I need to find a CFO", "find a CFO"),
    ],
)
def test_need_phrase_lowers_an_ordinary_first_word_and_keeps_acronyms(text, phrase):
    assert need_phrase(text) == phrase


def test_describe_reads_with_a_leading_article():
    match = Match(2, 1, Need("A publisher for my book"), Offer("An introduction to my editor"), 0.5, 0.5)
    assert describe(match, {1: "Alice", 2: "Dave"}) == (
        "Dave can help Alice with a publisher for my book: Dave offers “An introduction to my editor”."
    )
