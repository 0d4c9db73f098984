"""Organisations register themselves (issue #20, item 7), and their people are invited by e-mail.

1. ``register`` (public page): organisation name, kind, city, contact person, e-mail. A confirmation link
   with a random token (only its sha256 is stored) goes to that address; it is valid for
   ``CONFIRM_DAYS`` days of the settable clock.
2. ``confirm_email``: the token confirms the address (status ``confirmed``); the administrators are told.
3. ``decide`` (administrator): approve — the kind is confirmed or corrected, the recognition recorded
   (e.g. "anerkannter Träger der freien Jugendhilfe, § 75 SGB VIII"), the ``Organisation`` is created through
   ``organisations.create_organisation`` and the contact person invited — or refuse with a reason (told).
4. ``invite`` (administrator, or a user of the organisation for a colleague: the page "Kolleginnen und
   Kollegen", ``POST /organisations/{id}/invitations``; ``colleagues`` lists users and open invitations) and
   ``accept_invitation``:
   the invitation token (``INVITATION_DAYS`` days) lets the person set a password; the account is created then.

Every public step (registration, confirmation, accepting an invitation) is throttled like the login
(``app.auth.throttling``, the same per-address budget): every attempt counts, so that the pages cannot be
used to spray e-mails or guess tokens. Every step is audited. Messages to a person without an account yet
are queued for the address alone (``Message.recipient_id`` empty).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from types import SimpleNamespace

from flask_babel import lazy_gettext
from sqlalchemy import func, select

from ..auth import throttling
from ..auth.models import Role, User
from ..auth.services import create_user
from ..notifications.kinds import declare_kind
from ..notifications.services import queue_message
from ..platform import clock, limits
from ..platform.errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..platform.extensions import db
from ..platform.fields import EMAIL
from ..reference.models import ORGANISATION_KINDS, Organisation
from .access import notify_admins, record
from .models import Invitation, OrganisationRegistration
from .organisations import create_organisation

REGISTRATION = declare_kind(
    "innovationsfonds.registration", lazy_gettext("Innovationsfonds: Registrierung und Einladungen"),
    roles={"organisation"}, mandatory=True,
    description=lazy_gettext("Bestätigungslinks, Entscheidung über die Registrierung, Einladungen."))
CONFIRM_DAYS = 3
INVITATION_DAYS = 14
LIMITS = {"organisation_name": 200, "city": 120, "contact_name": 200, "email": 200}
THROTTLE_KEY = "innovationsfonds-registration"


def _token() -> tuple[str, str]:
    secret = secrets.token_urlsafe(32)
    return secret, hashlib.sha256(secret.encode()).hexdigest()


def _digest(secret: str) -> str:
    return hashlib.sha256((secret or "").encode()).hexdigest()


def _throttle(client: str) -> None:
    """Count this public attempt; refuse while the address must wait (the login's throttle)."""
    now = clock.now()
    wait = throttling.wait_seconds(THROTTLE_KEY, client, now)
    if wait:
        raise Conflict(f"Zu viele Versuche von dieser Adresse. Bitte warten Sie {wait} Sekunden.")
    throttling.record_failure(THROTTLE_KEY, client, now)


def _to_address(email: str, name: str) -> SimpleNamespace:
    """A recipient without an account: the message goes to the address alone."""
    return SimpleNamespace(id=None, email=email, name=name)


def register(data: dict, client: str) -> OrganisationRegistration:
    _throttle(client)
    values = {name: (data.get(name) or "").strip() for name in LIMITS}
    values["email"] = values["email"].lower()
    kind = data.get("kind") or ""
    errors: dict[str, list[str]] = {}
    for name, message in (("organisation_name", "Bitte den Namen des Trägers angeben."),
                          ("contact_name", "Bitte eine Ansprechperson angeben.")):
        if not values[name]:
            errors[name] = [message]
    for name, limit in LIMITS.items():
        if len(values[name]) > limit:
            errors.setdefault(name, []).append(f"Höchstens {limit} Zeichen.")
    if kind not in ORGANISATION_KINDS:
        errors["kind"] = ["Bitte eine Trägerart wählen."]
    if not EMAIL.match(values["email"]):
        errors["email"] = ["Bitte eine gültige E-Mail-Adresse angeben."]
    if values["organisation_name"] and db.session.scalar(select(Organisation.id).where(
            func.lower(Organisation.name) == values["organisation_name"].lower())):
        errors.setdefault("organisation_name", []).append(
            "Dieser Träger ist bereits registriert; bitten Sie die Ansprechperson um eine Einladung.")
    if errors:
        raise ValidationFailed("Die Registrierung enthält ungültige Angaben.", errors=errors)
    secret, digest = _token()
    registration = OrganisationRegistration(kind=kind, token_hash=digest, created_at=clock.now(),
                                            status="unconfirmed", **values)
    db.session.add(registration)
    db.session.flush()
    record("registration.create", "if_registration", registration.id, None, actor_label=values["email"],
           after={"organisation_name": registration.organisation_name, "kind": kind})
    queue_message(_to_address(registration.email, registration.contact_name), REGISTRATION,
                  "emails/innovationsfonds_registration_confirm.txt", email=True,
                  subject="Bitte bestätigen Sie Ihre E-Mail-Adresse", link=f"/innovationsfonds/registrierung/{secret}",
                  registration=registration, days=CONFIRM_DAYS)
    return registration


def confirm_email(secret: str, client: str) -> OrganisationRegistration:
    _throttle(client)
    registration = db.session.scalar(select(OrganisationRegistration).where(
        OrganisationRegistration.token_hash == _digest(secret)))
    if registration is None:
        raise NotFound("Der Bestätigungslink ist ungültig.")
    if registration.status != "unconfirmed":
        return registration
    if clock.now() > registration.created_at + timedelta(days=CONFIRM_DAYS):
        raise Conflict(f"Der Bestätigungslink ist abgelaufen (gültig {CONFIRM_DAYS} Tage). Bitte registrieren Sie "
                       "sich erneut.")
    registration.status, registration.email_confirmed_at = "confirmed", clock.now()
    record("registration.confirm", "if_registration", registration.id, None, actor_label=registration.email)
    notify_admins(f"Registrierung eines Trägers: {registration.organisation_name}",
                  f"{registration.contact_name} hat den Träger „{registration.organisation_name}“ registriert und die "
                  "E-Mail-Adresse bestätigt. Bitte prüfen Sie Trägerart und Anerkennung.",
                  link="/innovationsfonds/traeger", dedup_key=f"if.registration:{registration.id}")
    return registration


def pending() -> list[OrganisationRegistration]:
    return list(db.session.scalars(select(OrganisationRegistration).where(
        OrganisationRegistration.status == "confirmed").order_by(OrganisationRegistration.id)))


def decide(registration_id: int, actor: User, *, approve: bool, kind: str, recognition: str,
           reason: str = "") -> OrganisationRegistration:
    """Approve (kind and recognition recorded; organisation created; contact invited) or refuse (reason)."""
    if actor.role != Role.PROGRAMME_ADMIN:
        raise Forbidden("Nur die Programmverwaltung entscheidet über Registrierungen.")
    registration = db.session.get(OrganisationRegistration, registration_id)
    if registration is None:
        raise NotFound("Registrierung nicht gefunden.")
    if registration.status != "confirmed":
        raise Conflict("Über diese Registrierung kann nicht (mehr) entschieden werden: die E-Mail-Adresse ist "
                       "nicht bestätigt oder es ist bereits entschieden.")
    recognition, reason = (recognition or "").strip(), (reason or "").strip()
    if approve and not recognition:
        raise ValidationFailed.field("recognition", "Bitte die Anerkennung des Trägers festhalten (Art, Nachweis).")
    if not approve and not reason:
        raise ValidationFailed.field("reason", "Bitte die Ablehnung begründen.")
    if len(recognition) > 2000 or len(reason) > 2000:
        raise ValidationFailed.field("recognition" if approve else "reason", "Höchstens 2000 Zeichen.")
    registration.decided_at, registration.decided_by_id = clock.now(), actor.id
    if approve:
        organisation = create_organisation(actor, {"name": registration.organisation_name, "kind": kind,
                                                   "city": registration.city, "contact_name": registration.contact_name,
                                                   "contact_email": registration.email})
        registration.status, registration.kind, registration.recognition = "approved", kind, recognition
        registration.organisation_id = organisation.id
        invite(organisation.id, actor, email=registration.email, name=registration.contact_name)
    else:
        registration.status, registration.decision_reason = "refused", reason
        queue_message(_to_address(registration.email, registration.contact_name), REGISTRATION,
                      "emails/innovationsfonds_registration_refused.txt", email=True,
                      subject="Ihre Registrierung als Träger", registration=registration)
    record("registration.decide", "if_registration", registration.id, actor,
           after={"status": registration.status, "kind": registration.kind, "recognition": recognition,
                  "reason": reason, "organisation_id": registration.organisation_id})
    return registration


def invite(organisation_id: int, actor: User, *, email: str, name: str) -> Invitation:
    """Invite a person to the organisation's account (the administrator, or a user of that organisation)."""
    if actor.role != Role.PROGRAMME_ADMIN and not (actor.role == Role.ORGANISATION
                                                   and actor.organisation_id == organisation_id):
        raise NotFound("Träger nicht gefunden.")
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound("Träger nicht gefunden.")
    email, name = (email or "").strip().lower(), (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not EMAIL.match(email) or len(email) > limits.NAME:
        errors["email"] = ["Bitte eine gültige E-Mail-Adresse angeben."]
    elif db.session.scalar(select(User.id).where(func.lower(User.email) == email)):
        errors["email"] = ["Mit dieser E-Mail-Adresse besteht bereits ein Benutzerkonto."]
    if not name or len(name) > limits.NAME:
        errors["name"] = [f"Bitte den Namen angeben (höchstens {limits.NAME} Zeichen)."]
    if errors:
        raise ValidationFailed("Die Einladung enthält ungültige Angaben.", errors=errors)
    secret, digest = _token()
    invitation = Invitation(organisation_id=organisation.id, email=email, name=name, token_hash=digest,
                            created_at=clock.now(), expires_at=clock.now() + timedelta(days=INVITATION_DAYS),
                            invited_by_id=actor.id)
    db.session.add(invitation)
    db.session.flush()
    record("invitation.create", "if_invitation", invitation.id, actor,
           after={"organisation_id": organisation.id, "email": email})
    queue_message(_to_address(email, name), REGISTRATION, "emails/innovationsfonds_invitation.txt",
                  email=True, subject=f"Einladung: Zugang für {organisation.name}"[:200],
                  link=f"/innovationsfonds/einladung/{secret}", invitation=invitation, organisation=organisation,
                  days=INVITATION_DAYS)
    return invitation


def invitation_for(secret: str) -> Invitation:
    invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == _digest(secret)))
    if invitation is None or invitation.accepted_at is not None:
        raise NotFound("Die Einladung ist ungültig oder wurde bereits angenommen.")
    if clock.now() > invitation.expires_at:
        raise Conflict("Die Einladung ist abgelaufen. Bitte lassen Sie sich erneut einladen.")
    return invitation


