"""The catalogue of message kinds, which the preferences page offers.

Each domain declares the kinds it sends (in its ``jobs.py`` or ``services.py``)::

    from app.notifications.kinds import declare_kind
    DRAFT_REMINDER = declare_kind("reminder.application_draft", "Erinnerung: Antrag noch nicht eingereicht",
                                  roles={"kommune"})

``mandatory=True`` marks legally relevant notices (decisions, deadlines that end a right, e.g. a
Bescheid, a closed submission window, the last expense date, a proof-of-use deadline): they are
always delivered to the inbox and by e-mail and cannot be switched off.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import lazy_gettext


@dataclass(frozen=True)
class Kind:
    kind: str
    label: str  # may be a lazy_gettext string (translated when shown)
    roles: frozenset[str]  # role values that receive it (the page shows only these)
    mandatory: bool
    default: str  # email | inbox | off
    description: str


KINDS: dict[str, Kind] = {}


def declare_kind(kind: str, label: str, *, roles: Iterable[str], mandatory: bool = False, default: str = "email",
                 description: str = "") -> str:
    """Register a message kind; returns ``kind`` so modules can keep it as a constant."""
    if default not in ("email", "inbox", "off"):
        raise ValueError(f"kind {kind!r}: default must be email, inbox or off")
    new = Kind(kind, label, frozenset(str(r) for r in roles), mandatory, "email" if mandatory else default,
               description)
    if kind in KINDS and KINDS[kind] != new:
        raise ValueError(f"kind {kind!r} declared twice")
    KINDS[kind] = new
    return kind


def kinds_for_role(role: str) -> list[Kind]:
    return sorted((k for k in KINDS.values() if role in k.roles), key=lambda k: (not k.mandatory, str(k.label)))


# Kinds of the foundation itself
JOB_FAILED = declare_kind(
    "system.job_failed", lazy_gettext("Fehlgeschlagene automatische Jobs"), roles={"programme_admin"},
    description=lazy_gettext("Ein nächtlicher oder regelmäßiger Job ist mit einem Fehler beendet worden."))
EMAIL_FAILED = declare_kind(
    "system.email_failed", lazy_gettext("E-Mail-Zustellung endgültig fehlgeschlagen"), roles={"programme_admin"},
    default="inbox", description=lazy_gettext("Eine Nachricht war nach allen Versuchen nicht per E-Mail zustellbar."))
DEADLINE_NOTICE = declare_kind(
    "notice.deadline", lazy_gettext("Fristen und Entscheidungen (rechtlich relevant)"),
    roles={"kommune", "organisation", "reviewer", "programme_admin", "finance"}, mandatory=True,
    description=lazy_gettext("Bescheide, Fristende, gesperrte Ausgabenerfassung, Verwendungsnachweisfrist – "
                             "nicht abschaltbar."))
