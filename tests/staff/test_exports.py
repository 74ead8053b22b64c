"""CSV and Excel exports: Chinese that Excel reads, times in China time, no formulas."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import openpyxl

from app.accounts.models import StaffRole
from app.staff.exports import csv_bytes, download, xlsx_bytes

HEADERS = ["编号", "类别", "描述", "受理时间", "已解决", "满意度"]
ROWS = [
    ["SSP-20261124-0007", "路灯损坏", "三栋门口路灯不亮", datetime(2026, 11, 24, 1, 5, tzinfo=UTC),
     True, 5],
    ["SSP-20261124-0008", "垃圾堆放", "=HYPERLINK(\"http://x\",\"点我\")", None, False, None],
]


def test_csv_starts_with_a_byte_order_mark_and_reads_back():
    body = csv_bytes(HEADERS, ROWS)
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == HEADERS
    assert rows[1] == ["SSP-20261124-0007", "路灯损坏", "三栋门口路灯不亮", "2026-11-24 09:05",
                       "是", "5"]
    assert rows[2][4:] == ["否", ""]


def test_csv_lines_end_with_crlf():
    assert csv_bytes(["a"], [["b"]]).count(b"\r\n") == 2


def test_csv_text_that_looks_like_a_formula_is_neutralised():
    rows = list(csv.reader(io.StringIO(csv_bytes(HEADERS, ROWS).decode("utf-8-sig"))))
    assert rows[2][2] == "'=HYPERLINK(\"http://x\",\"点我\")"
    for start in ("+1", "-1", "@SUM(A1)"):
        text = csv_bytes(["x"], [[start]]).decode("utf-8-sig").splitlines()[1]
        assert text.startswith("'")


def test_negative_numbers_stay_numbers():
    assert csv_bytes(["x"], [[-3]]).decode("utf-8-sig").splitlines()[1] == "-3"


def test_xlsx_reads_back_with_typed_cells():
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(HEADERS, ROWS, sheet_title="报事")))
    sheet = workbook["报事"]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == HEADERS
    assert values[1] == ["SSP-20261124-0007", "路灯损坏", "三栋门口路灯不亮",
                         datetime(2026, 11, 24, 9, 5), "是", 5]
    assert sheet["D2"].number_format == "yyyy-mm-dd hh:mm"
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.bold


def test_xlsx_stores_formula_like_text_as_text():
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(HEADERS, ROWS)))
    cell = workbook.active["C3"]
    assert cell.data_type == "s"
    assert cell.value == "=HYPERLINK(\"http://x\",\"点我\")"


def test_xlsx_columns_are_wide_enough_for_chinese():
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(HEADERS, ROWS))).active
    assert sheet.column_dimensions["C"].width >= 2 * len("三栋门口路灯不亮")


def test_control_characters_do_not_break_the_workbook():
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(["x"], [["响铃\x07字符"]])))
    assert workbook.active["A2"].value == "响铃字符"


def test_enums_dates_and_structures_become_readable_text():
    body = csv_bytes(["a", "b", "c"], [[StaffRole.HANDLER, date(2026, 11, 24), {"甲": 1}]])
    assert body.decode("utf-8-sig").splitlines()[1] == '网格员,2026-11-24,"{""甲"": 1}"'


def test_a_download_names_the_file_in_chinese_with_the_date(app, clock):
    with app.test_request_context():
        response = download("xlsx", "报事清单", HEADERS, ROWS)
    disposition = response.headers["Content-Disposition"]
    assert "filename*=UTF-8''%E6%8A%A5%E4%BA%8B%E6%B8%85%E5%8D%95-2026-11-24.xlsx" in disposition
    assert response.mimetype.endswith("spreadsheetml.sheet")
