"""Pages of the Innovationsfonds under ``/innovationsfonds``, one module per page group: ``start`` (the calls,
an organisation's sketches), ``calls`` (set-up and the round's steps; the form in ``call_forms``),
``review_round`` (matrix, ranking, selection, Steuerkreis view, outbox, statistics, exports), ``sketches``
(the sketch form and page, attachments, eligibility), ``full_application``, ``reviewers`` (assignments,
conflicts, scoring) and ``organisations``. ``blueprint`` holds ``bp`` and what they share. Nested blueprints
(their own endpoint prefixes): ``public`` (call pages without login, the receipt), ``open_reviews``
(``innovationsfonds.reviews.*``) and ``registration`` (self-registration and invitations)."""

from . import (  # noqa: F401 - routes
    calls,
    full_application,
    open_reviews,
    organisations,
    public,
    registration,
    review_round,
    reviewers,
    sketches,
    start,
)
from .blueprint import bp

bp.register_blueprint(public.bp)
bp.register_blueprint(open_reviews.bp)
bp.register_blueprint(registration.bp)

__all__ = ["bp"]
