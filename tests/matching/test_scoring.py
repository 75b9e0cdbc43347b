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


def _mixed_group():
    """Topics, broad ones, two-sided needs, hires and job seekers matched by words, needs only
    shared words reach, and people's word: every kind of link the model lists."""
    import random

    from organizer.matching import Link

    rng = random.Random(7)
    needs = ["Need prep cooks for my restaurant", "hiring a warehouse forklift driver", "looking for a job as a line cook",
             "forklift driver job wanted, warehouse experience", "a publisher for my book", "resume reviews",
             "more translation clients", "an intro to the CFO of a life-science company", "help with my job search",
             "an insider price on hot tubs", "PostgreSQL help for my app"]
    offers = ["introduction to my literary agent", "resume reviews from a hiring manager", "I need a translation",
              "I know CFOs in life sciences", "hot tub supplier discounts", "Postgres and Python consulting",
              "restaurant contacts", "job search coaching"]
    heads = ["Line cook", "Forklift operator", "Translator", "HR manager", "Chef", "Warehouse manager", ""]
    people = []
    for i in range(90):
        people.append(Attendee(i + 1, f"P{i}",
                               needs=[Need(f"{rng.choice(needs)}", priority=rng.choice([0.5, 1.0, 2.0]), id=i * 10 + k)
                                      for k in range(rng.randint(0, 3))],
                               offers=[Offer(rng.choice(offers), id=i * 10 + 5 + k) for k in range(rng.randint(0, 2))],
                               headline=rng.choice(heads), boost=rng.choice([1.0, 1.0, 1.5])))
    people.append(Attendee(999, "Lone", needs=[Need("a zeppelin mooring mast", id=99990)]))  # nobody can help
    with_needs = [a for a in people if a.needs]
    links = [Link(a.id, b.id, "wish", b.needs[0].id) for a, b in zip(people[::9], with_needs[1::9]) if a.id != b.id]
    links += [Link(a.id, b.id, "organizer", None, "knows the owner") for a, b in zip(people[3::11], with_needs[5::11])
              if a.id != b.id]
    links += [Link(a.id, b.id, "wrong", None) for a, b in zip(people[2::7], people[4::7])]
    links += [Link(a.id, b.id, "wrong", b.needs[0].id) for a, b in zip(people[1::5], with_needs[2::5]) if a.id != b.id]
    return people, tuple(links)


def _reasons_of(scores, helper, helped):
    return [(m.need.id, m.offer.id if m.offer else None, round(m.similarity, 12), round(m.score, 12), m.via, m.topic,
             m.source, m.side) for m in scores.reasons(helper, helped)]


@pytest.mark.parametrize("links", [False, True])
def test_a_large_group_counted_on_dense_blocks_scores_and_explains_as_the_listed_links(monkeypatch, links):
    """Above KEEP_LINKS the matrix is counted on dense blocks and links are listed only when
    asked (memory stays bounded); the matrix, the sure links, the needs covered and every
    reason are the same as when every link is listed and kept."""
    from organizer.matching import scoring

    people, word = _mixed_group()
    word = word if links else ()
    kept = score(people, None, (), word)
    assert kept.kept is not None and len(kept.model.x[0]) and kept.model.text is not None
    monkeypatch.setattr(scoring, "KEEP_LINKS", 0)
    monkeypatch.setattr(scoring, "DENSE_CELLS", 700)  # a few helpers per block
    monkeypatch.setattr(scoring, "PREFETCH_BLOCK", 7)  # pairs listed a few at a time
    dense = score(people, None, (), word)
    assert dense.kept is None
    assert np.array_equal(kept.matrix, dense.matrix)  # the same sums, in the same order
    assert np.array_equal(kept.sure_matrix(0.6), dense.sure_matrix(0.6))
    assert np.array_equal(kept.covered, dense.covered) and not dense.covered.all()
    pairs = [(a.id, b.id) for a in people for b in people if a.id != b.id]
    dense.prefetch(pairs[::3])
    for a, b in pairs:
        assert _reasons_of(kept, a, b) == _reasons_of(dense, a, b)
        assert kept.help(a, b) == pytest.approx(sum(m.score for m in dense.reasons(a, b)))


def test_links_listed_a_block_of_helpers_at_a_time_are_the_links_listed_at_once(monkeypatch):
    from organizer.matching import scoring

    people, links = _mixed_group()
    once = score(people, None, (), links)
    monkeypatch.setattr(scoring, "ROWS_PER_BLOCK", 50)
    blocks = score(people, None, (), links)
    assert np.array_equal(once.matrix, blocks.matrix)
    for column in range(7):
        assert np.array_equal(once.kept[column], blocks.kept[column])
