"""Innovationsfonds use cases, part 3: aggregates, ranking, the two selection proposals, the
Steuerkreis decision (staged), its batch release through the outbox, the waiting list and the
promotion after a withdrawal, and the statistics of a call.

* Proposals come from the pure core (``core.funding.funding_line`` with the call's mode, and the exact
  ``core.funding.max_score``), over the eligible sketches, honouring the call's minimum score and group
  minimums ("region:<Regierungsbezirk>", "target:<primary|secondary>").
* ``record_decision`` stages the outcome of every sketch (selected / waiting / rejected) and renders
  one German message per sketch into the outbox (``StagedMessage``); nothing is visible to
  applicants. Every deviation from the proposal it is based on needs its own written reason.
* ``release`` fires the status transitions and queues all messages in one transaction.
* A selected project leaving after the release (withdrawn by its organisation, or its full application
  rejected): ``core.funding.promote`` moves the next fitting sketch(es) of the waiting list up (mode of the
  call's funding line; ``skip`` for max-score calls, so the freed money is used); the promoted
  organisation's message is queued at once and recorded in the outbox as released.
* Every invited sketch carries its own full-application deadline (``Sketch.full_application_deadline``):
  the call's for the batch, ``Call.promotion_deadline`` (at least N days after the promotion) for a
  promoted sketch, so a promotion after the call's deadline still leaves time to apply.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from flask import render_template
from flask_babel import lazy_gettext
from sqlalchemy import and_, case, func, select, tuple_
from sqlalchemy.orm import selectinload

from ..auth.models import User
from ..notifications.kinds import declare_kind
from ..notifications.services import queue_message, users_with_role
from ..platform import clock
from ..platform.errors import Conflict, ValidationFailed
from ..platform.events import emit
from ..platform.extensions import db
from ..platform.formatting import format_datetime, format_decimal
from ..platform.money import format_eur
from ..reference.models import Kommune
from . import stored_aggregates
from .access import get_call, notify_admins, record
from .core.comparison import Comparison, compare
from .core.funding import SKIP_REASON_TEXT, GroupMinimumError, Selection, funding_line, max_score, promote, waiting_list
from .core.knapsack import SelectionTooLargeError
from .core.ranking import Ranked, RankItem, rank
from .core.scoring import Aggregate, aggregate
from .models import (
    PASSED_ELIGIBILITY,
    Assignment,
    Call,
    Review,
    SelectionRule,
    Sketch,
    SketchStatus,
    StagedMessage,
    points,
)
from .workflow import SKETCH

DECISION_KIND = declare_kind(
    "innovationsfonds.decision", lazy_gettext("Innovationsfonds: Auswahl und Bescheide"), roles={"organisation"},
    mandatory=True,
    description=lazy_gettext("Auswahlentscheidung, Einladung zum Vollantrag, Nachrücken, Bescheid."))
MAX_STATES = 3_000_000
SUBJECTS = {
    "selected": "Innovationsfonds: Ihre Projektskizze wurde ausgewählt",
    "waiting": "Innovationsfonds: Ihre Projektskizze steht auf der Warteliste",
    "rejected": "Innovationsfonds: Ihre Projektskizze wurde nicht ausgewählt",
    "ineligible": "Innovationsfonds: Ihre Projektskizze ist nicht förderfähig",
    "promoted": "Innovationsfonds: Ihre Projektskizze ist nachgerückt und ausgewählt",
}


# ---------------------------------------------------------------------------------------- ranking


def aggregates(call: Call) -> dict[int, Aggregate]:
    """The stored aggregate per sketch of the call (``stored_aggregates``), from one query of plain rows."""
    empty = aggregate([], call.threshold_points)
    rows = db.session.execute(select(Sketch.id, *STORED).where(Sketch.call_id == call.id))
    return defaultdict(lambda: empty, {sketch_id: stored_aggregates.figures(*figures, call.discrepancy_threshold)
                                       for sketch_id, *figures in rows})


STORED = tuple(getattr(Sketch, name) for name in stored_aggregates.COLUMNS)


def _groups(target_group: str, region: str | None) -> frozenset[str]:
    return frozenset({f"target:{target_group}"} | ({f"region:{region}"} if region is not None else set()))


def ranked_sketches(call: Call, statuses=PASSED_ELIGIBILITY,
                    extra: tuple[Sketch, ...] = ()) -> tuple[list[Ranked], dict, dict]:
    """(ranked, sketches by id string, aggregates) over the call's sketches in ``statuses``: one query of the
    sketches with their Regierungsbezirk (the groups); the aggregates are the stored ones."""
    rows = db.session.execute(
        select(Sketch, Kommune.regierungsbezirk).outerjoin(Kommune, Sketch.kommune_id == Kommune.id)
        .where(Sketch.call_id == call.id, Sketch.status.in_(statuses)).order_by(Sketch.id)).all()
    pairs = [(sketch, region) for sketch, region in rows] + [
        (sketch, sketch.kommune.regierungsbezirk if sketch.kommune is not None else None) for sketch in extra]
    aggs = {sketch.id: stored_aggregates.of(sketch, call.discrepancy_threshold) for sketch, _region in pairs}
    items = [RankItem.from_aggregate(str(s.id), aggs[s.id], max(s.requested_cents, 1), s.submission_seq or 0,
                                     _groups(s.target_group, region)) for s, region in pairs]
    return rank(items), {str(s.id): s for s, _region in pairs}, aggs


def position_of(sketch: Sketch) -> int:
    """The rank of one sketch among its call's ranked sketches (those past eligibility), 0 when it is not ranked:
    one COUNT of the sketches whose ranking key (``core.ranking``'s, on the stored columns) is smaller."""
    if sketch.status not in PASSED_ELIGIBILITY:
        return 0
    key = (case((Sketch.score_mean.is_(None), 1), else_=0), -func.coalesce(Sketch.score_mean, 0),
           case((Sketch.score_median.is_(None), 1), else_=0), -func.coalesce(Sketch.score_median, 0),
           case((Sketch.requested_cents < 1, 1), else_=Sketch.requested_cents), func.coalesce(Sketch.submission_seq, 0),
           Sketch.id)
    own = db.session.execute(select(*key).where(Sketch.id == sketch.id)).one()
    before = db.session.scalar(select(func.count()).select_from(Sketch).where(
        Sketch.call_id == sketch.call_id, Sketch.status.in_(PASSED_ELIGIBILITY), tuple_(*key) < tuple_(*own)))
    return before + 1


def _mode(call: Call) -> str:
    return "skip" if call.selection_rule is SelectionRule.FUNDING_LINE_SKIP else "stop"


def proposal(call: Call, ranked: list[Ranked], basis: str) -> Selection:
    """One proposal: ``funding_line_stop``, ``funding_line_skip`` or ``max_score`` (GroupMinimumError may rise)."""
    common = {"min_score": call.min_score_points, "group_minimums": call.group_minimums or None}
    if basis == "max_score":
        return max_score(ranked, call.budget_cents, max_states=MAX_STATES, **common)
    return funding_line(ranked, call.budget_cents, mode="skip" if basis == "funding_line_skip" else "stop", **common)


@dataclass
class Ranking:
    """The ranked sketches of a call (past eligibility) with the sketches by id string and their aggregates."""

    ranked: list[Ranked]
    sketches: dict[str, Sketch]
    aggregates: dict


def ranking(call: Call) -> Ranking:
    """The ranking page's and export's figures: the ranking alone, without the two proposals."""
    return Ranking(*ranked_sketches(call))


@dataclass
class Proposals(Ranking):
    line: Selection | None
    best: Selection | None
    comparison: Comparison | None
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def line_basis(self) -> str:
        return self.line.method if self.line else ""


def proposals(call: Call) -> Proposals:
    """Both proposals side by side: the funding line (the call's mode) and the maximum total score."""
    ranked, sketches, aggs = ranked_sketches(call)
    errors: dict[str, str] = {}
    line = best = None
    try:
        line = proposal(call, ranked, f"funding_line_{_mode(call)}")
    except GroupMinimumError as exc:
        errors["funding_line"] = str(exc)
    try:
        best = proposal(call, ranked, "max_score")
    except (GroupMinimumError, SelectionTooLargeError) as exc:
        errors["max_score"] = str(exc)
    comparison = compare(line, best, lambda i: sketches[i].reference) if line and best else None
    return Proposals(ranked, sketches, aggs, line, best, comparison, errors)


# ---------------------------------------------------------------------------------------- decision


def _pending_reviews(call: Call) -> int:
    """Assignments of eligible sketches without a submitted review (one query)."""
    submitted = and_(Review.sketch_id == Assignment.sketch_id, Review.reviewer_id == Assignment.reviewer_id,
                     Review.submitted_at.is_not(None))
    return db.session.scalar(select(func.count()).select_from(Assignment).join(Sketch).outerjoin(Review, submitted)
                             .where(Sketch.call_id == call.id, Sketch.status == SketchStatus.ELIGIBLE,
                                    Review.id.is_(None)))


def _render(kind: str, sketch: Sketch, call: Call, **context) -> str:
    return render_template("emails/innovationsfonds_decision.txt", kind=kind, sketch=sketch, call=call,
                           score_text=format_decimal, format_eur=format_eur, **context)


def _stage_message(call: Call, sketch: Sketch, kind: str, *, released: bool = False, **context) -> StagedMessage:
    message = StagedMessage(call_id=call.id, sketch_id=sketch.id, kind=kind, subject=SUBJECTS[kind],
                            body=_render(kind, sketch, call, **context), created_at=clock.now())
    db.session.add(message)
    db.session.flush()
    if released:
        _send(message, sketch)
    return message


def _send(message: StagedMessage, sketch: Sketch) -> None:
    recipients = users_with_role("organisation", organisation_id=sketch.organisation_id)
    for user in recipients:
        queue_message(user, DECISION_KIND, "emails/innovationsfonds_message.txt", subject=message.subject,
                      link=f"/innovationsfonds/skizzen/{sketch.id}", dedup_key=f"if.message:{message.id}:u{user.id}",
                      body=message.body)
    message.released_at, message.recipients = clock.now(), len(recipients)
    emit("if.selection_message", message=message)  # the decision letter as PDF (app.documents.hooks)


def record_decision(call_id: int, actor: User, *, basis: str, selected: list[int], reasons: dict[int, str],
                    note: str = "", rejected: list[int] = ()) -> dict:
    """Stage the Steuerkreis decision; every deviation from the ``basis`` proposal needs a reason.

    A left-out sketch named in ``rejected`` is rejected (with a reason if it would otherwise wait); every
    other left-out sketch at or above the minimum score is waiting-listed in the order of the ranking."""
    call = get_call(call_id, lock=True)
    if call.released_at is not None:
        raise Conflict("Die Entscheidung zu diesem Aufruf ist bereits freigegeben.")
    if call.closed_at is None:
        raise Conflict("Die Einreichungsfrist ist noch nicht geschlossen.")
    if basis not in {r.value for r in SelectionRule}:
        raise ValidationFailed.field("basis", "Unbekannter Auswahlvorschlag.")
    pending = _pending_reviews(call)
    if pending:
        raise Conflict(f"Es fehlen noch {pending} Gutachten; die Auswahl ist erst danach möglich.")
    ranked, sketches, aggs = ranked_sketches(call, (SketchStatus.ELIGIBLE,))
    try:
        proposed = proposal(call, ranked, basis)
    except (GroupMinimumError, SelectionTooLargeError) as exc:
        raise ValidationFailed.field("basis", str(exc)) from None
    errors: dict[str, list[str]] = {}
    chosen = {str(i) for i in selected}
    if len(chosen) != len(selected):
        errors["selected"] = ["Eine Skizze ist doppelt genannt."]
    unknown = sorted(chosen - set(sketches), key=int)
    if unknown:
        errors.setdefault("selected", []).append(
            f"Nicht förderfähig oder nicht in diesem Aufruf: {', '.join(unknown)}.")
    unscored = [i for i in sorted(chosen & set(sketches), key=int) if aggs[int(i)].mean is None]
    if unscored:
        errors.setdefault("selected", []).append(f"Ohne Bewertung: {', '.join(unscored)}.")
    by_id = {r.id: r for r in ranked}
    total = sum(by_id[i].requested_cents for i in chosen if i in by_id)
    if total > call.budget_cents:
        errors.setdefault("selected", []).append(
            f"Die Auswahl ({format_eur(total)}) übersteigt das Budget ({format_eur(call.budget_cents)}).")
    refused = {str(i) for i in rejected}
    if refused - set(sketches):
        errors["rejected"] = [f"Nicht förderfähig oder nicht in diesem Aufruf: "
                              f"{', '.join(sorted(refused - set(sketches), key=int))}."]
    if refused & chosen:
        errors.setdefault("rejected", []).append(
            "Ausgewählt und abgelehnt zugleich: " + ", ".join(sketches[i].reference for i in
                                                             sorted(refused & chosen & set(sketches), key=int))
            + ".")
    reasons = {str(k): (v or "").strip() for k, v in reasons.items()}
    deviations = sorted((chosen ^ proposed.selected_set) & set(sketches), key=int)
    for sketch_id in deviations:
        if not reasons.get(sketch_id):
            verb = "abweichend ausgewählt" if sketch_id in chosen else "abweichend nicht ausgewählt"
            errors[f"reasons.{sketch_id}"] = [f"Skizze {sketches[sketch_id].reference} ist {verb}: bitte begründen."]
    ordered = tuple(r.id for r in ranked if r.id in chosen)
    decided = Selection("steuerkreis", ordered, total, sum((by_id[i].score for i in ordered), Decimal("0.00")), (),
                        call.budget_cents, call.budget_cents - total, call.min_score_points)
    would_wait = [r.id for r in waiting_list(ranked, decided)]
    for sketch_id in sorted(refused & set(would_wait) - set(deviations), key=int):
        if not reasons.get(sketch_id):
            errors[f"reasons.{sketch_id}"] = [f"Skizze {sketches[sketch_id].reference} käme auf die Warteliste und "
                                              "wird abgelehnt: bitte begründen."]
    if errors:
        raise ValidationFailed("Die Entscheidung ist unvollständig oder unzulässig.", errors=errors)

    discard_staged(call)
    waiting = [i for i in would_wait if i not in refused]
    beyond = set(waiting[call.waiting_list_limit:]) if call.waiting_list_limit is not None else set()
    waiting = [i for i in waiting if i not in beyond]
    skip_reasons = {s.id: s.reason for s in proposed.skipped}
    for sketch_id, sketch in sketches.items():
        if sketch_id in chosen:
            sketch.staged_outcome, sketch.staged_reason = "selected", reasons.get(sketch_id, "")
            sketch.full_application_deadline = call.full_application_deadline  # named in the staged invitation
        elif sketch_id in waiting:
            sketch.staged_outcome, sketch.staged_reason = "waiting", reasons.get(sketch_id, "")
            sketch.waiting_position = waiting.index(sketch_id) + 1
        else:
            sketch.staged_outcome = "rejected"
            sketch.staged_reason = reasons.get(sketch_id) or (
                WAITING_LIST_FULL.format(places=call.waiting_list_limit) if sketch_id in beyond
                else SKIP_REASON_TEXT.get(skip_reasons.get(sketch_id, "not_optimal"), ""))
    call.decision_basis, call.decision_note = basis, (note or "").strip()[:20000]
    call.decision_staged_at = clock.now()
    db.session.flush()
    scores: dict[int, list[Decimal]] = defaultdict(list)  # every sketch's scores in one query, in review order
    for sketch_id, score in db.session.execute(select(Review.sketch_id, Review.score).join(Sketch).where(
            Sketch.call_id == call.id, Review.submitted_at.is_not(None)).order_by(Review.id)):
        scores[sketch_id].append(points(score))
    for r in ranked:
        sketch = sketches[r.id]
        _stage_message(call, sketch, sketch.staged_outcome, aggregate=aggs[sketch.id], position=r.position,
                       scores=scores[sketch.id])
    for sketch in call.sketches:
        if sketch.status is SketchStatus.INELIGIBLE:
            _stage_message(call, sketch, "ineligible")
    summary = {"basis": basis, "selected": [int(i) for i in ordered], "total_cents": total,
               "waiting": [int(i) for i in waiting], "rejected": sorted(int(i) for i in refused & set(sketches)),
               "deviations": {i: reasons[i] for i in deviations}}
    record("decision.stage", "if_call", call.id, actor, after=summary)
    return summary


def discard_staged(call: Call) -> None:
    """Drop a staged (unreleased) decision and its outbox before a new one is staged."""
    for message in db.session.scalars(select(StagedMessage).where(StagedMessage.call_id == call.id,
                                                                 StagedMessage.released_at.is_(None))):
        db.session.delete(message)
    for sketch in call.sketches:
        sketch.staged_outcome, sketch.staged_reason, sketch.waiting_position = None, "", None
        sketch.full_application_deadline = None
    call.decision_staged_at, call.decision_review = None, ""
    db.session.flush()


def amend_staged(call: Call, sketch: Sketch, actor: User, *, change: str) -> None:
    """Keep a staged decision when ``sketch`` is withdrawn or its eligibility changes before the release.

    The sketch's own outcome and message go (a withdrawn sketch is told nothing more); a waiting list it
    leaves closes up and its messages are rendered again. When a selected sketch leaves or the pool
    changes (eligibility), the decision is marked "needs review" (``Call.decision_review``): the previous
    choices and reasons stay and prefill the selection page, the release waits until it is staged again.
    The administrators are told in every case."""
    outcome = sketch.staged_outcome
    for message in db.session.scalars(select(StagedMessage).where(StagedMessage.sketch_id == sketch.id,
                                                                 StagedMessage.released_at.is_(None))):
        db.session.delete(message)
    sketch.staged_outcome, sketch.staged_reason, sketch.waiting_position = None, "", None
    sketch.full_application_deadline = None
    if outcome == "waiting":
        _close_up_waiting_list(call)
    what = {"withdrawal": f"{sketch.reference} „{sketch.title}“ wurde zurückgezogen",
            "eligibility": f"Die Förderfähigkeit von {sketch.reference} „{sketch.title}“ wurde geändert"}[change]
    if outcome == "selected" or change == "eligibility":
        call.decision_review = (f"{what} ({format_datetime(clock.now())} Uhr). Bitte prüfen Sie die vorgemerkte "
                                "Auswahl und merken Sie sie erneut vor; die bisherige Auswahl und die Begründungen "
                                "sind vorausgefüllt.")
        consequence = "Die vorgemerkte Entscheidung muss überprüft und erneut vorgemerkt werden."
    else:
        consequence = "Die vorgemerkte Entscheidung bleibt bestehen" + (
            "; die Warteliste rückt auf." if outcome == "waiting" else ".")
    db.session.flush()
    record("decision.amend", "if_call", call.id, actor, after={"sketch_id": sketch.id, "change": change,
                                                               "staged_outcome": outcome,
                                                               "needs_review": bool(call.decision_review)})
    notify_admins(f"Innovationsfonds: vorgemerkte Entscheidung zu „{call.title}“ geändert", f"{what}. {consequence}",
                  link=f"/innovationsfonds/aufrufe/{call.id}/auswahl",
                  dedup_key=f"if.amend:{call.id}:{sketch.id}:{change}:{clock.now().isoformat()}")


def _close_up_waiting_list(call: Call) -> None:
    """Number the staged waiting list 1, 2, ... again and render its unreleased messages anew."""
    waiting_sketches = sorted((s for s in call.sketches if s.staged_outcome == "waiting"),
                              key=lambda s: s.waiting_position or 0)
    for position, sketch in enumerate(waiting_sketches, start=1):
        sketch.waiting_position = position
    by_sketch = {s.id: s for s in waiting_sketches}
    for message in db.session.scalars(select(StagedMessage).where(StagedMessage.call_id == call.id,
                                                                 StagedMessage.kind == "waiting",
                                                                 StagedMessage.released_at.is_(None))):
        if message.sketch_id in by_sketch:
            message.body = _render("waiting", by_sketch[message.sketch_id], call)


def outbox(call: Call) -> list[StagedMessage]:
    """The call's staged and released messages with their sketches (one query for all, not one per message)."""
    return list(db.session.scalars(select(StagedMessage).where(StagedMessage.call_id == call.id)
                                   .options(selectinload(StagedMessage.sketch)).order_by(StagedMessage.id)))


WAITING_LIST_FULL = ("Die Warteliste dieses Aufrufs ist auf {places} Plätze begrenzt; die Skizze liegt in der "
                     "Rangfolge dahinter.")
ACTION_OF_OUTCOME = {"selected": "select", "waiting": "wait", "rejected": "reject"}


def release(call_id: int, actor: User) -> dict:
    """Release the staged decision in one batch: transitions, then every outbox message is queued."""
    call = get_call(call_id, lock=True)
    if call.released_at is not None:
        raise Conflict("Die Entscheidung ist bereits freigegeben.")
    if call.decision_staged_at is None:
        raise Conflict("Es ist keine Entscheidung vorgemerkt.")
    if call.decision_review:
        raise Conflict(f"Die vorgemerkte Entscheidung muss überprüft werden: {call.decision_review}")
    now = clock.now()
    counts: dict[str, int] = defaultdict(int)
    for sketch in call.sketches:
        if sketch.staged_outcome is None:
            continue
        sketch.status = SKETCH.check(sketch.status, ACTION_OF_OUTCOME[sketch.staged_outcome], actor)
        sketch.decided_at, sketch.decision_reason = now, sketch.staged_reason
        counts[sketch.staged_outcome] += 1
    sent = 0
    for message in outbox(call):
        if message.released_at is None:
            _send(message, message.sketch)
            sent += message.recipients
    call.released_at = now
    db.session.flush()
    summary = {**counts, "messages": sent}
    record("decision.release", "if_call", call.id, actor, after=summary)
    return summary


def promote_after_leaving(call: Call, gone: Sketch, actor: User, *, cause: str) -> list[Sketch]:
    """Move waiting sketches up into the money a selected project freed when it left the selection.

    ``gone`` has already left (status ``withdrawn`` or ``rejected``); ``cause`` ("withdrawal" or
    "rejection" of its full application) only changes the wording: the promoted organisation is never
    told whose project it was (another organisation's matter); the administrators are."""
    pool = (SketchStatus.SELECTED, SketchStatus.FUNDED, SketchStatus.WAITING)
    ranked, sketches, _aggs = ranked_sketches(call, pool, extra=(gone,))
    by_id = {r.id: r for r in ranked}
    chosen = tuple(r.id for r in ranked
                   if sketches[r.id].status in (SketchStatus.SELECTED, SketchStatus.FUNDED) or r.id == str(gone.id))
    total = sum(by_id[i].requested_cents for i in chosen)
    previous = Selection("release", chosen, total, sum((by_id[i].score or Decimal(0) for i in chosen), Decimal("0.00")),
                         (), call.budget_cents, call.budget_cents - total, call.min_score_points)
    mode = "skip" if call.selection_rule is not SelectionRule.FUNDING_LINE_STOP else "stop"
    note = ""
    try:
        after = promote(ranked, previous, str(gone.id), call.budget_cents, mode,
                        group_minimums=call.group_minimums or None)
    except GroupMinimumError as exc:
        note = f"Mindestzahlen nicht mehr erfüllbar ({exc}); Nachrücken ohne Mindestzahlen."
        after = promote(ranked, previous, str(gone.id), call.budget_cents, mode)
    promoted = [sketches[i] for i in after.selected if i not in chosen]
    for sketch in promoted:
        sketch.status = SKETCH.check(sketch.status, "promote", actor, system=True)
        sketch.decided_at, sketch.waiting_position = clock.now(), None
        sketch.full_application_deadline = call.promotion_deadline(clock.today())
        sketch.decision_reason = ("Nachgerückt nach dem Rückzug eines ausgewählten Vorhabens." if cause == "withdrawal"
                                  else "Nachgerückt, weil ein ausgewähltes Vorhaben ausgeschieden ist.")
    remaining = [sketches[r.id] for r in ranked if sketches[r.id].status is SketchStatus.WAITING]
    for position, sketch in enumerate(remaining, start=1):
        sketch.waiting_position = position
    db.session.flush()
    for sketch in promoted:
        _stage_message(call, sketch, "promoted", released=True, cause=cause)
    record("decision.promote", "if_call", call.id, actor, after={
        "left": gone.id, "cause": cause, "promoted": [s.id for s in promoted], "mode": mode, "note": note})
    left = {"withdrawal": "wurde zurückgezogen", "rejection": "ist nach Ablehnung des Vollantrags ausgeschieden"}
    moved = ("Nachgerückt: " + "; ".join(f"{s.reference} „{s.title}“ ({format_eur(s.requested_cents)}, Frist für "
                                          f"den Vollantrag {s.full_application_deadline:%d.%m.%Y})" for s in promoted)
             if promoted else "Keine Skizze der Warteliste passt in die freien Mittel; niemand ist nachgerückt.")
    notify_admins(f"Innovationsfonds: Nachrücken nach {gone.reference}",
                  f"{gone.reference} „{gone.title}“ {left.get(cause, cause)}. {moved} {note}".strip(),
                  link=f"/innovationsfonds/aufrufe/{call.id}/postausgang", dedup_key=f"if.promote:{gone.id}")
    return promoted


def waiting(call: Call) -> list[Sketch]:
    return sorted((s for s in call.sketches if s.status is SketchStatus.WAITING), key=lambda s: s.waiting_position or 0)
