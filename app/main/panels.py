"""Start-page panels of the foundation: one overview per role answering its first questions.

The domains contribute their own panels (queues, tables); these combine them: the Kommune's money at
a glance with what needs its action, the programme's risks and open decisions, the auditor's entry
points. The Innovationsfonds panel lives in ``app/innovationsfonds/panels.py``.
"""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext
from sqlalchemy import func, select

from ..allocation.models import AllocationStatus, AllocationVersion
from ..auth.models import Role
from ..budgets import services as budget_services
from ..budgets import status as budget_status
from ..budgets.models import ProofOfUse, ProofStatus, Reclaim, ReclaimStatus
from ..grants import f6
from ..grants.models import ApplicationStatus
from ..grants.services import application_of_kommune, ceiling_cents, open_amendment, status_counts
from ..notifications.models import Message
from ..platform import clock
from ..platform.audit import AuditEntry
from ..platform.extensions import db
from ..platform.formatting import format_date
from ..platform.web.dashboard import Panel, panel
from ..reference.services import get_programme
from . import insights

STAFF = (Role.PROGRAMME_ADMIN, Role.FINANCE, Role.AUDITOR)


@panel(order=5)
def kommune_overview(user):
    """Kommune: ceiling, approved, paid, spent, remaining; days to the last expense day; to-dos; the chart."""
    if user.role != Role.KOMMUNE or user.kommune_id is None:
        return None
    programme = get_programme()
    grants = [g for g in budget_services.grants_visible_to(user) if g.kommune_id == user.kommune_id]
    # The tiles stand beside the F1–F4 ceiling, so they show the F1–F4 grant; an F6 grant is a decision of
    # its own, shown in "Mein Budget" and in the to-dos, never mixed into these figures.
    grant = next((g for g in grants if any(line.module_code != f6.MODULE for line in g.lines)), None)
    current = budget_status.status_for([grant])[0] if grant is not None else None
    deadline = grant.last_expense_date if grant is not None else programme.last_expense_date
    days_left = max((deadline - clock.today()).days, 0)
    proofs = {g.id: budget_services.proof_of(g) for g in grants}  # read once: the tiles and the to-dos
    proof = proofs[grant.id] if grant is not None else None
    todos = _kommune_todos(user, programme, grants, proofs)
    chart = insights.grant_spend_chart(grant, current) if grant is not None else None
    return Panel(title=gettext("Mein Überblick"), template="main/_panel_kommune.html", wide=True, data={
        "ceiling": ceiling_cents(programme.id, user.kommune_id), "status": current, "grant": grant,
        "deadline": deadline, "days_left": days_left, "todos": todos, "chart": chart, "proof": proof,
        "proof_deadline": programme.proof_of_use_deadline,
        "proof_days_left": max((programme.proof_of_use_deadline - clock.today()).days, 0)})


def _kommune_todos(user, programme, grants, proofs) -> list[tuple[str, str]]:
    todos: list[tuple[str, str]] = []
    application = application_of_kommune(user.kommune_id, programme)
    if application is None:
        todos.append((gettext("Antrag auf Zuwendung anlegen"), url_for("grants.index")))
    else:
        current = open_amendment(application) or application
        if current.status is ApplicationStatus.DRAFT:
            todos.append((gettext("%(title)s fertigstellen und einreichen", title=current.title),
                          url_for("grants.detail", application_id=current.id)))
        elif current.status is ApplicationStatus.CHANGES_REQUESTED:
            todos.append((gettext("%(title)s: angeforderte Änderungen einarbeiten", title=current.title),
                          url_for("grants.detail", application_id=current.id)))
    today = clock.today()
    for grant in grants:  # each grant (F1–F4, F6) is proved and settled on its own
        grant_todos = []
        if today > grant.last_expense_date and proofs[grant.id] is None:
            grant_todos.append((gettext("Verwendungsnachweis einreichen (Frist %(day)s)",
                                        day=format_date(programme.proof_of_use_deadline)),
                                url_for("budgets.proof", grant_id=grant.id)))
        elif today <= grant.last_expense_date:
            grant_todos.append((gettext("Ausgaben erfassen oder importieren"),
                                url_for("budgets.expenses", grant_id=grant.id)))
        reclaim = db.session.scalar(select(Reclaim).where(Reclaim.grant_id == grant.id,
                                                          Reclaim.status == ReclaimStatus.OPEN))
        if reclaim is not None:
            grant_todos.append((gettext("Rückforderung begleichen"),
                                url_for("budgets.reclaim", reclaim_id=reclaim.id)))
        if len(grants) > 1:  # say which grant
            grant_todos = [(gettext("%(reference)s: %(todo)s", reference=grant.reference, todo=label), url)
                           for label, url in grant_todos]
        todos += grant_todos
    unread = db.session.scalar(select(func.count()).select_from(Message).where(
        Message.recipient_id == user.id, Message.read_at.is_(None))) or 0
    if unread:
        todos.append((gettext("%(count)s ungelesene Nachricht(en) und Erinnerungen", count=unread),
                      url_for("notifications.index")))
    return todos


@panel(order=6)
def programme_overview(user):
    """Staff: spend against the straight line, at-risk Kommunen and the open decisions."""
    if user.role not in STAFF:
        return None
    grant_statuses = insights.kommune_grant_statuses()
    statuses = [s for _ags, s in grant_statuses]
    at_risk = sorted(((ags, s) for ags, s in grant_statuses if s.at_risk), key=lambda item: item[1].recipient)
    programme = get_programme()
    drafts = db.session.scalar(select(func.count()).select_from(AllocationVersion).where(
        AllocationVersion.programme_id == programme.id, AllocationVersion.status == AllocationStatus.DRAFT)) or 0
    proofs = db.session.scalar(select(func.count()).select_from(ProofOfUse).where(
        ProofOfUse.status == ProofStatus.SUBMITTED)) or 0
    overall, _modules = budget_status.totals(statuses)
    return Panel(title=gettext("Programm auf einen Blick"), template="main/_panel_programme.html", wide=True, data={
        "chart": insights.statewide_spend_chart(statuses), "at_risk": at_risk,
        "count": len({ags for ags, _s in grant_statuses}), "kommunen_at_risk": len({ags for ags, _s in at_risk}),
        "overall": overall, "drafts": drafts, "proofs": proofs,
        "submitted": status_counts(programme.id)[ApplicationStatus.SUBMITTED],
        "days_left": max((programme.last_expense_date - clock.today()).days, 0),
        "deadline": programme.last_expense_date, "is_admin": user.role == Role.PROGRAMME_ADMIN})


@panel(order=900)
def reports_panel(user):
    """Auditor (and staff): the entry to the audit trail and every report and export."""
    if user.role not in STAFF:
        return None
    latest = []
    if user.role in (Role.AUDITOR, Role.PROGRAMME_ADMIN):
        latest = list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(5)))
    title = gettext("Prüfpfad und Berichte") if user.role == Role.AUDITOR else gettext("Berichte und Exporte")
    return Panel(title=title,
                 template="main/_panel_reports.html", wide=user.role == Role.AUDITOR,
                 data={"latest": latest, "audit": user.role in (Role.AUDITOR, Role.PROGRAMME_ADMIN)})


@panel(order=1000)
def account_panel(user):
    return Panel(title=gettext("Ihr Konto"), template="main/_panel_account.html",
                 data={"user": user, "is_reader": user.role == Role.AUDITOR})
