"""The asks board's cost as the group grows: one page of the board, plain and "matches what I
offer", for a member, at 20, 400 and 2,000 members (or --sizes), beside one page of the
directory measured in the same run (the reference: a page the project already holds to "the
same cost at any size").

Each member has three needs and three offers drawn from the door benchmark's 16 topics, in a
scratch SQLite database (or --database-url, an empty PostgreSQL database, emptied first).
Times the service call that builds the page's rows (queries and the help model), in-process,
median of --repeat runs; prints figures and asserts nothing.

    .venv/bin/python bench/asks.py [--sizes 20 400 2000] [--repeat 7] [--database-url URL]
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.door import TOPICS  # noqa: E402  (the same members as the door benchmark)


def seed(n: int, rng: random.Random):
    from organizer.extensions import db
    from organizer.groups.service import add_group, add_member
    from organizer.members.service import tags_for
    from organizer.models import Need, Offer, User

    db.session.remove()  # the last size's read transaction would hold an old snapshot
    db.drop_all()
    db.create_all()
    organizer = User(name="Bench Organizer", email="organizer@bench.example", password_hash=None)
    db.session.add(organizer)
    group = add_group(organizer, "Bench group", "America/Toronto", slug="bench")
    members = []
    for i in range(n):
        user = User(name=f"Member {i:04d}", email=f"m{i}@bench.example", password_hash=None,
                    headline=f"Headline of member {i}")
        member = add_member(group, user)
        members.append(member)
        for need_text, _, tag in rng.sample(TOPICS, 3):
            db.session.add(Need(membership=member, title=need_text.capitalize(), tags=tags_for(group.id, [tag]),
                                priority=rng.choice(["high", "normal", "low"])))
        for _, offer_text, tag in rng.sample(TOPICS, 3):
            db.session.add(Offer(membership=member, title=offer_text.capitalize(), tags=tags_for(group.id, [tag])))
        if i % 200 == 0:
            db.session.flush()
    db.session.commit()
    return members[0].id


def timed(call, repeat: int) -> float:
    call()  # warm-up (lexicon loaded, statements cached)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        call()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[20, 400, 2000])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    scratch = tempfile.mkdtemp(prefix="asks-bench-")
    os.environ["GIVEFIRST_INSTANCE_PATH"] = scratch
    url = args.database_url or f"sqlite:///{scratch}/bench.sqlite3"

    from organizer import create_app
    from organizer.asks.board import board_page
    from organizer.extensions import db
    from organizer.members.directory import directory_page
    from organizer.models import Membership

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": False})
    print(f"{'members':>8} {'directory ms':>13} {'board ms':>9} {'matches ms':>11} {'matches/dir':>12} {'found':>6}")
    with app.app_context():
        for n in args.sizes:
            member_id = seed(n, random.Random(n))
            viewer = db.session.get(Membership, member_id)
            directory = timed(lambda v=viewer: directory_page(v), args.repeat)
            plain = timed(lambda v=viewer: board_page(v, partner_ids=frozenset()), args.repeat)
            matches = timed(lambda v=viewer: board_page(v, partner_ids=frozenset(), matching_only=True), args.repeat)
            found = board_page(viewer, partner_ids=frozenset(), matching_only=True).total
            print(f"{n:>8} {directory * 1000:>13.1f} {plain * 1000:>9.1f} {matches * 1000:>11.1f} "
                  f"{matches / directory:>12.1f} {found:>6}")
        db.session.remove()
        db.drop_all()


if __name__ == "__main__":
    main()
