"""Tables for download: CSV that Excel opens in Chinese, and Excel workbooks (openpyxl).

Both are built from the same `headers` and `rows` (sequences of plain values). Values are made
readable on the way: times in China time, True/False as 是/否, None empty, enums by their label.
Text from residents can start with "=", "+", "-" or "@", which a spreadsheet would run as a
formula (CSV injection): in CSV such text is prefixed with an apostrophe, in Excel it is stored
as text.
"""

from __future__ import annotations

import csv
import enum
import io
import json
from collections.abc import Sequence
from datetime import date, datetime

from flask import Response, send_file
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from app import clock

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_TIME_FORMAT = "%Y-%m-%d %H:%M"


def plain_value(value):
    """A cell value both formats can hold: str, int, float, naive local datetime or date."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, enum.Enum):
        return getattr(value, "label", value.value)
    if isinstance(value, datetime):
        return clock.to_local(value).replace(tzinfo=None, second=0, microsecond=0)
    if isinstance(value, (int, float, date, str)):
        return value
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def csv_bytes(headers: Sequence[str], rows: Sequence[Sequence]) -> bytes:
    """UTF-8 with a byte-order mark (without it Excel reads Chinese as mojibake), CRLF lines."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_csv_text(h) for h in headers])
    for row in rows:
        writer.writerow([_csv_text(plain_value(v)) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _csv_text(value) -> str:
    if isinstance(value, datetime):
        return value.strftime(_TIME_FORMAT)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return str(value)


def xlsx_bytes(headers: Sequence[str], rows: Sequence[Sequence], *,
               sheet_title: str = "数据") -> bytes:
    """One sheet: a bold, frozen header row, columns wide enough for their Chinese text."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(sheet_title))
    table = [[plain_value(v) for v in row] for row in rows]
    for index, width in enumerate(_column_widths(headers, table), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=_xlsx_text(str(header)))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in table:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_text(text: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def _xlsx_cell(sheet, value):
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd hh:mm"
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=_xlsx_text(value))
        # openpyxl takes text starting with "=" for a formula; this is data.
        cell.data_type = "s"
        return cell
    return value


def _display_width(value) -> int:
    if isinstance(value, datetime):
        return 16
    text = str(value)
    # CJK characters take about two columns.
    return sum(2 if ord(char) > 0x2E7F else 1 for char in text)


def _column_widths(headers: Sequence[str], table: list[list]) -> list[float]:
    widths = [_display_width(h) for h in headers]
    for row in table[:200]:
        for index, value in enumerate(row[:len(widths)]):
            widths[index] = max(widths[index], _display_width(value))
    return [min(max(width + 2, 8), 60) for width in widths]


def _sheet_title(title: str) -> str:
    cleaned = "".join(c for c in title if c not in "[]:*?/\\")
    return cleaned[:31] or "数据"


def download(fmt: str, filename: str, headers: Sequence[str], rows: Sequence[Sequence], *,
             sheet_title: str = "数据") -> Response:
    """A file download of the table: `fmt` is "csv" or "xlsx"; `filename` without extension
    (Chinese allowed; today's date is added)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    if fmt == "csv":
        body = csv_bytes(headers, rows)
    else:
        body = xlsx_bytes(headers, rows, sheet_title=sheet_title)
    name = f"{filename}-{clock.local_today().isoformat()}.{fmt}"
    return send_file(io.BytesIO(body), mimetype=FORMATS[fmt], as_attachment=True,
                     download_name=name, max_age=0)
