"""A competition at 10 × the real size through the services and pages (issue #20): 930 sketches from 93
organisations, 40 reviewers, 3 reviews each (2,790), two sketches declared ineligible. Target: ranking,
selection and the Steuerkreis pages each answer in under 300 ms.

Builds the round with ``app.innovationsfonds.demo.build_competition`` into a fresh SQLite database (or
reuses ``--instance DIR``), then times, after one warm-up, ``--runs`` calls of each: the pure ranking of
the call, both proposals (funding line and exact maximum score), and the pages as the administrator
through the test client. Prints a Markdown table (median wall and CPU time of this process, slowest; ms):
the machine is shared, so judge by the CPU column.

    python bench/bench_innovationsfonds_round.py [--runs 9] [--instance DIR] [--database URL]

``--database`` an empty database to seed the round into instead (e.g. a fresh PostgreSQL database).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PASSWORD = "Bench-Passwort-2020!"


def seed(app) -> int:
    from flask_migrate import upgrade

    from app.auth.services import create_user
    from app.innovationsfonds import demo
    from app.platform.extensions import db
    from app.reference.models import Organisation
    from app.reference.services import get_programme, load_programme, load_reference_data

    upgrade()
    load_programme(app.config["PROGRAMME_FILE"])
    load_reference_data()
    admin = create_user(email="admin@bench.test", name="Admin", password=PASSWORD, role="programme_admin",
                        actor_label="bench")
    organisation_users = []
    for n in range(93):
        organisation = Organisation(name=f"Bench-Träger {n:03d}", kind=demo.KINDS[n % len(demo.KINDS)])
        db.session.add(organisation)
        db.session.flush()
        organisation_users.append(create_user(email=f"org{n}@bench.test", name=f"Träger {n}", password=PASSWORD,
                                              role="organisation", organisation_id=organisation.id,
                                              actor_label="bench"))
    reviewers = [create_user(email=f"rev{n}@bench.test", name=f"Gutachter/in {n}", password=PASSWORD,
                             role="reviewer", actor_label="bench") for n in range(40)]
    call = demo.build_competition(get_programme(), admin, organisation_users=organisation_users, reviewers=reviewers,
                                  opens=date(2022, 3, 1), closes=date(2022, 5, 31), review_deadline=date(2022, 7, 31),
                                  review_until=date(2022, 7, 31), sketches=930, title="Zehnfache Runde")
    db.session.commit()
    return call.id


def timed(function, runs: int) -> tuple[float, float, float]:
    """(median wall ms, median CPU ms of this process, slowest wall ms) over ``runs`` calls after a warm-up."""
    function()  # warm-up
    walls, cpus = [], []
    for _ in range(runs):
        started, cpu = time.perf_counter(), time.process_time()
        function()
        walls.append((time.perf_counter() - started) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return statistics.median(walls), statistics.median(cpus), max(walls)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--instance", default=None)
    parser.add_argument("--database", default=None, help="an empty database (URL) instead of the instance's SQLite")
    options = parser.parse_args()
    if options.database:
        os.environ["DATABASE_URL"] = options.database
    instance = options.instance or tempfile.mkdtemp(prefix="bench-if-round-")
    os.environ["DURCHSTARTEN_INSTANCE"] = instance
    os.environ["FAKE_TODAY"] = "2022-08-01"

    from sqlalchemy import func, select

    from app import create_app
    from app.innovationsfonds import selection, steering
    from app.innovationsfonds.access import get_call
    from app.innovationsfonds.models import Call, Review, Sketch
    from app.platform.extensions import db

    app = create_app()
    with app.app_context():
        if options.database or options.instance is None or not (Path(instance) / "durchstarten.db").exists():
            started = time.perf_counter()
            call_id = seed(app)
            print(f"Round seeded in {time.perf_counter() - started:.0f} s ({instance})\n")
        else:
            call_id = db.session.scalar(select(Call.id).where(Call.title == "Zehnfache Runde"))
        sketches = db.session.scalar(select(func.count()).select_from(Sketch).where(Sketch.call_id == call_id))
        reviews = db.session.scalar(select(func.count()).select_from(Review).where(Review.submitted_at.is_not(None)))
        sketch_id = db.session.scalar(select(Sketch.id).where(Sketch.call_id == call_id).order_by(Sketch.id))
        load = os.getloadavg()[0]
        print(f"{sketches} sketches, {reviews} submitted reviews, {db.engine.dialect.name}, load {load:.1f}, "
              f"{options.runs} warm runs\n")
        rows = []

        def fresh(function):
            def run():
                db.session.expire_all()
                return function(get_call(call_id))
            return run

        rows.append(("ranking (`selection.ranked_sketches`)", *timed(fresh(selection.ranked_sketches), options.runs)))
        rows.append(("both proposals (`selection.proposals`)", *timed(fresh(selection.proposals), options.runs)))
        rows.append(("Steuerkreis sheets, first page (`steering.sheet_page`)", *timed(fresh(
            lambda call: steering.sheet_page(call, 1, flagged_only=False, url=lambda n, flagged: "")), options.runs)))
        rows.append(("calibration (`steering.calibration`)", *timed(fresh(steering.calibration), options.runs)))
        db.session.rollback()

    client = app.test_client()
    login = client.get("/anmelden").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', login).group(1)
    client.post("/anmelden", data={"email": "admin@bench.test", "password": PASSWORD, "csrf_token": token})
    base, one = f"/innovationsfonds/aufrufe/{call_id}", f"/innovationsfonds/skizzen/{sketch_id}"
    for label, path in (("page: ranking", f"{base}/rangfolge"), ("page: selection", f"{base}/auswahl"),
                        ("page: Steuerkreis view (first page of 50 sketches)", f"{base}/gutachten"),
                        ("page: Steuerkreis view, only flagged", f"{base}/gutachten?nur=abweichung"),
                        ("page: call with its sketch list", base),
                        ("page: assignment matrix (first page)", f"{base}/zuordnung"),
                        ("page: statistics", f"{base}/statistik"),
                        ("page: sketch with its reviews", one),
                        ("export: justification of one sketch", f"{one}/begruendung.csv")):
        statuses = set()

        def get(path=path, statuses=statuses):
            statuses.add(client.get(path).status_code)
        median, cpu, slowest = timed(get, options.runs)
        rows.append((f"{label} (HTTP {', '.join(map(str, sorted(statuses)))})", median, cpu, slowest))

    print("| what | median ms | CPU ms (median) | max ms | < 300 ms |")
    print("|---|---:|---:|---:|---|")
    for label, median, cpu, slowest in rows:
        print(f"| {label} | {median:.0f} | {cpu:.0f} | {slowest:.0f} | {'yes' if median < 300 else '**no**'} |")


if __name__ == "__main__":
    main()
