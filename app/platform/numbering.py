"""Gap-free running numbers per series ("ZB-2020-0001", "IF-2-0007") for decisions and letters.

One counter row per series, locked while a number is drawn, so two transactions never draw the
same number and a rolled-back one gives its number back.
"""

from __future__ import annotations

from sqlalchemy import Integer, String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from .database import lock_for_update
from .extensions import db


class NumberSeries(db.Model):
    """The last number used per series; locked while a number is drawn."""

    __tablename__ = "number_series"

    series: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


def next_number(series: str) -> int:
    """The next number of ``series``; the counter row stays locked until the transaction ends."""
    statement = lock_for_update(select(NumberSeries).where(NumberSeries.series == series)).execution_options(
        populate_existing=True)
    counter = db.session.scalar(statement)
    if counter is None:
        try:
            with db.session.begin_nested():
                db.session.add(NumberSeries(series=series, last_value=0))
        except IntegrityError:
            pass  # another transaction created it first; lock theirs
        counter = db.session.scalar(statement)
    counter.last_value += 1
    db.session.flush()
    return counter.last_value
