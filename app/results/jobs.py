"""Scheduler job of the results domain: interim proofs (Zwischennachweise) — reminders and late flags."""

from __future__ import annotations

from ..platform.jobs import job
from .services import flag_late, remind_due


@job("results.interim_proofs", trigger="cron", hour=7, minute=40,
     description="Zwischennachweise: 30 und 7 Tage vor der Frist erinnern (nicht abschaltbar), nicht "
                 "eingereichte nach der Frist als verspätet markieren")
def interim_proofs(run) -> dict:
    """Reminders (dedup per grant, year and threshold) and late flags (once per proof, audited)."""
    return {"reminders": remind_due(run.day), "flagged_late": flag_late(run.day, actor_label=run.actor_label)}
