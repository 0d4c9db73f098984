"""Background exports (app/platform/web/export_jobs.py): built by the scheduler, deleted after a day.

The jobs live here because building an export replays its URL as its user, and loading a user
(app.auth) is above the platform; app.main may import both.
"""

from __future__ import annotations

from ..auth.models import User
from ..platform import clock
from ..platform.extensions import db
from ..platform.jobs import job
from ..platform.web import export_jobs

BATCH = 10  # exports built by one run at most (a run ends; the next slot takes the rest)


@job("exports.build", trigger="interval", seconds=10, own_transactions=True,
     description="Große Exporte im Hintergrund erstellen (Meine Exporte)")
def build_exports(run) -> dict:
    """Claim and build pending exports one after the other, each in its own transactions."""
    built = failed = 0
    for _ in range(BATCH):
        claimed = export_jobs.claim_next()
        db.session.commit()  # the claim is visible at once: the page shows "läuft"
        if claimed is None:
            break
        actor = db.session.get(User, claimed.actor_id)
        db.session.commit()  # end this (SQLite: write-locking) transaction; the replay reads in its own
        export_jobs.build(claimed, actor)
        db.session.commit()
        if claimed.status == export_jobs.DONE:
            built += 1
        else:
            failed += 1
    return {"built": built, "failed": failed}


@job("exports.cleanup", trigger="interval", hours=1,
     description="Hintergrund-Exporte nach EXPORT_KEEP_HOURS löschen, hängende als fehlgeschlagen markieren")
def cleanup_exports(run) -> dict:
    return export_jobs.cleanup(clock.now())
