"""JSON API of the Innovationsfonds under ``/api/v1/innovationsfonds``, one module per resource group: ``calls``
(and organisations), ``sketches`` (attachments, eligibility), ``reviewing`` (conflicts, assignments, reviews),
``decisions`` (ranking, proposals, decision, release, outbox, statistics, full applications, project
decisions). Routes never commit: the request edge does."""

from . import calls, decisions, invitations, reviewing, sketches  # noqa: F401 - routes
from .blueprint import blp

__all__ = ["blp"]
