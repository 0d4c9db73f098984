"""The scheduler jobs (close at the deadline, reviewer reminders) and the what-if command."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from click.testing import CliRunner

from app.innovationsfonds.commands import select_command
from app.innovationsfonds.models import Sketch
from app.notifications.models import Message
from app.platform import clock
from app.platform.extensions import db
from app.scheduler.runner import execute
from tests.innovationsfonds.conftest import CLOSES

CSV = "id,requested,score\na,2000000.00,90.5\nb,2500000.00,85\nc,1000000.00,80.25\nd,1500000.00,70\n"


def _run(tmp_path, *args):
    path = tmp_path / "s.csv"
    path.write_text(CSV, encoding="utf-8")
    return CliRunner().invoke(select_command, ["--sketches", str(path), "--budget", "5000000.00", *args])


def test_what_if_command_rules_and_json(tmp_path):
    stop = _run(tmp_path, "--rule", "funding-line-stop", "--format", "json")
    best = _run(tmp_path, "--rule", "max-score", "--format", "json")
    assert json.loads(stop.output) == {"selected": ["a", "b"], "total": "4500000.00", "score_total": "175.50"}
    assert json.loads(best.output) == {"selected": ["a", "c", "d"], "total": "4500000.00", "score_total": "240.75"}
    text = _run(tmp_path, "--rule", "funding-line-skip", "--min-score", "86")
    assert text.exit_code == 0 and "Ausgewählt (1): a" in text.output and "Summe: 2000000.00" in text.output


def test_what_if_command_refuses_bad_input(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("id,requested,score\na,12.345,1\n", encoding="utf-8")
    result = CliRunner().invoke(select_command, ["--sketches", str(path), "--budget", "10.00", "--rule", "max-score"])
    assert result.exit_code == 1 and "Zeile 2" in result.output


def test_close_job_runs_at_the_deadline_once(small):
    small.submitted()
    over = small.submitted()
    db.session.get(Sketch, over).requested_cents = 60_000_000  # above the maximum (changed behind the form)
    db.session.commit()
    with clock.freeze(CLOSES):
        early = execute("innovationsfonds.close_windows", trigger="schedule")
    assert early.summary["closed"] == 0
    with clock.freeze(CLOSES + timedelta(minutes=5)):
        first = execute("innovationsfonds.close_windows", trigger="schedule")
    assert first.summary["closed"] == 1, first
    statuses = sorted(s["status"] for s in small.api["admin"].get(
        f"/api/v1/innovationsfonds/sketches?call_id={small.call}").json)
    assert statuses == ["eligible", "ineligible"]
    with clock.freeze(CLOSES + timedelta(minutes=10)):
        again = execute("innovationsfonds.close_windows", trigger="schedule")
    assert again.summary["closed"] == 0


def test_reviewers_are_reminded_before_the_review_deadline(small):
    small.submitted()
    small.close()
    small.assign()
    moment = datetime(2020, 5, 8, 8, 0, tzinfo=clock.BERLIN)  # 7 days before 15.05.2020
    with clock.freeze(moment):
        outcome = execute("innovationsfonds.remind_reviewers", scheduled_for=moment, trigger="schedule")
    assert outcome.summary["reminders"] == 2
    with clock.freeze(moment):
        repeat = execute("innovationsfonds.remind_reviewers", scheduled_for=moment, trigger="schedule")
    assert repeat.status == "already_done"
    from app.platform.extensions import db
    assert db.session.query(Message).filter(Message.kind == "innovationsfonds.review_deadline").count() == 2
