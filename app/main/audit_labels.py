"""The audit trail for people: German labels for action codes and fields, a readable before/after
difference and a link to the object. The stored entry (codes, JSON) stays as it is for auditors and
the API; this module only presents it.

Labels are German data like the action codes themselves (docs/ui.md: audit actions stay German).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask import url_for
from werkzeug.routing import BuildError

from ..formatting import format_date, format_decimal
from ..money import format_eur

# Innovationsfonds services prefix their codes with "innovationsfonds."; the rest is looked up here.
ACTION_LABELS = {
    "allocation.give_back.declare": "Rückgabe erklärt",
    "allocation.keydata.import": "Schlüsseldaten importiert",
    "allocation.version.create": "Zuteilungsversion angelegt",
    "allocation.version.publish": "Zuteilung veröffentlicht",
    "allocation.version.redistribute": "Umverteilung angelegt",
    "allocation.version.supersede": "Zuteilung abgelöst",
    "assignment.add": "Gutachter/in zugeordnet",
    "assignment.auto": "Gutachten automatisch zugeordnet",
    "assignment.remove": "Zuordnung entfernt",
    "attachment.add": "Anlage hinzugefügt",
    "attachment.delete": "Anlage gelöscht",
    "auth.login": "Anmeldung",
    "auth.login_failed": "Anmeldung fehlgeschlagen",
    "auth.login_locked": "Anmeldung gesperrt",
    "budget.risk_flags": "Gefährdungshinweise aktualisiert",
    "call.close": "Aufruf geschlossen",
    "call.create": "Aufruf angelegt",
    "call.update": "Aufruf geändert",
    "conflict.declare": "Interessenkonflikt erklärt",
    "decision.discard": "Vorgemerkte Entscheidung verworfen",
    "decision.promote": "Nachrücker/in ausgewählt",
    "decision.release": "Entscheidung freigegeben",
    "decision.stage": "Entscheidung vorgemerkt",
    "drawdown.approve": "Mittelabruf genehmigt",
    "drawdown.pay": "Auszahlung gebucht",
    "drawdown.reject": "Mittelabruf abgelehnt",
    "drawdown.request": "Mittelabruf gestellt",
    "drawdown.withdraw": "Mittelabruf zurückgezogen",
    "expense.create": "Ausgabe erfasst",
    "expense.import": "Ausgaben importiert",
    "expense.ineligible": "Ausgabe aberkannt",
    "full_application.reject": "Vollantrag abgelehnt",
    "full_application.request_changes": "Änderungen am Vollantrag angefordert",
    "full_application.submit": "Vollantrag eingereicht",
    "grant.commitment": "Bewilligung ins Budget gebucht",
    "grant.expense_entry_close": "Ausgabenerfassung geschlossen",
    "grants.application.approve": "Antrag bewilligt",
    "grants.application.create": "Antrag angelegt",
    "grants.application.edit": "Antrag bearbeitet",
    "grants.application.reject": "Antrag abgelehnt",
    "grants.application.request_changes": "Änderungen angefordert",
    "grants.application.submit": "Antrag eingereicht",
    "grants.application.withdraw": "Antrag zurückgezogen",
    "grants.participants.report": "Teilnehmendenzahlen gemeldet",
    "grants.rate.set": "Förderquote festgesetzt",
    "ledger.verify": "Buchungsabgleich protokolliert",
    "message.queue": "Nachricht versandt",
    "notifications.preferences": "Benachrichtigungen eingestellt",
    "programme.load": "Programm geladen",
    "project.approve": "Projekt bewilligt",
    "proof.decide": "Schlussbescheid erlassen",
    "proof.submit": "Verwendungsnachweis eingereicht",
    "reclaim.open": "Rückforderung festgesetzt",
    "reclaim.repayment": "Rückzahlung gebucht",
    "reference.load": "Referenzdaten geladen",
    "review.save": "Gutachten gespeichert",
    "review.submit": "Gutachten abgegeben",
    "scheduler.job.run": "Job ausgeführt",
    "sketch.create": "Skizze angelegt",
    "sketch.eligibility": "Förderfähigkeit geprüft",
    "sketch.submit": "Skizze eingereicht",
    "sketch.update": "Skizze geändert",
    "sketch.withdraw": "Skizze zurückgezogen",
    "token.create": "API-Token angelegt",
    "token.revoke": "API-Token widerrufen",
    "user.create": "Benutzer angelegt",
}

OBJECT_LABELS = {
    "allocation_key_dataset": "Schlüsseldatensatz", "allocation_version": "Zuteilungsversion",
    "drawdown": "Mittelabruf", "expense": "Ausgabe", "expense_import": "Ausgaben-Import", "grant": "Zuwendung",
    "grant_application": "Antrag", "participant_counts": "Teilnehmendenzahlen", "if_call": "Aufruf",
    "if_conflict": "Interessenkonflikt", "if_review": "Gutachten", "if_sketch": "Skizze", "message": "Nachricht",
    "programme": "Programm", "reference_data": "Referenzdaten", "user": "Benutzer", "reclaim": "Rückforderung",
    "proof_of_use": "Verwendungsnachweis", "give_back": "Rückgabe", "token": "API-Token", "job": "Job",
}

FIELD_LABELS = {
    "status": "Status", "kind": "Art", "revision": "Revision", "reference": "Aktenzeichen", "module": "Baustein",
    "year": "Haushaltsjahr", "value_date": "Wertstellung", "reason": "Begründung", "title": "Titel",
    "summary": "Zusammenfassung", "target_group": "Zielgruppe", "age_min": "Alter von", "age_max": "Alter bis",
    "planned_participants": "Geplante Teilnehmende", "planned_women": "davon Frauen", "start_date": "Beginn",
    "end_date": "Ende", "eligibility_reason": "Förderfähigkeit", "female": "Frauen", "male": "Männer",
    "diverse": "divers", "not_stated": "ohne Angabe", "kommune_id": "Kommune", "filename": "Datei",
    "sketch_id": "Skizze", "score": "Punkte", "organisation_id": "Träger", "email": "E-Mail", "role": "Rolle",
    "to": "An", "subject": "Betreff", "removed_assignments": "Entfernte Zuordnungen", "decision": "Bescheid",
    "funding_rate_bp": "Förderquote", "number": "Nummer", "parameters": "Parameter", "name": "Name",
    "version": "Version", "reference_date": "Stichtag", "source": "Quelle", "rows": "Zeilen", "note": "Bemerkung",
    "comment": "Kommentar", "lines": "Positionen", "reviewer_id": "Gutachter/in", "due_key": "Fälligkeit",
    "eligible": "förderfähig", "ineligible": "nicht förderfähig", "user_id": "Benutzer", "problems": "Abweichungen",
    "size": "Größe", "marks": "Bewertung", "locked": "gesperrt", "expires_at": "Gültig bis", "revoked_at": "Widerrufen",
    "prefix": "Token-Präfix", "code": "Code", "modules": "Bausteine", "kommunen": "Kommunen", "gemeinden": "Gemeinden",
    "total": "Summe", "first": "Erste", "sources": "Herkunft", "replaced_by": "Ersetzt durch", "expenses": "Ausgaben",
    "expense_entry": "Ausgabenerfassung", "give_backs": "Rückgaben", "call": "Aufruf", "sketches": "Skizzen",
    "created": "Angelegt", "last_expense_date": "Letzter Ausgabetag",
}
# amounts, by their key's suffix or name (cents): shown as "1.234,56 €"
_CENTS_SUFFIX = "_cents"
STATUS_LABELS = {
    "draft": "Entwurf", "submitted": "eingereicht", "approved": "bewilligt", "rejected": "abgelehnt",
    "withdrawn": "zurückgezogen", "changes_requested": "Änderungen angefordert", "requested": "beantragt",
    "paid": "ausgezahlt", "published": "veröffentlicht", "superseded": "abgelöst", "open": "offen",
    "closed": "erledigt", "eligible": "förderfähig", "ineligible": "nicht förderfähig", "selected": "ausgewählt",
    "waiting": "Nachrückliste", "funded": "gefördert", "application": "Antrag", "amendment": "Änderungsantrag",
}


def _prefixed(code: str) -> tuple[str, str]:
    """("Innovationsfonds: ", "sketch.create") for "innovationsfonds.sketch.create"; ("", code) otherwise."""
    if code.startswith("innovationsfonds."):
        return "Innovationsfonds: ", code.removeprefix("innovationsfonds.")
    return "", code


def action_label(code: str) -> str:
    """The German label of an action code; an unknown code is shown as it is (never hidden)."""
    prefix, rest = _prefixed(code)
    label = ACTION_LABELS.get(rest)
    return prefix + label if label else code


def field_label(key: str) -> str:
    if key in FIELD_LABELS:
        return FIELD_LABELS[key]
    if key.endswith(_CENTS_SUFFIX):
        words = key.removesuffix(_CENTS_SUFFIX).replace("_", " ")
        return {"requested": "Beantragt", "approved": "Bewilligt", "total": "Summe", "amount": "Betrag",
                "released": "Freigegeben", "pool": "Pool", "principal": "Hauptforderung",
                "paid": "Ausgezahlt", "overpaid": "Überzahlt", "final grant": "Zuwendung (Schlussbescheid)",
                "total cost": "Gesamtkosten", "max usable": "Höchstens verwendbar",
                "unused interest": "Zinsen § 49a Abs. 4", "budget": "Budget", "innovationsfonds": "Innovationsfonds",
                "unallocated": "Nicht verteilt", "ceilings": "Höchstgrenzen",
                "max per project": "Höchstbetrag je Projekt"}.get(words, words)
    return key.replace("_", " ")


def format_value(key: str, value: Any) -> str:
    """A stored value as people read it: money, rates, dates, German status words, lists and maps."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if key.endswith(_CENTS_SUFFIX) and isinstance(value, int):
        return format_eur(value)
    if key == "funding_rate_bp" and isinstance(value, int):
        return f"{format_decimal(Decimal(value) / 100, 0)}\u00a0%"
    if isinstance(value, str):
        if len(value) == 10 and value[4] == "-" and value[7] == "-":
            try:
                from datetime import date

                return format_date(date.fromisoformat(value))
            except ValueError:
                return value
        return STATUS_LABELS.get(value, value) if key in ("status", "kind") else value
    if isinstance(value, int):
        return format_decimal(value, 0)
    if isinstance(value, dict):
        return "; ".join(f"{field_label(str(k))}: {format_value(str(k), v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(format_value(key, v) for v in value) if len(value) <= 12 else f"{len(value)} Einträge"
    return str(value)


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str


def changes(before: dict | None, after: dict | None) -> list[Change]:
    """The fields that differ between before and after (all of ``after`` for a creation), labelled in German."""
    before, after = before or {}, after or {}
    if not isinstance(before, dict) or not isinstance(after, dict):
        return [Change("Wert", format_value("", before), format_value("", after))]
    result = []
    for key in list(after) + [k for k in before if k not in after]:
        old, new = before.get(key), after.get(key)
        if key in before and old == new:
            continue
        result.append(Change(field_label(key), format_value(key, old) if key in before else "",
                             format_value(key, new) if key in after else "–"))
    return result


_OBJECT_LINKS = {
    "grant_application": ("grants.detail", "application_id"),
    "drawdown": ("budgets.drawdown", "drawdown_id"),
    "grant": ("budgets.grant", "grant_id"),
    "reclaim": ("budgets.reclaim", "reclaim_id"),
    "allocation_version": ("allocation.version", "version_id"),
    "if_call": ("innovationsfonds.call_detail", "call_id"),
    "if_sketch": ("innovationsfonds.sketch_detail", "sketch_id"),
}


def object_label(object_type: str, object_id: str | None) -> str:
    return f"{OBJECT_LABELS.get(object_type, object_type)} {object_id or ''}".strip()


def object_url(object_type: str, object_id: str | None) -> str | None:
    """The page of the object (None where there is no page or the id is not a number)."""
    target = _OBJECT_LINKS.get(object_type)
    if target is None or not object_id or not object_id.isdigit():
        return None
    try:
        return url_for(target[0], **{target[1]: int(object_id)})
    except BuildError:
        return None
