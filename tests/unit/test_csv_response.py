"""CSV downloads never hand a spreadsheet a formula taken from user input."""
from __future__ import annotations

import csv
import io

from blueprints.csv_response import csv_response


def rows_of(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_text_that_a_spreadsheet_would_run_is_quoted_and_numbers_are_not(app):
    with app.test_request_context():
        response = csv_response("x.csv", ["name", "cents"], [
            ['=HYPERLINK("http://evil.example","click")', -500], ["+1 555", 0], ["@SUM(A1)", 1],
            ["-2+3", 2], ["Chen Jing", 3], ["王芳", 4]])
    assert response.headers["Content-Disposition"] == 'attachment; filename="x.csv"'
    assert rows_of(response) == [
        ["name", "cents"], ['\'=HYPERLINK("http://evil.example","click")', "-500"], ["'+1 555", "0"],
        ["'@SUM(A1)", "1"], ["'-2+3", "2"], ["Chen Jing", "3"], ["王芳", "4"]]
