"""What each kind of document says: one builder per kind turns a domain object into a ``Letter``.

Every amount is read from the object the service just wrote (decision lines, the drawdown, the
proof of use's final figures, the reclaim and its interest calculation), so a document shows the
ledger's figures. The sender block, the Landeskasse account, the payment term and the court come
from the programme's ``settings.documents`` (config/programmes/*.toml), with the defaults below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from ..budgets.models import Drawdown, Hearing, ProofOfUse, Reclaim
from ..budgets.services import proof_of, reclaim_of, reclaim_statement, reclaimed_from
from ..grants import f6
from ..grants.content import format_rate
from ..grants.models import Decision, DecisionOutcome, F6Application
from ..innovationsfonds.models import ProjectDecision, Sketch, StagedMessage
from ..platform import clock
from ..reference.models import Programme

# Configurable per programme (settings.documents); the account is a placeholder until the Landeskasse names one.
DEFAULT_LETTERHEAD = {
    "authority": "Ministerium für Arbeit, Gesundheit und Soziales des Landes Nordrhein-Westfalen",
    "authority_short": "MAGS NRW",
    "unit": "Bewilligungsbehörde „Durchstarten“",
    "street": "Fürstenwall 25",
    "city": "40219 Düsseldorf",
    "contact": "Programmverwaltung Durchstarten",
    "signature": "Im Auftrag",
    "payee": "Landeskasse Nordrhein-Westfalen",
    "iban": "DE00 0000 0000 0000 0000 00",
    "bic": "XXXXDEXXXXX",
    "bank": "(Bankverbindung in den Programmeinstellungen eintragen)",
    "payment_days": 30,
    "court": "Verwaltungsgericht Düsseldorf, Bastionstraße 39, 40213 Düsseldorf",
}


def letterhead(programme: Programme) -> dict:
    return {**DEFAULT_LETTERHEAD, **((programme.settings or {}).get("documents") or {})}


@dataclass
class Letter:
    """Recipient, reference and the template's context of one document."""

    object_type: str
    object_id: int
    reference: str  # Aktenzeichen / number
    recipient_name: str
    kommune_id: int | None
    organisation_id: int | None
    programme: Programme
    context: dict = field(default_factory=dict)
    title: str | None = None  # instead of the kind's title (e.g. the outcome of a sketch)

    @property
    def sender(self) -> dict:
        return letterhead(self.programme)


@dataclass(frozen=True)
class DocumentKind:
    code: str
    title: str  # German, printed as the subject and used in the inbox
    template: str
    file_prefix: str
    build: Callable[[object], Letter]


KINDS: dict[str, DocumentKind] = {}


def kind(code: str, title: str, template: str, file_prefix: str):
    def decorator(build: Callable[[object], Letter]) -> Callable[[object], Letter]:
        KINDS[code] = DocumentKind(code, title, template, file_prefix, build)
        return build

    return decorator


def _grant_recipient(grant) -> dict:
    name = grant.kommune.display_name if grant.kommune else grant.organisation.name
    return {"recipient_name": name, "kommune_id": grant.kommune_id, "organisation_id": grant.organisation_id,
            "programme": grant.programme}


def _decision_letter(decision: Decision, **context) -> Letter:
    application = decision.application
    programme = application.programme
    modules = {m.code: m.name for m in programme.modules}
    return Letter("grant_decision", decision.id, decision.number, decision.recipient_name, application.kommune_id,
                  None, programme, {"decision": decision, "application": application, "modules": modules,
                                    "rate": format_rate(decision.funding_rate_bp), **context})


@kind("zuwendungsbescheid", "Zuwendungsbescheid", "zuwendungsbescheid.html", "Zuwendungsbescheid")
def zuwendungsbescheid(decision: Decision) -> Letter:
    return _decision_letter(decision)


@kind("aenderungsbescheid", "Änderungsbescheid", "aenderungsbescheid.html", "Aenderungsbescheid")
def aenderungsbescheid(decision: Decision) -> Letter:
    """Old / new / change per module and budget year against the decision it supersedes."""
    old, new = decision.supersedes.line_map(), decision.line_map()
    rows = [{"module": module, "year": year, "old": old.get((module, year), 0), "new": new.get((module, year), 0),
             "change": new.get((module, year), 0) - old.get((module, year), 0)}
            for module, year in sorted(set(old) | set(new))]
    totals = {"old": sum(old.values()), "new": sum(new.values())}
    totals["change"] = totals["new"] - totals["old"]
    return _decision_letter(decision, rows=rows, totals=totals)


@kind("ablehnungsbescheid", "Ablehnungsbescheid", "ablehnungsbescheid.html", "Ablehnungsbescheid")
def ablehnungsbescheid(decision: Decision) -> Letter:
    return _decision_letter(decision)


