"""CSV downloads (pick lists, analytics) for spreadsheets and warehouse systems."""
from __future__ import annotations

import csv
import io

from flask import Response

# A text cell starting with one of these is run as a formula by spreadsheet programs; shopper names
# and campaign names are user input, so such cells get a leading apostrophe (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(value):
    return f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_START) else value


def csv_response(filename: str, header: list[str], rows: list[list]) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([_safe(v) for v in row] for row in rows)
    # A UTF-8 BOM so spreadsheet programs read Chinese product names correctly.
    response = Response("\ufeff" + out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
