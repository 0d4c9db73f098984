"""Columns and rows of the results exports (XLSX/CSV, ready to paste into a report)."""

from __future__ import annotations

from flask_babel import lazy_gettext

from ..platform.web.exports import Column
from .reach import GENDERS, Figures

GENDER_COLUMNS = {"female": lazy_gettext("erreicht: weiblich"), "male": lazy_gettext("erreicht: männlich"),
                  "diverse": lazy_gettext("erreicht: divers"), "not_stated": lazy_gettext("erreicht: keine Angabe")}


def _figures_columns(modules: list[str]) -> list[Column]:
    return [*(Column(lazy_gettext("Eintritte %(module)s", module=m), "int") for m in modules),
            Column(lazy_gettext("Eintritte gesamt"), "int"), Column(lazy_gettext("Erreichte Personen"), "int"),
            *(Column(GENDER_COLUMNS[g], "int") for g in GENDERS)]


def kommune_columns(modules: list[str]) -> list[Column]:
    return [Column(lazy_gettext("AGS")), Column(lazy_gettext("Kommune")), *_figures_columns(modules),
            Column(lazy_gettext("Zielgruppe"), "int"), Column(lazy_gettext("Erreichungsquote"), "percent"),
            Column(lazy_gettext("Anteil Frauen"), "percent"), Column(lazy_gettext("Anteil Männer"), "percent")]


def quarter_columns(modules: list[str]) -> list[Column]:
    return [Column(lazy_gettext("AGS")), Column(lazy_gettext("Kommune")), Column(lazy_gettext("Jahr"), "int"),
            Column(lazy_gettext("Quartal"), "int"), *_figures_columns(modules)]


def row_values(row: Figures, modules: list[str], *, quarter: bool = False) -> list:
    """One export row in the order of :func:`kommune_columns` (or :func:`quarter_columns`)."""
    head = [row.ags, row.kommune, row.year, row.quarter] if quarter else [row.ags, row.kommune]
    figures = [*(row.entered.get(m, 0) for m in modules), row.entries, row.reached,
               *(row.reached_by_gender[g] for g in GENDERS)]
    tail = [] if quarter else [row.target, row.reach_rate, row.share_women, row.share_men]
    return [*head, *figures, *tail]


def interim_columns() -> list[Column]:
    return [Column(lazy_gettext("Kommune")), Column(lazy_gettext("Zuwendung")),
            Column(lazy_gettext("Haushaltsjahr"), "int"),
            Column(lazy_gettext("fällig am"), "date"), Column(lazy_gettext("Status")),
            Column(lazy_gettext("verspätet")), Column(lazy_gettext("als verspätet markiert am"), "date"),
            Column(lazy_gettext("eingereicht am"), "datetime"), Column(lazy_gettext("bewilligt"), "money"),
            Column(lazy_gettext("ausgezahlt"), "money"), Column(lazy_gettext("förderfähige Ausgaben"), "money"),
            Column(lazy_gettext("verdiente Zuwendung"), "money")]


def interim_values(row) -> list:
    """One export row of an ``InterimRow`` in the order of :func:`interim_columns` (figures as submitted)."""
    proof = row.proof
    submitted = proof is not None and proof.submitted_at is not None
    return [row.kommune, row.grant.reference, row.year, row.due, row.status_label,
            str(lazy_gettext("ja")) if row.late else str(lazy_gettext("nein")), row.late_flagged_on,
            proof.submitted_at if submitted else None,
            *((proof.approved_cents, proof.paid_cents, proof.expenses_cents, proof.earned_cents) if submitted
              else (None, None, None, None))]


def partnership_columns() -> list[Column]:
    return [Column(lazy_gettext("AGS")), Column(lazy_gettext("Kommune")), Column(lazy_gettext("Gremium")),
            Column(lazy_gettext("Institution")), Column(lazy_gettext("Rolle im Bündnis")),
            Column(lazy_gettext("Kontakt E-Mail")), Column(lazy_gettext("Kontakt Telefon"))]


def partnership_values(kommune, member) -> list:
    return [kommune.ags, kommune.display_name, member.body.label, member.institution, member.role,
            member.contact_email, member.contact_phone]
