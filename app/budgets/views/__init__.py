"""Budget pages (German; English after main.set_language): my budget, drawdowns, expenses with import, proof
of use, final decision, reclaims; for finance the drawdown queue, state-wide status, reconciliation and exports.

One blueprint ``bp`` (in ``common``); the pages are grouped by aggregate in the modules imported here. Every change
reads its form through the API's schema (``load_form``) and runs through ``edge.submit``: the request edge
commits once.
"""

from . import expenses, finance, grants, hearings, settlement  # noqa: F401 - the pages register on bp
from .common import bp

__all__ = ["bp"]
