"""Application use cases: create, edit, submit, withdraw, request changes, amendments, rates, queries.

Each state change loads the application with a row lock (``lock_for_update``), checks ownership
(404 for another Kommune's), asks ``workflow.APPLICATION.check`` (403/409), changes rows, writes an
audit entry and flushes; the request edge commits. Decisions live in ``decisions.py``.
"""

from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError

from ..allocation.services import usable_ceiling_cents
from ..auth.models import Role, User
from ..auth.permissions import ensure_kommune_access, scope_kommune_id
from ..budgets.models import Grant
from ..budgets.services import grant_for_source, proof_of, used_by_line
from ..notifications.services import queue_message
from ..platform import audit, clock, limits
from ..platform.database import lock_for_update
from ..platform.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..platform.extensions import db
from ..reference.models import Programme
from ..reference.services import get_programme
from .content import Content, diff, validate
from .models import (
    OPEN_STATUSES,
    Application,
    ApplicationEvent,
    ApplicationKind,
    ApplicationStatus,
    Decision,
    DecisionOutcome,
    KommuneRate,
    Revision,
    RevisionLine,
    RevisionModule,
)
from .workflow import APPLICATION


# ---------------------------------------------------------------- lookups
def module_codes(programme: Programme) -> list[str]:
    return [m.code for m in programme.kommune_modules]


def funding_rate_bp(programme: Programme, kommune_id: int) -> int:
    """The Kommune's rate: its own (``KommuneRate``) where set, else the programme's."""
    override = db.session.scalar(select(KommuneRate.funding_rate_bp).where(
        KommuneRate.programme_id == programme.id, KommuneRate.kommune_id == kommune_id))
    return override if override is not None else programme.funding_rate_bp


def ceiling_cents(programme_id: int, kommune_id: int, *, lock: bool = False) -> int | None:
    """The ceiling applications and decisions are checked against: published, less any open give-back."""
    return usable_ceiling_cents(programme_id, kommune_id, lock=lock)


def get_application(application_id: int, actor: User, *, lock: bool = False) -> Application:
    """The application, if ``actor`` may see it (another Kommune's answers 404)."""
    statement = select(Application).where(Application.id == application_id)
    if lock:
        statement = lock_for_update(statement).execution_options(populate_existing=True)
    application = db.session.scalar(statement)
    if application is None:
        raise NotFound("Antrag nicht gefunden.")
    ensure_kommune_access(actor, application.kommune_id, "Antrag")
    return application


def application_of_kommune(kommune_id: int, programme: Programme | None = None) -> Application | None:
    programme = programme or get_programme()
    return db.session.scalar(select(Application).where(
        Application.programme_id == programme.id, Application.kommune_id == kommune_id, Application.sequence == 0))


def application_select(actor: User, *, status: str | None = None, kind: str | None = None,
                       kommune_id: int | None = None) -> Select:
    """Applications and amendments the actor may see, filtered; oldest submission first (the queue order)."""
    statement = select(Application).order_by(Application.submitted_at.is_(None), Application.submitted_at,
                                             Application.id)
    scope = scope_kommune_id(actor)
    if scope is not None:
        statement = statement.where(Application.kommune_id == scope)
    if status:
        statement = statement.where(Application.status == ApplicationStatus(status))
    if kind:
        statement = statement.where(Application.kind == ApplicationKind(kind))
    if kommune_id:
        statement = statement.where(Application.kommune_id == kommune_id)
    return statement


def status_counts(programme_id: int) -> dict[ApplicationStatus, int]:
    rows = db.session.execute(select(Application.status, func.count()).where(
        Application.programme_id == programme_id).group_by(Application.status))
    counts = {status: 0 for status in ApplicationStatus}
    counts.update({status: count for status, count in rows})
    return counts


def committed_lines(root: Application) -> dict[tuple[str, int], int]:
    """The approved amounts the budget books against (the one source of truth: ``app.budgets``)."""
    grant = db.session.scalar(select(Grant).where(Grant.source == commitment_source(root)))
    if grant is None:
        return {}
    return {(line.module_code, line.budget_year): line.approved_cents for line in grant.lines if line.approved_cents}


def used_lines(application: Application) -> dict[tuple[str, int], dict[str, int]]:
    """For an amendment: what each committed line already used (paid or drawn, grant share earned), the floor
    below which the line cannot be lowered (``app.budgets.services.used_by_line``); empty otherwise."""
    if application.kind is not ApplicationKind.AMENDMENT:
        return {}
    grant = db.session.scalar(select(Grant).where(Grant.source == commitment_source(application.root)))
    return used_by_line(grant) if grant is not None else {}


