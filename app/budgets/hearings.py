"""Anhörung (§ 28 VwVfG): the recipient is heard before a final decision that takes money back.

When the proof-of-use review would lead to a reclaim (``settlement.intended_outcome(...).takes_money_back``:
paid more than the final grant, or § 49a Abs. 4 interest), the programme administration opens a hearing
with the intended figures (per module, final grant, reclaim, interest basis) and a deadline for comments
(programme setting ``hearing_days``, default 14 calendar days from the settable clock; the deadline day
counts). The recipient may comment in writing until the deadline. ``settlement.decide_final`` is refused
(409) until the comment is in or the deadline has passed, and only on the figures that were heard.

Decisions (docs/documents.md "Anhörung"):
* Any change of the heard calculation (another ineligible expense, a reversal, a payment) makes the hearing
  stale: the final decision is refused and a new hearing must be opened, which supersedes the old one (both
  kept). Also a change in the recipient's favour: the decision must rest on the facts it was heard on, and
  telling apart favourable and unfavourable changes per module would be a second rule to get wrong.
* The § 49a Abs. 4 interest grows day by day; the hearing states its basis and the amount on the day of the
  hearing, and is not stale because the decision day is later.
* The comment is text only (up to 20.000 characters); documents can be sent to the contact by mail, the
  service has no general attachment store for proofs of use.
"""

from __future__ import annotations

import enum
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext
from sqlalchemy import JSON, BigInteger, CheckConstraint, Date, ForeignKey, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import Role, User
from ..platform import audit, clock
from ..platform.database import UTCDateTime, db_enum
from ..platform.errors import Conflict, NotFound, ValidationFailed
from ..platform.events import emit
from ..platform.extensions import db
from ..platform.money import format_eur
from ..platform.workflow import Workflow
from .models import Grant, ProofOfUse, ProofStatus
from .notices import SETTLEMENT, tell_recipient
from .services import ensure_grant_access, proof_of
from .settlement import Outcome, intended_outcome

DEFAULT_HEARING_DAYS = 14
COMMENT_MAX = 20000


class HearingStatus(enum.StrEnum):
    OPEN = "open"  # waiting for a comment until the deadline (after it: expired, see ``Hearing.expired``)
    COMMENTED = "commented"
    SUPERSEDED = "superseded"  # the figures changed; a new hearing replaced it
    CONCLUDED = "concluded"  # the final decision was taken on its figures

    @property
    def label(self) -> str:
        return str(HEARING_STATUS_LABELS[self])


HEARING_STATUS_LABELS = {HearingStatus.OPEN: lazy_gettext("Frist zur Stellungnahme läuft"),
                         HearingStatus.COMMENTED: lazy_gettext("Stellungnahme eingegangen"),
                         HearingStatus.SUPERSEDED: lazy_gettext("durch neue Anhörung ersetzt"),
                         HearingStatus.CONCLUDED: lazy_gettext("abgeschlossen (Schlussbescheid erlassen)")}


class Hearing(db.Model):
    """One Anhörung on the intended final decision of a proof of use, with the figures it states."""

    __tablename__ = "hearings"
    __table_args__ = (CheckConstraint("principal_cents >= 0", name="principal_nonneg"),
                      CheckConstraint("(comment IS NULL) = (commented_at IS NULL)", name="comment_state"))

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("grants.id", ondelete="CASCADE"), index=True)
    proof_id: Mapped[int] = mapped_column(ForeignKey("proofs_of_use.id", ondelete="CASCADE"), index=True)
    status: Mapped[HearingStatus] = mapped_column(db_enum(HearingStatus, length=20))
    lines: Mapped[list] = mapped_column(JSON)  # ModuleSettlement.as_dict() per module, as heard
    final_grant_cents: Mapped[int] = mapped_column(BigInteger)
    paid_cents: Mapped[int] = mapped_column(BigInteger)
    principal_cents: Mapped[int] = mapped_column(BigInteger)
    unused_interest_points: Mapped[str | None] = mapped_column(String(10))
    unused_interest_cents: Mapped[int] = mapped_column(BigInteger)  # § 49a Abs. 4 up to the hearing day
    deadline: Mapped[date] = mapped_column(Date)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    comment: Mapped[str | None] = mapped_column(Text)
    commented_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    commented_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    grant: Mapped[Grant] = relationship()
    proof: Mapped[ProofOfUse] = relationship()
    commented_by: Mapped[User | None] = relationship(foreign_keys=[commented_by_id])

    @property
    def opened_on(self) -> date:
        return self.opened_at.astimezone(clock.BERLIN).date()

    @property
    def expired(self) -> bool:
        """The deadline has passed without a comment (the deadline day itself still counts)."""
        return self.status == HearingStatus.OPEN and clock.today() > self.deadline

    @property
    def comment_possible(self) -> bool:
        return self.status == HearingStatus.OPEN and not self.expired