def decision_kind(decision: Decision) -> str:
    if decision.outcome is DecisionOutcome.REJECTED:
        return "ablehnungsbescheid"
    return "aenderungsbescheid" if decision.supersedes_id else "zuwendungsbescheid"


@kind("f6_zuwendungsbescheid", "Zuwendungsbescheid Teilhabemanagement (F6)", "f6_zuwendungsbescheid.html",
      "Zuwendungsbescheid-F6")
def f6_zuwendungsbescheid(application: F6Application) -> Letter:
    """The F6 grant: positions, cost basis, the grant per budget year as booked (``set_commitment``), rate, period,
    and the staffing rule that caps the eligible costs at the final decision (docs/f6.md)."""
    grant = f6.grant_of(application)
    lines = sorted((line.budget_year, line.approved_cents) for line in grant.lines if line.approved_cents)
    planned = f6.planned_by_year(application)
    return Letter("f6_application", application.id, application.decision_number, **_grant_recipient(grant),
                  context={"application": application, "grant": grant, "lines": lines, "planned": planned,
                           "planned_total": sum(planned.values()), "approved_total": sum(c for _, c in lines),
                           "rate": format_rate(application.funding_rate_bp),
                           "months": len(f6.months(application))})


@kind("f6_ablehnungsbescheid", "Ablehnungsbescheid Teilhabemanagement (F6)", "f6_ablehnungsbescheid.html",
      "Ablehnungsbescheid-F6")
def f6_ablehnungsbescheid(application: F6Application) -> Letter:
    """The F6 application refused, with the reason the administration gave (``application.comment``)."""
    return Letter("f6_application", application.id, application.decision_number,
                  recipient_name=application.kommune.display_name, kommune_id=application.kommune_id,
                  organisation_id=None, programme=application.programme,
                  context={"application": application, "planned_total": sum(f6.planned_by_year(application).values())})


@kind("auszahlungsmitteilung", "Auszahlungsmitteilung", "auszahlungsmitteilung.html", "Auszahlungsmitteilung")
def auszahlungsmitteilung(drawdown: Drawdown) -> Letter:
    grant = drawdown.grant
    cut = drawdown.amount_requested_cents - (drawdown.amount_approved_cents or 0)
    return Letter("drawdown", drawdown.id, f"{grant.reference}/MA-{drawdown.id}", **_grant_recipient(grant),
                  context={"drawdown": drawdown, "grant": grant, "cut_cents": cut})


@kind("ablehnung_mittelabruf", "Ablehnung des Mittelabrufs", "ablehnung_mittelabruf.html", "Ablehnung-Mittelabruf")
def ablehnung_mittelabruf(drawdown: Drawdown) -> Letter:
    grant = drawdown.grant
    return Letter("drawdown", drawdown.id, f"{grant.reference}/MA-{drawdown.id}", **_grant_recipient(grant),
                  context={"drawdown": drawdown, "grant": grant})


@kind("schlussbescheid", "Schlussbescheid", "schlussbescheid.html", "Schlussbescheid")
def schlussbescheid(proof: ProofOfUse) -> Letter:
    """The final calculation per module as the final decision fixed it (``proof.decision_lines``,
    ``app.budgets.core.final_grant``)."""
    grant = proof.grant
    lines = list(proof.decision_lines or [])
    modules = {m.code: m.name for m in grant.programme.modules}
    totals = {key: sum(line.get(key, 0) for line in lines)
              for key in ("approved_cents", "expenses_cents", "earned_cents", "final_cents", "paid_cents")}
    return Letter("proof_of_use", proof.id, f"{grant.reference}/SB", **_grant_recipient(grant),
                  context={"proof": proof, "grant": grant, "lines": lines, "modules": modules, "totals": totals,
                           "reclaim": reclaim_of(grant), "rate": format_rate(grant.funding_rate_bp)})


@kind("anhoerung", "Anhörung vor dem Schlussbescheid", "anhoerung.html", "Anhoerung")
def anhoerung(hearing: Hearing) -> Letter:
    """§ 28 VwVfG: the intended final grant per module, the intended reclaim, the interest basis, the deadline."""
    grant = hearing.grant
    modules = {m.code: m.name for m in grant.programme.modules}
    totals = {key: sum(line.get(key, 0) for line in hearing.lines)
              for key in ("approved_cents", "expenses_cents", "final_cents", "paid_cents")}
    sources = reclaimed_from(grant.id, hearing.principal_cents)  # the latest payments first, as the reclaim will
    return Letter("hearing", hearing.id, f"{grant.reference}/AH-{hearing.id}", **_grant_recipient(grant),
                  context={"hearing": hearing, "grant": grant, "lines": hearing.lines, "modules": modules,
                           "totals": totals, "sources": sources, "rate": format_rate(grant.funding_rate_bp)})