def _refuse_amendment_after_proof(root: Application) -> None:
    """The proof of use accounts for the approval as it stands; after it nothing can amend the grant
    (``app.budgets.services.set_commitment`` refuses the change too, this names it to the Kommune earlier)."""
    grant = grant_for_source(commitment_source(root))
    if grant is not None and proof_of(grant) is not None:
        raise Conflict("Der Verwendungsnachweis ist eingereicht: Änderungsanträge sind nicht mehr möglich.")


def commitment_source(root: Application) -> str:
    return f"application:{root.id}"


def current_decision(root: Application) -> Decision | None:
    """The approving decision in force: the latest approval of the application or one of its amendments."""
    return db.session.scalar(
        select(Decision).join(Application, Decision.application_id == Application.id)
        .where((Application.id == root.id) | (Application.parent_id == root.id),
               Decision.outcome == DecisionOutcome.APPROVED)
        .order_by(Decision.id.desc()).limit(1))


def open_amendment(root: Application) -> Application | None:
    return next((a for a in root.amendments if a.status in OPEN_STATUSES), None)


# ---------------------------------------------------------------- content of revisions
def content_of(revision: Revision) -> Content:
    return Content(lines=revision.line_map(), participants=revision.participant_map(), measures=revision.measures,
                   contact_name=revision.contact_name, contact_email=revision.contact_email,
                   contact_phone=revision.contact_phone, justification=revision.justification)


def _write_content(revision: Revision, content: Content) -> None:
    """Replace the working revision's content in place (update, add, delete: no unique-key clashes)."""
    lines = {k: v for k, v in content.lines.items() if v}
    existing = {(line.module_code, line.budget_year): line for line in revision.lines}
    for key, line in existing.items():
        if key in lines:
            line.planned_cents = lines[key]
        else:
            revision.lines.remove(line)
    for key, cents in lines.items():
        if key not in existing:
            revision.lines.append(RevisionLine(module_code=key[0], budget_year=key[1], planned_cents=cents))
    participants = {k: v for k, v in content.participants.items() if v}
    existing_modules = {m.module_code: m for m in revision.modules}
    for code, module in existing_modules.items():
        if code in participants:
            module.planned_participants = participants[code]
        else:
            revision.modules.remove(module)
    for code, count in participants.items():
        if code not in existing_modules:
            revision.modules.append(RevisionModule(module_code=code, planned_participants=count))
    for name in ("measures", "contact_name", "contact_email", "contact_phone", "justification"):
        setattr(revision, name, (getattr(content, name) or "").strip())


def _new_revision(application: Application, actor: User, content: Content) -> Revision:
    number = (application.latest_revision.number + 1) if application.revisions else 1
    revision = Revision(number=number, created_at=clock.now(), created_by_id=actor.id if actor else None,
                        funding_rate_bp=funding_rate_bp(application.programme, application.kommune_id))
    application.revisions.append(revision)
    _write_content(revision, content)
    return revision


def _working_revision(application: Application, actor: User) -> Revision:
    """The editable copy; after a submission a new one starts as a copy of the last submitted revision."""
    if application.working_revision is not None:
        return application.working_revision
    return _new_revision(application, actor, content_of(application.latest_revision))


def _event(application: Application, action: str, before: ApplicationStatus | None, actor: User | None,
           revision: Revision | None = None, comment: str = "") -> None:
    db.session.add(ApplicationEvent(application=application, revision=revision, action=action,
                                    from_status=before.value if before else None, to_status=application.status.value,
                                    comment=comment, actor_id=actor.id if actor else None, created_at=clock.now()))


def snapshot(application: Application) -> dict:
    revision = application.latest_revision
    return {"status": application.status, "kind": application.kind,
            "revision": revision.number if revision else None,
            "total_cents": revision.total_cents if revision else None}


def _audit(action: str, application: Application, before: dict | None, actor: User | None, **extra) -> None:
    after = {**snapshot(application), **extra}
    audit.record(f"grants.application.{action}", "grant_application", application.id, before=before, after=after,
                 actor=actor, kommune_id=application.kommune_id)


def notify_kommune(application: Application, kind: str, subject: str, template: str, **context) -> None:
    """Queue a message for every active user of the application's Kommune."""
    users = db.session.scalars(select(User).where(User.role == Role.KOMMUNE, User.active.is_(True),
                                                  User.kommune_id == application.kommune_id))
    for user in users:
        queue_message(user, kind, template, subject=subject, link=f"/antraege/{application.id}",
                      application=application, **context)


def _notify_admins(application: Application, subject: str) -> None:
    users = db.session.scalars(select(User).where(User.role == Role.PROGRAMME_ADMIN, User.active.is_(True)))
    for user in users:
        queue_message(user, "grants.submitted", "grants/email/submitted.txt", subject=subject,
                      link=f"/antraege/{application.id}/pruefung", application=application)


