"""Issue #19: the expense CSV is read as a stream (one chunked pass for hash and encoding, lines decoded as
they are read); the result is the same as from the whole bytes, for any chunk size."""

from __future__ import annotations

import hashlib
import io
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.budgets import csv_import
from app.budgets.csv_import import batches, open_upload, scan
from app.budgets.models import Expense
from app.platform import clock
from app.platform.extensions import db


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@given(st.one_of(st.text(max_size=60).map(lambda t: t.encode("utf-8")), st.binary(max_size=60)),
       st.integers(min_value=1, max_value=9))
def test_one_chunked_pass_gives_the_hash_and_the_encoding(data, chunk):
    original = csv_import.CHUNK
    csv_import.CHUNK = chunk  # multi-byte characters cross chunk boundaries
    try:
        upload = open_upload(io.BytesIO(data))
    finally:
        csv_import.CHUNK = original
    assert upload.sha256 == hashlib.sha256(data).hexdigest() and upload.size == len(data)
    assert upload.lines == data.count(b"\n") + (bool(data) and not data.endswith(b"\n"))  # the cheap line count

    assert upload.encoding == ("utf-8-sig" if _is_utf8(data) else "cp1252")
    assert upload.stream.tell() == 0


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1252"])
def test_streamed_parse_reads_both_encodings_and_leaves_the_upload_open(app, make_grant, encoding):
    grant = make_grant()
    text = "datum;baustein;betrag;beleg;beschreibung\r\n01.03.2021;F1;12,50;S-1;Bürobedarf „Größe“\r\n"
    stream = io.BytesIO(text.encode(encoding))
    with clock.freeze(date(2022, 12, 1)):
        first = scan(open_upload(stream), grant, today=clock.today())
        rows = [row for batch in batches(first, grant, today=clock.today()) for row in batch]
    assert [(r["voucher_ref"], r["description"], r["amount_cents"]) for r in rows] == [
        ("S-1", "Bürobedarf „Größe“", 1250)]
    assert not stream.closed  # the text wrapper is detached, the request still owns the upload


def test_page_upload_is_streamed_and_hash_stored(app, make_grant, make_user, client):
    grant = make_grant()
    client.login(make_user("kommune"))
    body = b"datum;baustein;betrag;beleg;beschreibung\n01.03.2021;F1;12,50;P-1;Honorar\n"
    with clock.freeze(date(2022, 12, 1)):
        answer = client.post(f"/budgets/zuwendungen/{grant.id}/ausgaben/import",
                             data={"file": (io.BytesIO(body), "a.csv")}, content_type="multipart/form-data")
    assert answer.status_code == 200
    expense = db.session.scalars(db.select(Expense)).one()
    assert expense.voucher_ref == "P-1" and expense.import_line == 2
    from app.budgets.models import ExpenseImport

    assert db.session.scalars(db.select(ExpenseImport)).one().file_sha256 == hashlib.sha256(body).hexdigest()
    app.config["EXPORT_BACKGROUND_ROWS"] = 0  # the expense list (build_listing) above the threshold: the offer page
    try:
        for url in (f"/budgets/zuwendungen/{grant.id}/ausgaben?export=csv",
                    f"/budgets/zuwendungen/{grant.id}/ausgaben/export.xlsx"):
            offer = client.get(url)
            assert offer.status_code == 200 and "Export im Hintergrund erstellen" in offer.get_data(as_text=True)
    finally:
        app.config["EXPORT_BACKGROUND_ROWS"] = 20_000
