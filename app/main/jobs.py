"""Background work (app/platform/background.py): one scheduler job runs every kind; files deleted after a day.

The runners are named here because running a job needs its user (app.auth) and the domain that does the work
(an export replays its URL, app/platform/web/export_jobs.py; an expense import books a stored CSV file,
app/budgets/importing.py); app.main may import them all.
"""

from __future__ import annotations

from ..auth.models import User
from ..budgets import importing
from ..platform import background, clock
from ..platform.extensions import db
from ..platform.jobs import job
from ..platform.web import export_jobs

BATCH = 10  # jobs run by one run at most (a run ends; the next slot takes the rest)
RUNNERS = {export_jobs.KIND: export_jobs.build, importing.KIND: importing.run_job}
# An import first: the Kommune waits for its bookings (the expense list, the proof of use), while an export only
# copies what is there. One job runs at a time, so a queued import waits at most for the job already running.
KINDS_FIRST = (importing.KIND,)


@job("background.run", trigger="interval", seconds=10, own_transactions=True,
     description="Große Exporte und Importe im Hintergrund ausführen (Meine Aufträge)")
def run_background(run) -> dict:
    """Claim and run pending jobs one after the other, each in its own transactions."""
    done = failed = 0
    for _ in range(BATCH):
        claimed = background.claim_next(KINDS_FIRST)
        kind = claimed.kind if claimed is not None else None  # read before the commit expires the object
        db.session.commit()  # the claim is visible at once: the page shows "läuft"
        if claimed is None:
            break
        actor = db.session.get(User, claimed.actor_id)
        db.session.commit()  # end this (SQLite: write-locking) transaction; the runner opens its own
        RUNNERS[kind](claimed, actor)
        db.session.commit()
        if db.session.get(background.BackgroundJob, claimed.id).status == background.DONE:
            done += 1
        else:
            failed += 1
    return {"done": done, "failed": failed}


@job("background.cleanup", trigger="interval", hours=1,
     description="Hintergrund-Aufträge nach EXPORT_KEEP_HOURS löschen, hängende als fehlgeschlagen markieren, "
                 "Dateien ohne Auftrag löschen")
def cleanup_background(run) -> dict:
    return background.cleanup(clock.now(), kinds=RUNNERS)