# ---------------------------------------------------------------- use cases
def create_application(actor: User, programme: Programme | None = None) -> Application:
    """A Kommune user starts its Kommune's application (one per programme) with an empty working copy."""
    if actor.role != Role.KOMMUNE or actor.kommune_id is None:
        raise Forbidden("Nur Kommunen stellen einen Antrag.")
    programme = programme or get_programme()
    existing = application_of_kommune(actor.kommune_id, programme)
    if existing is not None:
        raise Conflict("Für Ihre Kommune besteht bereits ein Antrag in diesem Programm.", application_id=existing.id)
    application = Application(programme=programme, kommune_id=actor.kommune_id, kind=ApplicationKind.APPLICATION,
                              sequence=0, status=ApplicationStatus.DRAFT, created_at=clock.now(),
                              created_by_id=actor.id)
    db.session.add(application)
    _new_revision(application, actor, Content(contact_name=actor.name, contact_email=actor.email))
    _event(application, "create", None, actor)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise Conflict("Für Ihre Kommune besteht bereits ein Antrag in diesem Programm.") from None
    _audit("create", application, None, actor)
    return application


def save_draft(application_id: int, actor: User, content: Content) -> Revision:
    """Replace the working copy's content (draft, or after changes were requested)."""
    application = get_application(application_id, actor, lock=True)
    before = snapshot(application)
    APPLICATION.check(application.status, "edit", actor)
    programme = application.programme
    validate(content, modules=module_codes(programme), years=list(programme.budget_years),
             ceiling_cents=ceiling_cents(programme.id, application.kommune_id), complete=False,
             amendment=application.kind is ApplicationKind.AMENDMENT)
    revision = _working_revision(application, actor)
    revision.funding_rate_bp = funding_rate_bp(programme, application.kommune_id)
    _write_content(revision, content)
    db.session.flush()
    _audit("edit", application, before, actor)
    return revision


def submit(application_id: int, actor: User) -> Revision:
    """Freeze the working copy as a new immutable revision and hand it to the programme administration."""
    application = get_application(application_id, actor, lock=True)
    before = snapshot(application)
    before_status = application.status
    new_status = APPLICATION.check(application.status, "submit", actor)
    if application.kind is ApplicationKind.AMENDMENT:
        _refuse_amendment_after_proof(application.root)
    programme = application.programme
    revision = _working_revision(application, actor)
    validate(content_of(revision), modules=module_codes(programme), years=list(programme.budget_years),
             ceiling_cents=ceiling_cents(programme.id, application.kommune_id, lock=True), complete=True,
             amendment=application.kind is ApplicationKind.AMENDMENT)
    now = clock.now()
    revision.funding_rate_bp = funding_rate_bp(programme, application.kommune_id)
    revision.submitted_at, revision.submitted_by_id = now, actor.id
    application.status, application.submitted_at = new_status, now
    _event(application, "submit", before_status, actor, revision)
    db.session.flush()
    _audit("submit", application, before, actor)
    _notify_admins(application, f"{application.title} eingereicht: {application.kommune.display_name}")
    return revision


def withdraw(application_id: int, actor: User) -> Application:
    application = get_application(application_id, actor, lock=True)
    before, before_status = snapshot(application), application.status
    application.status = APPLICATION.check(application.status, "withdraw", actor)
    _event(application, "withdraw", before_status, actor, application.last_submitted_revision)
    db.session.flush()
    _audit("withdraw", application, before, actor)
    return application


def reapply(application_id: int, actor: User) -> Application:
    """Take up a withdrawn or rejected application (or amendment) again as a draft (issue 21).

    The history stays (events, the rejection decision); the next edit starts a working copy of the last
    content. An amendment only if no other amendment of the same application is open."""
    application = get_application(application_id, actor, lock=True)
    before, before_status = snapshot(application), application.status
    new_status = APPLICATION.check(application.status, "reapply", actor)
    if application.kind is ApplicationKind.AMENDMENT and open_amendment(application.root) is not None:
        raise Conflict("Es ist bereits ein anderer Änderungsantrag offen.")
    application.status, application.submitted_at, application.decided_at = new_status, None, None
    _event(application, "reapply", before_status, actor)
    db.session.flush()
    _audit("reapply", application, before, actor)
    return application