_ADMIN, _RECIPIENTS = frozenset({Role.PROGRAMME_ADMIN}), frozenset({Role.KOMMUNE, Role.ORGANISATION})
# (status of the grant's current hearing, action) -> (new status, roles); None: no current hearing.
HEARING_TRANSITIONS: dict[tuple[HearingStatus | None, str], tuple[HearingStatus, frozenset[Role]]] = {
    (None, "open"): (HearingStatus.OPEN, _ADMIN),
    (HearingStatus.OPEN, "comment"): (HearingStatus.COMMENTED, _RECIPIENTS),
    (HearingStatus.OPEN, "supersede"): (HearingStatus.SUPERSEDED, _ADMIN),
    (HearingStatus.COMMENTED, "supersede"): (HearingStatus.SUPERSEDED, _ADMIN),
    (HearingStatus.OPEN, "conclude"): (HearingStatus.CONCLUDED, _ADMIN),  # only once the deadline has passed
    (HearingStatus.COMMENTED, "conclude"): (HearingStatus.CONCLUDED, _ADMIN),
}
HEARING = Workflow("hearing", HEARING_TRANSITIONS, labels={
    "open": "Anhörung einleiten", "comment": "Stellung nehmen", "supersede": "Anhörung ersetzen",
    "conclude": "Anhörung abschließen"}, none_label="keine Anhörung")


def hearing_days(grant: Grant) -> int:
    """The comment period in calendar days (programme setting ``hearing_days``)."""
    return int((grant.programme.settings or {}).get("hearing_days", DEFAULT_HEARING_DAYS))


def hearings_of(proof: ProofOfUse | None) -> list[Hearing]:
    """All hearings on a proof of use, newest first (superseded ones included)."""
    if proof is None:
        return []
    return list(db.session.scalars(select(Hearing).where(Hearing.proof_id == proof.id).order_by(Hearing.id.desc())))


def current_hearing(proof: ProofOfUse | None) -> Hearing | None:
    """The hearing the final decision rests on: the newest one not superseded."""
    return next((h for h in hearings_of(proof) if h.status != HearingStatus.SUPERSEDED), None)


def heard_on(hearing: Hearing, outcome: Outcome) -> bool:
    """Whether ``outcome`` is what the recipient was heard on (per module figures and the reclaim)."""
    return hearing.lines == [module.as_dict() for module in outcome.modules] \
        and hearing.principal_cents == outcome.principal


def get_hearing(actor, hearing_id: int) -> Hearing:
    hearing = db.session.get(Hearing, hearing_id)
    if hearing is None:
        raise NotFound("Anhörung nicht gefunden.")
    ensure_grant_access(actor, hearing.grant)
    return hearing


