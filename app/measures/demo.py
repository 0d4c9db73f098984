"""Demo catalogue (synthetic, marked as such): measures of the three demo Kommunen, two course providers
(the demo Träger among them, so its login sees a contract), consented forwarding contracts with payments
booked as the Kommunen's expenses, and target-group counts for the needs analysis.

Runs after the budgets seed. Payments are booked only while the grant is open for expenses (on a late demo
day the proof of use is already in and the catalogue shows the contracts without new payments).
"""

from __future__ import annotations

from datetime import date, timedelta

from ..platform import clock
from ..platform.errors import DomainError
from ..platform.extensions import db
from ..reference.models import Organisation
from . import forwarding, needs, services
from .models import ContractStatus, Measure

MARK = "(synthetisch)"  # in the names of invented organisations; measures carry ``synthetic`` (a badge, once)
# (module, title, kind, places, weekly hours, cost plan in euros, other Förderlinie or "")
CATALOGUE = [
    ("F1", "Berufsbezogener Deutschkurs B1", "course", 18, 20, 64_000, ""),
    ("F2", "Bewerbungscoaching in Kleingruppen", "coaching", 24, 4, 21_500, ""),
    ("F3", "Werkstatttage Handwerk", "course", 12, 30, 38_000, ""),
    ("F4", "Teilhabeberatung im Quartier", "counselling", 60, 10, 15_000, ""),
    ("F1", "Jugendintegrationskurs", "integration_course", 20, 25, 0, "Integrationskurse des BAMF"),
    ("F2", "Ausbildungsbegleitung", "coaching", 30, 6, 0, "Gemeinsam klappt's"),
]
COUNTS = [("18-20", "Duldung", 85), ("18-20", "Gestattung", 60), ("21-27", "Duldung", 120),
          ("21-27", "Aufenthaltserlaubnis", 95)]
KOMMUNEN = ("koeln@demo.nrw", "kleve@demo.nrw", "bielefeld@demo.nrw")


def _providers(context) -> list[Organisation]:
    admin = context.users["admin@demo.nrw"]
    vhs = Organisation(name=f"Volkshochschule Rheinland {MARK}", kind="education_provider", is_public_body=True,
                       city="Köln")
    db.session.add(vhs)
    db.session.flush()
    trainer = context.users["traeger@demo.nrw"].organisation
    services.set_provider_profile(admin, {"organisation_id": vhs.id, "kind": "vhs",
                                          "recognition": "Volkshochschule (§ 10 WbG)"})
    services.set_provider_profile(admin, {"organisation_id": trainer.id, "kind": "wbg14",
                                          "recognition": "anerkannt nach § 14 WbG"})
    for organisation, name, function, phone in ((vhs, "Erika Beispiel", "Fachbereichsleitung Deutsch", "0221 000000"),
                                                (trainer, "Max Muster", "Kursleitung", "")):
        services.add_contact(admin, {"organisation_id": organisation.id, "name": name, "function": function,
                                     "email": f"{name.split()[0].lower()}@beispiel.example", "phone": phone})
    return [trainer, vhs]


def seed(context) -> None:
    if "admin@demo.nrw" not in context.users or "traeger@demo.nrw" not in context.users:
        return
    providers = _providers(context)
    admin = context.users["admin@demo.nrw"]
    for index, email in enumerate(KOMMUNEN):
        kommune = context.users.get(email)
        if kommune is None:
            continue
        with clock.freeze(date(2021, 1, 15)):
            measures = [services.create_measure(kommune, {
                "module_code": module, "title": title, "kind": kind, "provider_name": "",
                "provider_id": providers[(n + index) % 2].id, "places": places + index * 2,
                "start_date": date(2021, 2, 1), "end_date": date(2022, 1, 31), "weekly_hours": hours,
                "cost_plan_cents": euros * 100, "funding_source": "other" if other else "programme",
                "other_programme": other, "participants": places - 2 + index}, synthetic=True)
                for n, (module, title, kind, places, hours, euros, other) in enumerate(CATALOGUE)]
            for measure in measures:
                services.change_status(measure, "activate", kommune)
            needs.import_counts(kommune, [{"age_band": a, "residence_status": r, "count": c + index * 10}
                                          for a, r, c in COUNTS])
        _forward(kommune, admin, measures[0], providers[0], context.day)
        _forward(kommune, admin, measures[1], providers[1], context.day)
        for measure in measures:  # on later demo days the courses of 2021 are over
            finished_on = measure.end_date + timedelta(days=14)
            if finished_on < context.day:
                with clock.freeze(finished_on):
                    services.change_status(measure, "finish", kommune)


def _forward(kommune, admin, measure: Measure, provider: Organisation, day: date) -> None:
    with clock.freeze(date(2021, 1, 20)):
        contract = forwarding.request_contract(kommune, {
            "measure_id": measure.id, "organisation_id": provider.id, "amount_cents": measure.cost_plan_cents // 2,
            "start_date": measure.start_date, "end_date": measure.end_date}, synthetic=True)
    with clock.freeze(date(2021, 1, 27)):
        forwarding.decide(contract, "consent", admin)
    for paid_on in (date(2021, 4, 1), date(2021, 10, 1)):
        if paid_on >= day or contract.status is not ContractStatus.CONSENTED:
            continue
        try:
            with clock.freeze(paid_on):
                forwarding.pay(contract, kommune, {"amount_cents": contract.amount_cents // 2, "payment_date": paid_on})
        except DomainError:  # the grant is closed for expenses (late demo day) or has no line: no payment
            return