def request_changes(application_id: int, actor: User, comment: str) -> Application:
    """Send the submitted revision back to the Kommune with a comment (required)."""
    application = get_application(application_id, actor, lock=True)
    before, before_status = snapshot(application), application.status
    new_status = APPLICATION.check(application.status, "request_changes", actor)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationFailed.field("comment", "Bitte beschreiben Sie, welche Änderungen nötig sind.")
    if len(comment) > limits.DESCRIPTION:
        raise ValidationFailed.field("comment", f"Höchstens {limits.DESCRIPTION} Zeichen.")
    application.status = new_status
    _event(application, "request_changes", before_status, actor, application.last_submitted_revision, comment)
    db.session.flush()
    _audit("request_changes", application, before, actor, comment=comment)
    notify_kommune(application, "grants.changes_requested", f"{application.title}: Änderungen angefordert",
                   "grants/email/changes_requested.txt", comment=comment)
    return application


def create_amendment(application_id: int, actor: User) -> Application:
    """Start an amendment (Änderungsantrag) of an approved application, prefilled with the committed amounts."""
    root = get_application(application_id, actor, lock=True)
    if actor.role != Role.KOMMUNE:
        raise Forbidden("Nur die Kommune stellt einen Änderungsantrag.")
    if root.kind is not ApplicationKind.APPLICATION or root.status is not ApplicationStatus.APPROVED:
        raise Conflict("Ein Änderungsantrag ist erst nach der Bewilligung des Antrags möglich.",
                       current_status=root.status.value)
    if open_amendment(root) is not None:
        raise Conflict("Es gibt bereits einen offenen Änderungsantrag.", amendment_id=open_amendment(root).id)
    _refuse_amendment_after_proof(root)
    decision = current_decision(root)
    basis = content_of(decision.revision)
    basis.lines = committed_lines(root)
    basis.justification = ""
    sequence = max((a.sequence for a in root.amendments), default=0) + 1
    amendment = Application(programme_id=root.programme_id, kommune_id=root.kommune_id,
                            kind=ApplicationKind.AMENDMENT, parent=root, sequence=sequence,
                            status=ApplicationStatus.DRAFT, created_at=clock.now(), created_by_id=actor.id)
    db.session.add(amendment)
    amendment.programme = root.programme
    _new_revision(amendment, actor, basis)
    _event(amendment, "create", None, actor)
    db.session.flush()
    _audit("create", amendment, None, actor, parent_id=root.id)
    return amendment


def set_kommune_rate(actor: User, kommune_id: int, rate_bp: int | None, note: str = "") -> KommuneRate | None:
    """Set (or with None remove) a Kommune's own funding rate; used by revisions written afterwards."""
    programme = get_programme()
    if rate_bp is not None and not 1 <= rate_bp <= 10000:
        raise ValidationFailed.field("funding_rate_bp", "Die Förderquote muss zwischen 0,01 % und 100 % liegen.")
    rate = db.session.scalar(lock_for_update(select(KommuneRate).where(
        KommuneRate.programme_id == programme.id, KommuneRate.kommune_id == kommune_id)))
    before = {"funding_rate_bp": rate.funding_rate_bp} if rate else None
    if rate_bp is None:
        if rate is not None:
            db.session.delete(rate)
        rate = None
    elif rate is None:
        rate = KommuneRate(programme_id=programme.id, kommune_id=kommune_id, funding_rate_bp=rate_bp, note=note)
        db.session.add(rate)
    else:
        rate.funding_rate_bp, rate.note = rate_bp, note
    db.session.flush()
    audit.record("grants.rate.set", "kommune_rate", kommune_id, before=before,
                 after={"funding_rate_bp": rate_bp, "note": note}, actor=actor, kommune_id=kommune_id)
    return rate


# ---------------------------------------------------------------- review
def revision_by_number(application: Application, number: int) -> Revision:
    revision = next((r for r in application.revisions if r.number == number), None)
    if revision is None:
        raise NotFound("Revision nicht gefunden.")
    return revision


def review_diff(application: Application, *, new_number: int | None = None, old_number: int | None = None):
    """(old label, new label, rows): by default the last submitted revision against the one before it;
    an amendment's first revision is compared with the decision in force."""
    programme = application.programme
    new = revision_by_number(application, new_number) if new_number else (
        application.last_submitted_revision or application.latest_revision)
    if old_number:
        old_revision = revision_by_number(application, old_number)
        old_label, old = f"Revision {old_revision.number}", content_of(old_revision)
    else:
        earlier = [r for r in application.submitted_revisions if r.number < new.number]
        if earlier:
            old_label, old = f"Revision {earlier[-1].number}", content_of(earlier[-1])
        elif application.kind is ApplicationKind.AMENDMENT and current_decision(application.root) is not None:
            decision = current_decision(application.root)
            old = content_of(decision.revision)
            old.lines = decision.line_map()
            old.justification = ""
            old_label = f"Bewilligt ({decision.number})"
        else:
            old_label, old = "leer", None
    rows = diff(old, content_of(new), modules=module_codes(programme), years=list(programme.budget_years))
    return old_label, f"Revision {new.number}", rows