def kassenzeichen(reclaim: Reclaim) -> str:
    """The payment reference the recipient must quote: stable per reclaim (RF-<year>-<id>)."""
    return f"RF-{reclaim.created_at.year}-{reclaim.id:06d}"


@kind("rueckforderungsbescheid", "Rückforderungs- und Zinsbescheid", "rueckforderungsbescheid.html",
      "Rueckforderungsbescheid")
def rueckforderungsbescheid(reclaim: Reclaim) -> Letter:
    """Principal, § 49a interest day by day up to the final decision's day, payment deadline, Kassenzeichen, account.

    Read from the decision day, not the clock: a correction (§ 42 VwVfG) issued later states the same claim."""
    grant = reclaim.grant
    today = proof_of(grant).decided_at.astimezone(clock.BERLIN).date()  # the decision day, also in a correction
    sender = letterhead(grant.programme)
    deadline = today + timedelta(days=int(sender["payment_days"]))
    statement = reclaim_statement(reclaim, today)
    return Letter("reclaim", reclaim.id, f"{grant.reference}/RF", **_grant_recipient(grant),
                  context={"reclaim": reclaim, "grant": grant, "kassenzeichen": kassenzeichen(reclaim),
                           "deadline": deadline, "statement": statement,
                           "at_deadline": reclaim_statement(reclaim, deadline),  # interest up to the day before
                           "per_day": _interest_per_day(reclaim, statement)})


def _interest_per_day(reclaim: Reclaim, statement) -> int | None:
    """Interest one more day adds (cents, rounded): the difference to the next day's statement."""
    following = reclaim_statement(reclaim, statement.as_of + timedelta(days=1))
    if statement.interest is None or following.interest is None:
        return None
    return following.interest.interest_cents - statement.interest.interest_cents


# ------------------------------------------------------------------ Innovationsfonds (organisations)
def _sketch_recipient(sketch: Sketch) -> dict:
    return {"recipient_name": sketch.organisation.name, "kommune_id": None,
            "organisation_id": sketch.organisation_id, "programme": sketch.call.programme}


@kind("if_zuwendungsbescheid", "Zuwendungsbescheid", "if_zuwendungsbescheid.html", "Zuwendungsbescheid")
def if_zuwendungsbescheid(decision: ProjectDecision) -> Letter:
    """The funded project's grant decision: amounts per budget year, rate, period, ANBest-P (or -G)."""
    sketch = decision.sketch
    lines = sorted((int(year), cents) for year, cents in decision.lines.items())
    return Letter("if_project_decision", decision.id, decision.number, **_sketch_recipient(sketch),
                  context={"decision": decision, "sketch": sketch, "lines": lines,
                           "rate": format_rate(decision.funding_rate_bp)})


SELECTION_TITLES = {
    "selected": "Mitteilung über die Auswahl der Projektskizze",
    "promoted": "Mitteilung über die Auswahl der Projektskizze (Nachrücken)",
    "waiting": "Mitteilung über die Aufnahme in die Warteliste",
    "rejected": "Ablehnungsbescheid zur Projektskizze",
    "ineligible": "Ablehnungsbescheid zur Projektskizze (nicht förderfähig)",
}


@kind("if_auswahlentscheidung", "Entscheidung über die Projektskizze", "if_auswahlentscheidung.html",
      "Auswahlentscheidung")
def if_auswahlentscheidung(message: StagedMessage) -> Letter:
    """The Steuerkreis decision on one sketch, with the text the organisation is sent (selected/waiting/rejected)."""
    sketch = message.sketch
    return Letter("if_selection_message", message.id, sketch.reference, **_sketch_recipient(sketch),
                  title=f"{SELECTION_TITLES.get(message.kind, message.subject)} {sketch.reference}",
                  context={"message": message, "sketch": sketch, "outcome": message.kind,
                           "paragraphs": [p.strip() for p in message.body.split("\n\n") if p.strip()]})


@kind("if_ablehnungsbescheid", "Ablehnungsbescheid zum Vollantrag", "if_ablehnungsbescheid.html",
      "Ablehnungsbescheid")
def if_ablehnungsbescheid(sketch: Sketch) -> Letter:
    return Letter("if_sketch", sketch.id, sketch.reference, **_sketch_recipient(sketch),
                  context={"sketch": sketch})


# What a document's ``object_type`` names: the correction of a document rebuilds its letter from this object.
OBJECT_MODELS = {"grant_decision": Decision, "drawdown": Drawdown, "proof_of_use": ProofOfUse, "hearing": Hearing,
                 "reclaim": Reclaim, "if_project_decision": ProjectDecision, "if_selection_message": StagedMessage,
                 "if_sketch": Sketch, "f6_application": F6Application}
