"""The audit trail for people: German labels for action codes and fields, a readable before/after
difference and a link to the object. The stored entry (codes, JSON) stays as it is for auditors and
the API; this module only presents it.

Labels are German data like the action codes themselves (docs/ui.md: audit actions stay German).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from flask import g, url_for
from sqlalchemy import select
from werkzeug.routing import BuildError

from ..auth.models import ROLE_LABELS
from ..platform.extensions import db
from ..platform.formatting import format_date, format_datetime, format_decimal, format_percent
from ..platform.money import format_eur
from ..reference.models import Kommune

# Innovationsfonds services prefix their codes with "innovationsfonds."; the rest is looked up here.
ACTION_LABELS = {
    "allocation.give_back.declare": "Rückgabe erklärt",
    "allocation.give_back.release": "Durch Änderungsbescheid freigegebene Mittel zur Umverteilung",
    "allocation.keydata.import": "Schlüsseldaten importiert",
    "allocation.positions.create": "Stellenversion F6 angelegt",
    "allocation.positions.publish": "Stellenversion F6 veröffentlicht",
    "allocation.positions.supersede": "Stellenversion F6 abgelöst",
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
    "auth.logout": "Abmeldung (alle Sitzungen beendet)",
    "forwarding.consent": "Weiterleitung: Zustimmung erteilt",
    "forwarding.payment": "Weiterleitung: Zahlung an den Kursträger als Ausgabe gebucht",
    "forwarding.proof.accept": "Weiterleitung: Nachweis des Trägers anerkannt",
    "forwarding.proof.return": "Weiterleitung: Nachweis des Trägers zurückgegeben",
    "forwarding.proof.submit": "Weiterleitung: Nachweis des Trägers eingereicht",
    "forwarding.refuse": "Weiterleitung: Zustimmung versagt",
    "forwarding.request": "Weiterleitung beantragt",
    "forwarding.withdraw": "Weiterleitungsantrag zurückgezogen",
    "measure.activate": "Maßnahme gestartet",
    "measure.cancel": "Maßnahme abgesagt",
    "measure.create": "Maßnahme angelegt",
    "measure.finish": "Maßnahme abgeschlossen",
    "measure.import": "Maßnahmen aus CSV importiert",
    "measure.needs.import": "Zielgruppenzahlen importiert (Bedarfsanalyse)",
    "measure.contact.add": "Kursträger: Ansprechperson eingetragen",
    "measure.contact.remove": "Kursträger: Ansprechperson entfernt",
    "measure.provider.set": "Kursträger eingestuft",
    "measure.update": "Maßnahme geändert",
    "user.password_change": "Passwort geändert",
    "auth.password_reset_request": "Link zum Zurücksetzen des Passworts angefordert",
    "user.password_reset": "Passwort über E-Mail-Link zurückgesetzt (alle Sitzungen beendet)",
    "user.deactivate": "Benutzerkonto deaktiviert",
    "budget.risk_flags": "Gefährdungshinweise aktualisiert",
    "call.close": "Aufruf geschlossen",
    "conflict.declare_by_organisation": "Befangenheit eines Gutachters vom Träger erklärt",
    "conflict.recuse": "Gutachter/in hat sich für befangen erklärt",
    "decision.amend": "Vorgemerkte Auswahlentscheidung angepasst",
    "organisation.create": "Träger angelegt",
    "call.create": "Aufruf angelegt",
    "call.update": "Aufruf geändert",
    "conflict.declare": "Interessenkonflikt erklärt",
    "decision.discard": "Vorgemerkte Entscheidung verworfen",
    "decision.promote": "Nachrücker/in ausgewählt",
    "decision.release": "Entscheidung freigegeben",
    "decision.stage": "Entscheidung vorgemerkt",
    "document.correct": "Dokument berichtigt (§ 42 VwVfG)",
    "document.issue": "Dokument (Bescheid) erlassen",
    "drawdown.approve": "Mittelabruf genehmigt",
    "drawdown.final_payment": "Schlusszahlung angewiesen",
    "drawdown.pay": "Auszahlung gebucht",
    "drawdown.reject": "Mittelabruf abgelehnt",
    "drawdown.request": "Mittelabruf gestellt",
    "drawdown.withdraw": "Mittelabruf zurückgezogen",
    "expense.create": "Ausgabe erfasst",
    "expense.import": "Ausgaben importiert",
    "expense.ineligible": "Ausgabe aberkannt",
    "expense.reverse": "Ausgabe storniert",
    "expense_import.reverse": "Ausgaben-Import storniert",
    "expense_import.queue": "Großen Ausgaben-Import im Hintergrund angestoßen",
    "full_application.reject": "Vollantrag abgelehnt",
    "full_application.request_changes": "Änderungen am Vollantrag angefordert",
    "full_application.submit": "Vollantrag eingereicht",
    "grant.commitment": "Bewilligung ins Budget gebucht",
    "grant.eligible_cap": "Obergrenze förderfähiger Ausgaben gesetzt",
    "grant.expense_entry_close": "Ausgabenerfassung geschlossen",
    "grants.application.approve": "Antrag bewilligt",
    "grants.application.create": "Antrag angelegt",
    "grants.application.edit": "Antrag bearbeitet",
    "grants.application.reapply": "Antrag erneut aufgenommen",
    "grants.application.reject": "Antrag abgelehnt",
    "grants.application.request_changes": "Änderungen angefordert",
    "grants.application.submit": "Antrag eingereicht",
    "grants.f6.approve": "F6-Antrag bewilligt",
    "grants.f6.create": "F6-Antrag angelegt",
    "grants.f6.edit": "F6-Antrag bearbeitet",
    "grants.f6.reapply": "F6-Antrag erneut aufgenommen",
    "grants.f6.reject": "F6-Antrag abgelehnt",
    "grants.f6.request_changes": "Änderungen am F6-Antrag angefordert",
    "grants.f6.staffing": "Personalmeldung F6 abgegeben",
    "grants.f6.submit": "F6-Antrag eingereicht",
    "grants.f6.withdraw": "F6-Antrag zurückgezogen",
    "grants.application.withdraw": "Antrag zurückgezogen",
    "grants.participants.report": "Teilnehmendenzahlen gemeldet",
    "grants.rate.set": "Förderquote festgesetzt",
    "ledger.verify": "Buchungsabgleich protokolliert",
    "message.queue": "Nachricht versandt",
    "notifications.preferences": "Benachrichtigungen eingestellt",
    "programme.load": "Programm geladen",
    "project.approve": "Projekt bewilligt",
    "hearing.comment": "Stellungnahme zur Anhörung abgegeben",
    "hearing.conclude": "Anhörung abgeschlossen",
    "hearing.open": "Anhörung eingeleitet",
    "hearing.supersede": "Anhörung durch neue ersetzt",
    "proof.decide": "Schlussbescheid erlassen",
    "proof.submit": "Verwendungsnachweis eingereicht",
    "reclaim.open": "Rückforderung festgesetzt",
    "reclaim.repayment": "Rückzahlung gebucht",
    "reference.load": "Referenzdaten geladen",
    "results.interim.accept": "Zwischennachweis anerkannt",
    "results.interim.late": "Zwischennachweis als verspätet markiert",
    "results.interim.request_changes": "Zwischennachweis: Änderungen angefordert",
    "results.interim.submit": "Zwischennachweis eingereicht",
    "results.partnership.add": "Gemeinsam klappt's: Institution eingetragen",
    "results.partnership.remove": "Gemeinsam klappt's: Institution entfernt",
    "results.reached.report": "Neu erreichte Personen gemeldet",
    "results.targets.import": "Zielgruppenzahlen importiert",
    "review.save": "Gutachten gespeichert",
    "review.submit": "Gutachten abgegeben",
    "registration.create": "Träger hat sich registriert",
    "registration.confirm": "E-Mail-Adresse einer Registrierung bestätigt",
    "registration.decide": "Über die Registrierung eines Trägers entschieden",
    "invitation.create": "Person zu einem Träger eingeladen",
    "invitation.accept": "Einladung angenommen, Passwort festgelegt",
    "review.revise": "Gutachten vor der Begutachtungsfrist überarbeitet (frühere Fassung gespeichert)",
    "review.remind": "Gutachtende an offene Gutachten erinnert",
    "scheduler.job.run": "Job ausgeführt",
    "export.request": "Großen Export im Hintergrund angefordert",
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
    "export_job": "Hintergrund-Export",
    "background_job": "Hintergrund-Auftrag",
    "allocation_key_dataset": "Schlüsseldatensatz", "allocation_version": "Zuteilungsversion",
    "drawdown": "Mittelabruf", "expense": "Ausgabe", "expense_import": "Ausgaben-Import", "grant": "Zuwendung",
    "grant_application": "Antrag", "participant_counts": "Teilnehmendenzahlen", "if_call": "Aufruf",
    "if_conflict": "Interessenkonflikt", "if_review": "Gutachten", "if_sketch": "Skizze", "message": "Nachricht",
    "programme": "Programm", "reference_data": "Referenzdaten", "user": "Benutzer", "reclaim": "Rückforderung",
    "hearing": "Anhörung",
    "proof_of_use": "Verwendungsnachweis", "give_back": "Rückgabe", "token": "API-Token", "job": "Job",
    "measure": "Maßnahme", "forwarding_contract": "Weiterleitungsvertrag", "organisation": "Organisation",
    "kommune": "Kommune", "interim_proof": "Zwischennachweis", "partnership_member": "Gemeinsam klappt's (Eintrag)",
    "f6_application": "F6-Antrag", "position_version": "Stellenversion F6",
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
    "created": "Angelegt", "last_expense_date": "Letzter Ausgabetag", "entered": "eingetreten",
    "primary_target": "primäre Zielgruppe", "exited": "vorzeitig ausgeschieden", "finished": "abgeschlossen",
    "planned": "geplant", "amount": "Betrag", "purpose": "Verwendungszweck", "period_start": "Zeitraum von",
    "period_end": "Zeitraum bis", "payment_reference": "Kassenzeichen", "justification": "Begründung",
    "opens_at": "Einreichung ab", "closes_at": "Einreichung bis", "selection_rule": "Auswahlregel",
    "min_score": "Mindestpunktzahl", "discrepancy_threshold": "Abweichungsschwelle",
    "reviewers_per_sketch": "Gutachten je Skizze", "reviewers_see_names": "Gutachtende sehen Namen",
    "eligible_kinds": "Zulässige Träger", "target_groups": "Zielgruppen", "group_minimums": "Mindestzahlen je Gruppe",
    "full_application_deadline": "Frist Vollantrag", "criteria": "Kriterien", "load_min": "Mindestlast",
    "load_max": "Höchstlast", "full_application_days_after_promotion": "Tage für den Vollantrag nach dem Nachrücken",
    "population_weight": "Gewicht Bevölkerung", "area_weight": "Gewicht Fläche", "cap": "Kappung",
    "secondary_weight": "Gewicht Zweitdatensatz", "budget_year": "Haushaltsjahr", "module_code": "Baustein",
    "measure_id": "Maßnahme", "participants": "Teilnehmende", "contact_id": "Ansprechperson", "function": "Funktion",
}
PLAIN_NUMBERS = {"year", "budget_year", "revision", "number", "version", "sketch_id", "reviewer_id", "user_id",
                 "organisation_id", "call"}  # ids and years: no thousands separator
MONEY_MAPS = {"lines"}  # {"F1/2020": cents, ...}
# amounts, by their key's suffix or name (cents): shown as "1.234,56 €"
_CENTS_SUFFIX = "_cents"
STATUS_LABELS = {
    "draft": "Entwurf", "submitted": "eingereicht", "approved": "bewilligt", "rejected": "abgelehnt",
    "withdrawn": "zurückgezogen", "changes_requested": "Änderungen angefordert", "requested": "beantragt",
    "paid": "ausgezahlt", "published": "veröffentlicht", "superseded": "abgelöst", "open": "offen",
    "closed": "erledigt", "eligible": "förderfähig", "ineligible": "nicht förderfähig", "selected": "ausgewählt",
    "waiting": "Nachrückliste", "funded": "gefördert", "application": "Antrag", "amendment": "Änderungsantrag",
    "primary": "primäre Zielgruppe", "secondary": "weitere Zielgruppe",
}
CODED = {"status", "kind", "target_group"}  # values that are codes with a German word


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
    """A stored value as people read it: money, rates, dates, roles, German status words, lists and maps."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, int):
        return _int_value(key, value)
    if isinstance(value, str):
        return _text_value(key, value)
    if isinstance(value, dict):
        if key in MONEY_MAPS:
            return "; ".join(f"{k}: {format_value('amount_cents', v)}" for k, v in value.items())
        return "; ".join(f"{field_label(str(k))}: {format_value(str(k), v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(format_value(key, v) for v in value) if len(value) <= 12 else f"{len(value)} Einträge"
    return str(value)


def _int_value(key: str, value: int) -> str:
    if key.endswith(_CENTS_SUFFIX):
        return format_eur(value)
    if key == "funding_rate_bp":
        return format_percent(Decimal(value) / 100, 0)
    if key == "kommune_id":
        return _kommune_names().get(value, str(value))
    if key in PLAIN_NUMBERS or key.endswith("_id"):
        return str(value)
    return format_decimal(value, 0)


def _text_value(key: str, value: str) -> str:
    if key == "role":
        return str(ROLE_LABELS.get(value, value))
    if key in CODED:
        return STATUS_LABELS.get(value, value)
    if len(value) >= 10 and value[4:5] == "-" and value[7:8] == "-" and value[:4].isdigit():
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        return format_date(moment.date()) if len(value) == 10 else format_datetime(moment)
    return value


def _kommune_names() -> dict[int, str]:
    """Kommune names by id, loaded once per request (an entry stores the id)."""
    if "audit_kommune_names" not in g:
        g.audit_kommune_names = {k.id: k.display_name for k in db.session.scalars(select(Kommune))}
    return g.audit_kommune_names


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
    "f6_application": ("grants.f6_detail", "application_id"),
    "drawdown": ("budgets.drawdown", "drawdown_id"),
    "grant": ("budgets.grant", "grant_id"),
    "reclaim": ("budgets.reclaim", "reclaim_id"),
    "hearing": ("budgets.hearing", "hearing_id"),
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
