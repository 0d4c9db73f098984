"""Issue #21.2: before/after of an audit entry as a labelled German difference (the JSON stays stored)."""

from __future__ import annotations

from app.main.audit_labels import changes, field_label, format_value
from app.reference.services import kommune_by_ags


def _text(before, after) -> list[tuple[str, str, str]]:
    return [(c.field, c.before, c.after) for c in changes(before, after)]


def test_only_changed_fields_with_german_names_and_values(app):
    with app.test_request_context():
        assert _text({"status": "requested", "approved_cents": None, "module": "F1"},
                     {"status": "approved", "approved_cents": 1_024_150, "module": "F1"}) == [
            ("Status", "beantragt", "bewilligt"), ("Bewilligt", "–", "10.241,50\xa0€")]
        kleve = kommune_by_ags("05154")
        created = _text(None, {"role": "kommune", "kommune_id": kleve.id, "year": 2022, "value_date": "2022-05-04",
                               "funding_rate_bp": 8000, "lines": {"F1/2022": 150_000}})
        assert created == [("Rolle", "", "Kommune"), ("Kommune", "", "Kreis Kleve"), ("Haushaltsjahr", "", "2022"),
                           ("Wertstellung", "", "04.05.2022"), ("Förderquote", "", "80\xa0%"),
                           ("Positionen", "", "F1/2022: 1.500,00\xa0€")]
        assert _text({"note": "alt"}, {}) == [("Bemerkung", "alt", "–")]  # a removed field is shown too
        assert _text({"a": 1}, {"a": 1}) == []


def test_unknown_keys_stay_readable(app):
    with app.test_request_context():
        assert field_label("something_new") == "something new"
        assert field_label("overpaid_cents") == "Überzahlt"
        assert format_value("something_new", [1, 2]) == "1, 2"
        assert format_value("x", list(range(20))) == "20 Einträge"
