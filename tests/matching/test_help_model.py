"""The help model, one signal at a time, on small groups written for these tests."""

import pytest

from organizer.matching import Attendee, Link, Need, Offer, Options, Problem, Term, describe, score, solve, violations


def best_link(scores, helper, helped):
    found = scores.reasons(helper, helped)
    return found[0] if found else None


def test_an_offer_helps_a_need_that_shares_no_word_with_it():
    people = [Attendee(1, "Ana", needs=[Need("Is two weeks' pay per year of service fair severance?", id=10)]),
              Attendee(2, "Ben", offers=[Offer("I read any employment contract before you sign it", id=20)]),
              Attendee(3, "Cy", offers=[Offer("Fresh sourdough every Saturday", id=30)])]
    scores = score(people)
    link = best_link(scores, 2, 1)
    assert link is not None and link.via == "offer" and link.offer.id == 20 and link.need.id == 10
    assert scores.help(3, 1) == 0


def test_a_headline_alone_makes_someone_a_helper():
    people = [Attendee(1, "Ana", needs=[Need("I cracked a tooth and have no idea what it will cost")]),
              Attendee(2, "Dr Bo", offers=[Offer("Ask me anything")], headline="Dentist, own practice downtown"),
              Attendee(3, "Cy", offers=[Offer("Ask me anything")], headline="Retired bus driver")]
    scores = score(people)
    link = best_link(scores, 2, 1)
    assert link is not None and link.via == "headline" and link.source == "Dentist, own practice downtown"
    assert scores.help(3, 1) == 0


def test_a_need_for_clients_is_met_by_someone_who_needs_the_service():
    people = [Attendee(1, "Ana", needs=[Need("More clients, referrals are how I eat")], headline="Licensed therapist (LCSW)"),
              Attendee(2, "Ben", needs=[Need("I can't sleep and I'm anxious all the time since the layoff")]),
              Attendee(3, "Cy", needs=[Need("A plumber for a leaking water heater")])]
    scores = score(people)
    link = best_link(scores, 2, 1)
    assert link is not None and link.via == "need" and link.side == "client"
    assert "anxious" in link.source
    assert best_link(scores, 1, 2).via == "headline"  # and the therapist helps Ben: both directions count
    assert scores.help(3, 1) == 0


def test_a_hiring_need_and_a_job_seeker_help_each_other():
    people = [Attendee(1, "Ana", needs=[Need("Data engineering roles, Spark and Airflow")], headline="Data engineer, laid off"),
              Attendee(2, "Ben", needs=[Need("Two data engineers for my analytics team")], headline="VP of Product"),
              Attendee(3, "Cy", needs=[Need("My furnace makes a banging noise")])]
    scores = score(people)
    assert best_link(scores, 2, 1).via == "need" and best_link(scores, 2, 1).side == "client"
    assert best_link(scores, 1, 2) is not None  # the data engineer answers the hiring need
    assert scores.help(3, 1) == 0, "a furnace owner is no employer of data engineers"


@pytest.mark.parametrize("need, offer", [
    ("A Java developer job, Spring Boot backend", "Java and Sumatra coffee beans at cost"),
    ("Network engineer roles, Cisco and firewalls", "Networking tips for introverts"),
    ("A furnace I can rent by the hour for glass work", "Free furnace safety check before winter"),
    ("A spark plug swap for my mower", "I can build your Spark data pipelines"),
    ("A publisher for my book", "Bookkeeping and tax questions answered"),
])
def test_shared_words_without_help_count_nothing(need, offer):
    people = [Attendee(1, "Ana", needs=[Need(need)]), Attendee(2, "Ben", offers=[Offer(offer)])]
    scores = score(people)
    assert scores.help(2, 1) == 0, scores.reasons(2, 1)


def test_a_vague_offer_counts_through_the_headline_not_the_words():
    people = [Attendee(1, "Ana", needs=[Need("Help with my taxes, first year self-employed")]),
              Attendee(2, "Ben", offers=[Offer("Happy to help however I can")], headline="CPA"),
              Attendee(3, "Cy", offers=[Offer("Happy to help however I can")], headline="Florist")]
    scores = score(people)
    assert best_link(scores, 2, 1).via == "headline"
    assert scores.help(3, 1) == 0


def test_a_group_term_makes_a_new_word_count_at_once():
    people = [Attendee(1, "Ana", needs=[Need("Practice for the Blue Card exam next month")]),
              Attendee(2, "Ben", offers=[Offer("Conversation practice in French")])]
    before = best_link(score(people), 2, 1)
    assert before is None or before.confidence < Options().show_confidence
    with_term = score(people, terms=(Term("Blue Card exam", "a French oral test"),))
    link = best_link(with_term, 2, 1)
    assert link is not None and link.via == "offer" and link.confidence >= Options().show_confidence


