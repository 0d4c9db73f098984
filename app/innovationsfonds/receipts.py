"""Innovationsfonds: what an applicant is told without asking — the receipt (Eingangsbestätigung) of a
submitted sketch and the public call page.

* ``send_receipt`` is called by ``services.submit_sketch`` in the submission's transaction: every active
  user of the submitting organisation gets one message (inbox and e-mail: a receipt proves the deadline was
  met, so the kind is mandatory) naming the sketch number, the submission time to the second and the amount.
  The same facts are on the printable receipt page (``receipt_of``), for the organisation and staff only —
  a reviewer must not learn which organisation wrote a sketch.
* ``public_calls``/``public_call``: the conditions of a call for everyone, without login (decision: every
  call is shown from its creation — there is no unpublished state of a call, and applicants need the rules
  before the window opens; nothing of the sketches, reviews or decisions is on these pages).
"""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext
from sqlalchemy import select

from ..auth.models import Role, User
from ..notifications.kinds import declare_kind
from ..notifications.services import queue_message, users_with_role
from ..platform import clock
from ..platform.errors import NotFound
from ..platform.extensions import db
from ..platform.money import format_eur
from .models import Call, Sketch

RECEIPT = declare_kind(
    "innovationsfonds.receipt", lazy_gettext("Innovationsfonds: Eingangsbestätigung einer Projektskizze"),
    roles={"organisation"}, mandatory=True,
    description=lazy_gettext("Bestätigt die fristgerechte Einreichung mit Skizzennummer, Zeitpunkt und Betrag."))


def send_receipt(sketch: Sketch) -> None:
    """Queue the receipt of a just submitted sketch to every active user of its organisation."""
    subject = f"Eingangsbestätigung {sketch.reference}: {sketch.title}"[:200]
    link = f"/innovationsfonds/skizzen/{sketch.id}/eingangsbestaetigung"
    for user in users_with_role(Role.ORGANISATION, organisation_id=sketch.organisation_id):
        queue_message(user, RECEIPT, "emails/innovationsfonds_receipt.txt", subject=subject, link=link,
                      dedup_key=f"if-receipt:{sketch.id}:u{user.id}", sketch=sketch,
                      submitted=submitted_text(sketch), amount=format_eur(sketch.requested_cents))


def submitted_text(sketch: Sketch) -> str:
    """The submission time to the second, Berlin time (the deadline is to the second)."""
    return sketch.submitted_at.astimezone(clock.BERLIN).strftime("%d.%m.%Y %H:%M:%S")


def receipt_of(sketch_id: int, actor: User) -> Sketch:
    """The submitted sketch for its receipt page: its own organisation and staff; everyone else 404."""
    from .services import STAFF_ROLES, get_sketch

    if actor.role not in (*STAFF_ROLES, Role.ORGANISATION):
        raise NotFound("Projektskizze nicht gefunden.")
    sketch = get_sketch(sketch_id, actor)
    if sketch.submitted_at is None:
        raise NotFound("Zu diesem Entwurf gibt es noch keine Eingangsbestätigung.")
    return sketch


def public_calls() -> list[Call]:
    """Every call, newest window first."""
    return list(db.session.scalars(select(Call).order_by(Call.opens_at.desc(), Call.id.desc())))


def weight_shares(call: Call) -> dict[int, Decimal]:
    """Each criterion's share of the total weight in percent (criterion id -> Decimal, one place)."""
    total = sum(c.weight for c in call.criteria)
    return {c.id: (Decimal(c.weight * 100) / total).quantize(Decimal("0.1")) for c in call.criteria}


def public_call(call_id: int) -> Call:
    call = db.session.get(Call, call_id)
    if call is None:
        raise NotFound("Aufruf nicht gefunden.")
    return call
