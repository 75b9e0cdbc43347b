"""Print sheets: the time and size of the PDFs an organizer downloads on the day, at N attendees.

Seeds one group per size (bench.pages.seed: N members with needs and offers, all going and
checked in, a computed pairing version) in a scratch SQLite database (or, with --database-url,
an empty PostgreSQL database, emptied first), then renders each part of
the sheets as the download does (organizer.pairing.sheets.pdf: the master sheet, "find your
table", the tent cards, and all of them in one file), in this process, after one small warm-up
PDF (WeasyPrint's first document loads its fonts). Beside each PDF it times the HTML print view
of the same part, which the browser prints instead: the reference. Prints seconds (best of
--repeat), pages (poppler's pdfinfo, when installed) and size. The site makes the PDF in the
background (organizer.pairing.printing: where the pairing jobs run, its layout in a child
process), so this is how long the organizer waits for the file, and what it must stay under is
SHEETS_WAIT_S (300 s). Asserts nothing.

    .venv/bin/python bench/sheets.py [--attendees 20 400] [--repeat 1] [--database-url URL]
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PARTS = ["master", "finder", "cards", "all"]


def pages_of(data: bytes) -> str:
    if shutil.which("pdfinfo") is None:
        return "-"
    out = subprocess.run(["pdfinfo", "-"], input=data, capture_output=True, check=False).stdout.decode()
    return next((line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")), "-")


def best_of(repeat: int, work, *args, **kwargs) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = work(*args, **kwargs)
        best = min(best, time.perf_counter() - started)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attendees", type=int, nargs="+", default=[20, 400])
    parser.add_argument("--repeat", type=int, default=1, help="renderings of each part (the best is printed)")
    parser.add_argument("--database-url", default=None,
                        help="an empty PostgreSQL database, emptied first (default: a scratch SQLite file)")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="givefirst-sheets-"))
    secret_key = "bench-sheets-" + os.urandom(8).hex()
    os.environ.update({"GIVEFIRST_ENV": "development", "SECRET_KEY": secret_key,
                       "GIVEFIRST_INSTANCE_PATH": str(scratch), "PAIRING_TIME_LIMIT_S": "20"})
    from bench.pages import seed
    from config import database_url

    url = database_url(args.database_url or f"sqlite:///{scratch}/sheets.sqlite3")
    sizes = sorted(set(args.attendees))
    print(f"Seeding groups of {', '.join(map(str, sizes))} members...", file=sys.stderr, flush=True)
    data = seed(url, secret_key, sizes, 1)

    from flask import render_template

    from organizer import create_app
    from organizer.extensions import db
    from organizer.models import Event, Group, PairingRun, utcnow
    from organizer.pairing import sheets
    from organizer.templating import token_form

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secret_key, "TESTING": False})
    print(f"Print sheets, rendered as the download does (best of {args.repeat}); "
          "the HTML print view of the same part is the reference:")
    print(f"  {'N':>5} {'part':<7} {'PDF s':>7} {'pages':>6} {'KB':>7} {'HTML s':>7} {'HTML KB':>8}")
    with app.test_request_context():
        warmed = False
        for n in sizes:
            group = db.session.scalar(db.select(Group).where(Group.slug == data[n]["slug"]))
            event = db.session.get(Event, data[n]["event"])
            run = db.session.scalar(db.select(PairingRun).where(PairingRun.event_id == event.id))
            if not warmed:  # WeasyPrint's first document loads fonts and styles
                sheets.pdf(group, event, run, utcnow(), part="finder")
                warmed = True
            for part in PARTS:
                pdf_s, pdf = best_of(args.repeat, sheets.pdf, group, event, run, utcnow(), part=part)
                html_s, html = best_of(args.repeat, lambda *a, **k: render_template(
                    "print/sheets.html", confirm_form=token_form(), **sheets.context(*a, **k)), group, event, run, utcnow(), part=part)
                print(f"  {n:>5} {part:<7} {pdf_s:7.2f} {pages_of(pdf):>6} {len(pdf) / 1024:7.0f} "
                      f"{html_s:7.3f} {len(html) / 1024:8.0f}", flush=True)
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
