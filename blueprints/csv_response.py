"""CSV downloads (pick lists) for spreadsheets and warehouse systems."""
from __future__ import annotations

import csv
import io

from flask import Response


def csv_response(filename: str, header: list[str], rows: list[list]) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    # A UTF-8 BOM so spreadsheet programs read Chinese product names correctly.
    response = Response("\ufeff" + out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
