"""Demo data that tells the programme's story; every record is marked as synthetic.

The foundation loads the programme and the real reference data (Destatis) and creates one account
per role; each domain may add a module ``app/<domain>/demo.py`` with ``seed(context)`` that fills
its part (called in the order of ``DOMAINS``), and ``settle(context)`` for what follows once every domain
has seeded (the budgets' settlement, then the documents). Demo passwords are printed by ``seed-demo``.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from sqlalchemy import select

from . import DOMAINS
from .auth.models import User
from .auth.passwords import DEMO_PASSWORD
from .auth.services import create_user
from .notifications.demo import read_old_mail
from .platform.extensions import db
from .reference.models import Kommune, Organisation
from .reference.services import load_programme, load_reference_data

DEFAULT_DEMO_DAY = "2022-06-15"


@dataclass
class DemoContext:
    day: date
    programme: object
    users: dict[str, User] = field(default_factory=dict)
    logins: list[str] = field(default_factory=list)
    issue_documents: bool = True  # app/documents/demo.py issues the story's documents at the end


DEMO_USERS = [
    ("admin@demo.nrw", "Petra Verwaltung", "programme_admin", None),
    ("finanzen@demo.nrw", "Frank Finanz", "finance", None),
    ("zahlstelle@demo.nrw", "Zora Zahlstelle", "finance", None),  # pays what Frank approved (four eyes)
    ("pruefung@demo.nrw", "Anja Prüfer", "auditor", None),
    ("gutachter1@demo.nrw", "Dr. Rita Gutachterin", "reviewer", None),
    ("koeln@demo.nrw", "Kai Köln", "kommune", "05315"),
    ("kleve@demo.nrw", "Klara Kleve", "kommune", "05154"),
    ("bielefeld@demo.nrw", "Bernd Bielefeld", "kommune", "05711"),
]


def seed_demo(day: str | None = None) -> list[str]:
    demo_day = date.fromisoformat(day or current_app.config.get("FAKE_TODAY") or DEFAULT_DEMO_DAY)
    programme = load_programme(current_app.config["PROGRAMME_FILE"])
    load_reference_data()
    if db.session.scalar(select(User.id).limit(1)) is not None:
        return ["Es gibt bereits Benutzer – Demo-Daten wurden nicht erneut angelegt."]
    context = DemoContext(day=demo_day, programme=programme)
    for email, name, role, ags in DEMO_USERS:
        context.users[email] = create_user(email=email, name=name, password=DEMO_PASSWORD, role=role,
                                           kommune_ags=ags, actor_label="seed-demo")
    organisation = Organisation(name="Demo-Bildungswerk e. V. (synthetisch)", kind="club", city="Köln",
                                contact_name="Olga Träger", contact_email="traeger@demo.nrw",
                                kommune_id=db.session.scalar(select(Kommune.id).where(Kommune.ags == "05315")))
    db.session.add(organisation)
    db.session.flush()
    context.users["traeger@demo.nrw"] = create_user(
        email="traeger@demo.nrw", name="Olga Träger", password=DEMO_PASSWORD, role="organisation",
        organisation_id=organisation.id, actor_label="seed-demo")
    # The domains seed without rendering documents (700 synthetic payment notices took minutes);
    # app/documents/demo.py issues a subset at the end, each with its historical date.
    context.issue_documents = current_app.config.get("ISSUE_DOCUMENTS", True)
    current_app.config["ISSUE_DOCUMENTS"] = False
    try:
        modules = [module for module in map(_demo_module, DOMAINS) if module is not None]
        for module in modules:
            if hasattr(module, "seed"):
                module.seed(context)
        for module in modules:  # after every domain's bookings: settlement, then the documents of it all
            if hasattr(module, "settle"):
                module.settle(context)
        read_old_mail(context)  # last: the documents' notices are mail too
    finally:
        current_app.config["ISSUE_DOCUMENTS"] = context.issue_documents
    context.logins = [f"{user.email:<24} {user.role.label:<28} Passwort: {DEMO_PASSWORD}"
                      for user in context.users.values()]
    return context.logins


def _demo_module(package: str):
    try:
        return importlib.import_module(f"{package}.demo")
    except ModuleNotFoundError as missing:
        if missing.name == f"{package}.demo":
            return None
        raise
