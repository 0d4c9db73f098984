"""Reading a CSV or XLSX download back in tests: a list of rows (the first is the header)."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook


def read_export(response) -> list[list]:
    """Rows of a CSV (strings, German format) or XLSX (typed cells) answer; asserts it is a download."""
    assert response.status_code == 200, response.status_code
    assert response.headers["Content-Disposition"].startswith("attachment;")
    if response.mimetype == "text/csv":
        return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig")), delimiter=";"))
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def export_links(page: str) -> list[str]:
    """The ``href`` of the CSV and XLSX links of a page (HTML-unescaped)."""
    import re
    from html import unescape

    return [unescape(href) for href in re.findall(r'href="([^"]*export[=/.][^"]*)"', page)]