def test_a_wish_and_an_organizer_link_count_fully_and_a_wrong_mark_removes_a_link():
    people = [Attendee(1, "Ana", needs=[Need("A publisher for my memoir", id=10)]),
              Attendee(2, "Ben", offers=[Offer("An introduction to my literary agent", id=20)]),
              Attendee(3, "Cy", offers=[Offer("Ask me anything")])]
    base = score(people)
    assert base.help(2, 1) > 0 and base.help(3, 1) == 0
    wished = score(people, links=(Link(3, 1, "wish", 10),))
    assert best_link(wished, 3, 1).via == "wish" and best_link(wished, 3, 1).confidence == 1.0
    assert wished.help(3, 1) > base.help(2, 1), "a wish weighs more than the model's best link"
    wrong = score(people, links=(Link(2, 1, "wrong", 10),))
    assert wrong.help(2, 1) == 0 and wrong.reasons(2, 1) == []
    added = score(people, links=(Link(3, 1, "organizer", None, "hotel owners"),))
    link = best_link(added, 3, 1)
    assert link.via == "organizer" and link.topic == "hotel owners"


def test_a_wish_changes_the_seating():
    def person(k, needs, offers):
        return Attendee(k, f"P{k}", needs=[Need(n, id=k * 10 + i) for i, n in enumerate(needs)],
                        offers=[Offer(o) for o in offers])

    people = [person(1, ["A publisher for my memoir"], ["Resume reviews"]),
              person(2, ["Resume reviews for a career change"], ["An introduction to my literary agent", "Car buying negotiation tips"]),
              person(3, ["A good electrician for my kitchen"], ["Car buying negotiation tips"]),
              person(4, ["Negotiating the price of a used car", "Someone to review my resume"], ["Licensed electrical work", "Resume reviews"])]
    options = Options(time_limit_s=5)
    before = solve(Problem(people, options=options))
    assert {1, 2} in [set(g.members) for g in before.rounds[0].groups]
    problem = Problem(people, options=options, links=(Link(3, 1, "wish", 10), Link(1, 3, "wish", 30)))
    after = solve(problem)
    assert violations(problem, after) == []
    assert {1, 3} in [set(g.members) for g in after.rounds[0].groups]


def test_reasons_read_in_the_third_person_and_quote_the_member():
    people = [Attendee(1, "Ana", needs=[Need("I need clients for my car-buying consulting")], headline="Car-buying consultant"),
              Attendee(2, "Ben", needs=[Need("Buying a used car next month, scared of dealers")])]
    scores = score(people)
    sentence = describe(best_link(scores, 2, 1), {1: "Ana", 2: "Ben"})
    assert sentence.startswith("Ben and Ana can do business")
    assert " my " not in sentence.split("“")[0], "the member's first person pasted into our sentence"


def test_only_links_the_model_is_fairly_sure_of_make_someone_helped():
    weak = [Attendee(1, "Ana", needs=[Need("Zorblat flanges for my quernstone")]),
            Attendee(2, "Ben", offers=[Offer("Zorblat flanges, quern and all")])]
    scores = score(weak)
    assert 0 < scores.help(2, 1) and all(m.confidence < 0.6 for m in scores.reasons(2, 1))
    assert solve(Problem(weak, options=Options(time_limit_s=5))).helped == 0
    sure = [Attendee(1, "Ana", needs=[Need("I cracked a tooth")]), Attendee(2, "Ben", headline="Dentist")]
    assert solve(Problem(sure, options=Options(time_limit_s=5))).helped == 1


def test_scoring_only_some_members_needs_gives_them_the_same_links():
    people = [Attendee(1, "Ana", needs=[Need("More clients, referrals are how I eat", id=1)], headline="Licensed therapist"),
              Attendee(2, "Ben", needs=[Need("I can't sleep since the layoff", id=2)], offers=[Offer("Resume reviews", id=2)]),
              Attendee(3, "Cy", needs=[Need("A resume that gets callbacks", id=3)], headline="Data engineer"),
              Attendee(4, "Di", needs=[Need("Two data engineers for my team", id=4)], headline="CTO")]
    full = score(people)
    for who in (1, 2, 3, 4):
        only = score(people, helped=frozenset({who}))
        for helper in (1, 2, 3, 4):
            if helper != who:
                assert only.reasons(helper, who) == full.reasons(helper, who)
                assert only.help(helper, who) == pytest.approx(full.help(helper, who))
        assert all(only.help(h, o) == 0 for h in (1, 2, 3, 4) for o in (1, 2, 3, 4) if o != who)
