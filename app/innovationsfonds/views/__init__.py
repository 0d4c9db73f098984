"""Pages of the Innovationsfonds under ``/innovationsfonds``, one module per page group: ``start`` (the calls,
an organisation's sketches), ``calls`` (set-up and the round's steps; the form in ``call_forms``),
``review_round`` (matrix, ranking, selection, Steuerkreis view, outbox, statistics, exports), ``sketches``
(the sketch form and page, attachments, eligibility), ``full_application``, ``reviewers`` (assignments,
conflicts, scoring) and ``organisations``. ``blueprint`` holds ``bp`` and what they share."""

from . import calls, full_application, organisations, review_round, reviewers, sketches, start  # noqa: F401 - routes
from .blueprint import bp

__all__ = ["bp"]