def accept_invitation(secret: str, client: str, *, password: str, repeat: str) -> User:
    """Set the password: the organisation user is created (the e-mail is confirmed by the token)."""
    _throttle(client)
    invitation = invitation_for(secret)
    if password != repeat:
        raise ValidationFailed.field("repeat", "Die Passwörter stimmen nicht überein.")
    user = create_user(email=invitation.email, name=invitation.name, password=password, role=Role.ORGANISATION,
                       organisation_id=invitation.organisation_id, actor_label=invitation.email)
    invitation.accepted_at, invitation.user_id = clock.now(), user.id
    record("invitation.accept", "if_invitation", invitation.id, user, after={"user_id": user.id})
    return user


def colleagues(organisation_id: int, actor: User) -> tuple[list[User], list[Invitation]]:
    """The organisation's users and its open (not accepted, not expired) invitations; the administrator or
    a user of that organisation only (404 otherwise, as ``invite``)."""
    if actor.role != Role.PROGRAMME_ADMIN and not (actor.role == Role.ORGANISATION
                                                   and actor.organisation_id == organisation_id):
        raise NotFound("Träger nicht gefunden.")
    users = db.session.scalars(select(User).where(User.organisation_id == organisation_id).order_by(User.name))
    invitations = db.session.scalars(select(Invitation).where(
        Invitation.organisation_id == organisation_id, Invitation.accepted_at.is_(None),
        Invitation.expires_at >= clock.now()).order_by(Invitation.created_at.desc(), Invitation.id.desc()))
    return list(users), list(invitations)
