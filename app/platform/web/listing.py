"""Server-side lists: paging, sorting, search and export of exactly the list shown.

A page builds a ``select(...)`` with its own filters, then hands it to :func:`build_listing` with its
columns. Everything the user chose lives in the URL (``q``, ``sort``, ``dir``, ``page`` and the page's
own filters), so a list can be bookmarked and shared. ``?export=csv`` or ``?export=xlsx`` on the same
URL answers a download with the same columns and the same rows in the same order (all pages of the
current selection, not just the visible page), produced by ``app.platform.web.exports``.

Queries per page view: one LIMIT/OFFSET select that reads one row more than the page shows (so the page
knows whether another follows), and at most one capped COUNT. The count reads at most ``LIST_COUNT_CAP`` + 1
rows (issue #19: a COUNT over a grant's ~9,400 expenses doubled the page's time at 1M journal lines); above the
cap the list shows "mehr als N" and pages forward without a last page until the user asks for the exact number
(``?count=exact``, "Gesamtzahl ermitteln"). The last page (and a list that fits on one page) needs no count at
all: its rows give the total. Exports still count exactly (``count_rows``): that number decides between
streaming now and offering a background export.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from flask import Response, current_app
from sqlalchemy import Select, func, or_, select

from .. import clock
from ..extensions import db
from .exports import FORMATS, Column, Kind, count_rows, export_response, today_stamp

PAGE_LIMIT = 100_000
MAX_EXPORT_ROWS = 50_000
EXPORT_BATCH = 1000  # ORM objects per fetch while an export streams


@dataclass(frozen=True)
class ListColumn:
    key: str
    label: str  # German column name, on screen and in the export
    value: Callable[[Any], Any]  # the row's raw value (cents, dates): exported as such, shown formatted
    kind: Kind = "text"
    sort: Any = None  # SQL expression to sort by; None: not sortable

    @property
    def numeric(self) -> bool:
        return self.kind in ("money", "int", "decimal", "percent")


@dataclass
class Listing:
    columns: Sequence[ListColumn]
    rows: list
    total: int
    page: int
    per_page: int
    sort: str
    descending: bool
    args: dict = field(default_factory=dict)
    search: bool = False
    base: str = ""  # the list's URL path; empty: relative to the current URL
    exact: bool = True  # False: ``total`` is only the rows known to exist, more than ``cap``
    cap: int = 0

    @property
    def pages(self) -> int:
        """The number of pages; when the count is not exact, the pages known to exist."""
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def first(self) -> int:
        return 0 if not self.total else (self.page - 1) * self.per_page + 1

    @property
    def last(self) -> int:
        return min(self.page * self.per_page, self.total)

    def query(self, **changes) -> str:
        merged = {**self.args, **{k: v for k, v in changes.items()}}
        return self.base + "?" + urlencode({k: v for k, v in merged.items() if v not in (None, "")})

    def page_url(self, page: int) -> str:
        return self.query(page=page)

    def sort_url(self, key: str) -> str:
        descending = not self.descending if key == self.sort else False
        return self.query(sort=key, dir="desc" if descending else "asc", page=None)

    def exact_count_url(self) -> str:
        return self.query(count="exact", page=self.page)

    def export_url(self, fmt: str) -> str:
        return self.query(export=fmt, page=None)

    def aria_sort(self, key: str) -> str | None:
        if key != self.sort:
            return None
        return "descending" if self.descending else "ascending"


def export_of(args: Mapping[str, str], filename: str,
              build: Callable[[], tuple[Sequence[Column], Iterable[Sequence[Any]]]]) -> Response | None:
    """The download when the page's URL asks ``export=csv|xlsx``, else None.

    For lists a page builds in Python (not through :func:`build_listing`): the page computes its rows
    with its own filters, ``build`` returns ``(columns, rows)`` of exactly that list, and the template
    links it with ``lists.export_links()``. The file is named ``<filename>-<today>``.
    """
    fmt = args.get("export")
    if fmt not in FORMATS:
        return None
    columns, rows = build()
    columns = [Column(str(c.label), c.kind) for c in columns]  # lazy labels in the request's language
    lazy = isinstance(rows, _LazyRows)
    return export_response(f"{filename}-{today_stamp(clock.today())}", fmt, columns, rows, lazy=lazy,
                           count=rows.count if lazy else None)


def _page(args: Mapping[str, str]) -> int:
    raw = args.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < PAGE_LIMIT else 1


class _LazyRows:
    """A list's export rows, queried only when the streamed answer is read, ``EXPORT_BATCH`` at a time.

    ``table_rows``: the columns read only the listed entity's own columns, so the export reads plain rows of
    its table (Core, same filter and order) instead of building an object per row: a third of the cost of a
    200,000-row export (issue #19).
    """

    def __init__(self, statement: Select, columns: Sequence[ListColumn], table_rows: bool = False) -> None:
        self.statement, self.columns, self.table_rows = statement, columns, table_rows

    def count(self) -> int:
        return min(count_rows(db.session, self.statement), MAX_EXPORT_ROWS)

    def __iter__(self) -> Iterator[list]:
        statement = self.statement.limit(MAX_EXPORT_ROWS).execution_options(yield_per=EXPORT_BATCH)
        if self.table_rows:
            entity = self.statement.column_descriptions[0]["entity"]
            items = db.session.execute(statement.with_only_columns(*entity.__table__.c))
        else:
            items = db.session.scalars(statement)
        values = [c.value for c in self.columns]
        for item in items:
            yield [value(item) for value in values]


def build_listing(statement: Select, columns: Sequence[ListColumn], *, args: Mapping[str, str],
                  default_sort: str | None = None, default_descending: bool = False, search: Sequence = (),
                  tiebreak: Any = None, per_page: int = 50, filename: str = "liste", base: str = "",
                  export_table_rows: bool = False) -> Listing | Response:
    """Apply search, sort and paging to ``statement``; or answer the export when ``export`` is asked.

    ``export_table_rows``: the columns' values read only the entity's own table columns (no relationship), so
    the export may read rows instead of objects (see ``_LazyRows``).
    """
    by_key = {c.key: c for c in columns}
    kept = {k: v for k, v in args.items() if k not in ("export",) and v}
    sort = args.get("sort", "")
    if sort not in by_key or by_key[sort].sort is None:
        sort = default_sort or ""
    descending = args.get("dir") == "desc" if "dir" in args and sort == args.get("sort") else default_descending
    text = (args.get("q") or "").strip()[:100]
    if text and search:
        needle = text.casefold()
        statement = statement.where(or_(*[func.lower(col).contains(needle, autoescape=True) for col in search]))
    if sort:
        expression = by_key[sort].sort
        order = [expression.desc() if descending else expression.asc()]
        if tiebreak is not None:
            order.append(tiebreak.desc() if descending else tiebreak.asc())
        statement = statement.order_by(None).order_by(*order)
    exported = export_of(args, filename, lambda: (
        [Column(c.label, c.kind) for c in columns], _LazyRows(statement, columns, export_table_rows)))
    if exported is not None:
        return exported
    cap = current_app.config["LIST_COUNT_CAP"]
    page, exact = _page(args), args.get("count") == "exact"
    rows, more = _page_rows(statement, page, per_page)
    offset = (page - 1) * per_page
    if not more and (rows or page == 1):  # the last page: its rows give the total
        total, exact = offset + len(rows), True
    elif more and offset + per_page >= cap and not exact:  # this page alone proves more than the cap
        total = offset + per_page + 1
    else:
        # a page beyond the end (a stale or hand-made URL) needs the exact number to find the last page
        total = capped_count(db.session, statement, cap) if rows and not exact else count_rows(db.session, statement)
        exact = exact or total <= cap or not rows
        last_page = max(1, math.ceil(total / per_page))
        if exact and page > last_page:
            page = last_page
            rows, more = _page_rows(statement, page, per_page)
    return Listing(columns, rows, total, page, per_page, sort, descending, kept, search=bool(search), base=base,
                   exact=exact, cap=cap)


def _page_rows(statement: Select, page: int, per_page: int) -> tuple[list, bool]:
    """The page's rows and whether more follow (one row more is read than the page shows)."""
    rows = list(db.session.scalars(statement.offset((page - 1) * per_page).limit(per_page + 1)))
    return rows[:per_page], len(rows) > per_page


def capped_count(session, statement: Select, cap: int) -> int:
    """The number of rows ``statement`` returns, but at most ``cap + 1`` (read no further than that)."""
    limited = statement.order_by(None).limit(cap + 1).subquery()
    return session.scalar(select(func.count()).select_from(limited)) or 0