def open_hearing(grant: Grant, *, actor) -> Hearing:
    """Hear the recipient on the intended final decision; a stale current hearing is superseded."""
    ensure_grant_access(actor, grant)
    proof = proof_of(grant)
    current = current_hearing(proof)
    HEARING.check(current.status if current else None, "supersede" if current else "open", actor)
    if proof is None or proof.status != ProofStatus.SUBMITTED:
        raise Conflict("Eine Anhörung ist nur zu einem eingereichten, noch nicht beschiedenen "
                       "Verwendungsnachweis möglich.")
    outcome = intended_outcome(grant)
    if not outcome.takes_money_back:
        raise Conflict("Der Schlussbescheid würde nichts zurückfordern; eine Anhörung ist nicht nötig.")
    if current is not None:
        if heard_on(current, outcome):
            raise Conflict(f"Zu diesen Zahlen wurde bereits am {current.opened_on:%d.%m.%Y} eine Anhörung "
                           f"eingeleitet (Frist bis {current.deadline:%d.%m.%Y}).")
        current.status, current.closed_at = HearingStatus.SUPERSEDED, clock.now()
        audit.record("hearing.supersede", "hearing", current.id, after={"status": current.status},
                     actor=actor, kommune_id=grant.kommune_id)
    hearing = Hearing(grant_id=grant.id, proof_id=proof.id, status=HearingStatus.OPEN,
                      lines=[module.as_dict() for module in outcome.modules], final_grant_cents=outcome.final,
                      paid_cents=outcome.paid, principal_cents=outcome.principal,
                      unused_interest_points=outcome.unused_points, unused_interest_cents=outcome.unused_cents,
                      deadline=clock.today() + timedelta(days=hearing_days(grant)), opened_at=clock.now(),
                      opened_by_id=actor.id)
    db.session.add(hearing)
    db.session.flush()
    audit.record("hearing.open", "hearing", hearing.id, actor=actor, kommune_id=grant.kommune_id,
                 after={"final_grant_cents": outcome.final, "paid_cents": outcome.paid,
                        "principal_cents": outcome.principal, "unused_interest_cents": outcome.unused_cents,
                        "deadline": hearing.deadline.isoformat(),
                        "replaces": current.id if current is not None else None})
    tell_recipient(grant, SETTLEMENT, subject=f"Anhörung vor dem Schlussbescheid zur Zuwendung {grant.reference}",
                   lines=[f"vor dem Schlussbescheid zur Zuwendung {grant.reference} erhalten Sie Gelegenheit zur "
                          f"Stellungnahme (§ 28 VwVfG): Die Zuwendung soll auf {format_eur(outcome.final)} "
                          f"festgesetzt und {format_eur(outcome.principal)} zurückgefordert werden.",
                          f"Ihre Stellungnahme können Sie bis zum {hearing.deadline:%d.%m.%Y} auf der Seite der "
                          "Anhörung abgeben."],
                   link=f"/budgets/anhoerungen/{hearing.id}", dedup_key=f"budgets.hearing:{hearing.id}")
    emit("hearing.open", hearing=hearing, actor=actor)  # the Anhörung letter (app.documents.hooks)
    return hearing


def submit_comment(hearing: Hearing, *, comment: str, actor) -> Hearing:
    """The recipient's written comment, accepted until the end of the deadline day."""
    ensure_grant_access(actor, hearing.grant)
    new_status = HEARING.check(hearing.status, "comment", actor)
    if hearing.expired:
        raise Conflict(f"Die Frist zur Stellungnahme ist am {hearing.deadline:%d.%m.%Y} abgelaufen.")
    comment = (comment or "").strip()
    if not comment:
        raise ValidationFailed.field("comment", "Bitte die Stellungnahme eingeben.")
    if len(comment) > COMMENT_MAX:
        raise ValidationFailed.field("comment", "Die Stellungnahme ist zu lang (höchstens 20.000 Zeichen).")
    hearing.status, hearing.comment = new_status, comment
    hearing.commented_at, hearing.commented_by_id = clock.now(), actor.id
    db.session.flush()
    audit.record("hearing.comment", "hearing", hearing.id, after={"characters": len(comment)}, actor=actor,
                 kommune_id=hearing.grant.kommune_id)
    return hearing


def conclude_hearing(grant: Grant, proof: ProofOfUse, outcome: Outcome, *, actor) -> Hearing:
    """Called by ``settlement.decide_final`` for a reclaim: 409 unless heard on ``outcome`` and comment/expiry."""
    hearing = current_hearing(proof)
    if hearing is None:
        raise Conflict("Vor einem Schlussbescheid, der Geld zurückfordert, ist die Kommune bzw. der Träger "
                       "anzuhören (§ 28 VwVfG): bitte zuerst die Anhörung einleiten.")
    if not heard_on(hearing, outcome):
        raise Conflict(f"Die Berechnung hat sich seit der Anhörung vom {hearing.opened_on:%d.%m.%Y} geändert; "
                       "bitte erneut anhören.")
    if hearing.status == HearingStatus.OPEN and not hearing.expired:
        raise Conflict(f"Die Frist zur Stellungnahme läuft bis zum {hearing.deadline:%d.%m.%Y}; der Schlussbescheid "
                       "kann erst nach der Stellungnahme oder nach Fristablauf ergehen.")
    hearing.status = HEARING.check(hearing.status, "conclude", actor)
    hearing.closed_at = clock.now()
    db.session.flush()
    audit.record("hearing.conclude", "hearing", hearing.id, actor=actor, kommune_id=grant.kommune_id,
                 after={"commented": hearing.comment is not None, "proof": proof.id})
    return hearing
