"""Pagination of SQLAlchemy selects for flask-smorest (``@blp.paginate(SelectPage)``).

Clients pass ``page`` and ``page_size``; the answer carries the ``X-Pagination`` header
(total, total_pages, first/last/previous/next page) as flask-smorest documents it.
"""

from __future__ import annotations

from flask_smorest import Page
from sqlalchemy import func, select

from ..extensions import db


class SelectPage(Page):
    """A page of a ``select(...)`` statement: one COUNT and one LIMIT/OFFSET query."""

    @property
    def items(self):
        # A page past the last one is empty without asking the database: ``page`` has no upper bound
        # in the spec, and a huge one made an OFFSET beyond 64 bits (500 on both engines; found by fuzzing).
        if self.page_params.first_item >= self.page_params.item_count:
            return []
        statement = self.collection.offset(self.page_params.first_item).limit(self.page_params.page_size)
        return list(db.session.scalars(statement))

    @property
    def item_count(self) -> int:
        return db.session.scalar(select(func.count()).select_from(self.collection.order_by(None).subquery()))
