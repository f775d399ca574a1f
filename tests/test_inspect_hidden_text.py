"""The leak inspector, further (issue 15): text formatted to be invisible is reported whatever it says, and a
string shaped like the children's IDs in the inputs is reported even when that exact ID was never seen.

Workbooks are written here with XlsxWriter (every way a cell's text can be hidden by its formatting) and read
back by ``inspect_workbook`` as a build's own check and ``pqa inspect`` read them.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import xlsxwriter

from pqa_desktop.core.inspect import inspect_workbook
from pqa_desktop.core.inspect.leak import INVISIBLE_TEXT
from pqa_desktop.core.inspect.matching import CASE_REFERENCE, ID_SHAPE

LA = "Anytown Council"


def _workbook(path: Path, write) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"author": LA})
    ws = wb.add_worksheet("Summary")
    ws.write_string(0, 0, "Audits this month")  # ordinary text, black on white
    write(wb, ws)
    wb.close()
    return path


HIDING = {
    "white on white": lambda wb, ws: ws.write_string(1, 0, "note", wb.add_format({"font_color": "#FFFFFF"})),
    "white on a white fill": lambda wb, ws: ws.write_string(1, 0, "note", wb.add_format(
        {"font_color": "#FFFFFF", "bg_color": "#FFFFFF", "pattern": 1})),
    "near white on white": lambda wb, ws: ws.write_string(1, 0, "note", wb.add_format({"font_color": "#F2F2F2"})),
    "blue on the same blue": lambda wb, ws: ws.write_string(1, 0, "note", wb.add_format(
        {"font_color": "#1F4E79", "bg_color": "#1F4E78", "pattern": 1})),
    "one point text": lambda wb, ws: ws.write_string(1, 0, "note", wb.add_format({"font_size": 1})),
    "two point text": lambda wb, ws: ws.write_number(1, 0, 7752564, wb.add_format({"font_size": 2})),
    "a format that shows nothing": lambda wb, ws: ws.write_string(1, 0, "note", wb.add_format({"num_format": ";;;"})),
    "a white run of rich text": lambda wb, ws: ws.write_rich_string(
        1, 0, "Seen ", wb.add_format({"font_color": "#FFFFFF"}), "unseen"),
}


@pytest.mark.parametrize("how", sorted(HIDING))
def test_text_formatted_to_be_invisible_is_reported_whatever_it_says(tmp_path, how):
    path = _workbook(tmp_path / "w.xlsx", HIDING[how])
    leaks = [leak for leak in inspect_workbook(path, la_name=LA) if leak.kind == INVISIBLE_TEXT]
    assert len(leaks) == 1, how
    [leak] = leaks
    assert leak.part == "sheet 'Summary'" and "A2" in leak.detail and "note" not in leak.detail
    assert "unseen" not in leak.detail and "7752564" not in leak.detail


def test_visible_text_is_not_reported(tmp_path):
    def write(wb, ws):
        ws.write_string(1, 0, "white on navy", wb.add_format({"font_color": "#FFFFFF", "bg_color": "#1F4E79",
                                                              "pattern": 1}))
        ws.write_string(2, 0, "grey", wb.add_format({"font_color": "#595959"}))
        ws.write_string(3, 0, "small", wb.add_format({"font_size": 8}))
        ws.write_blank(4, 0, None, wb.add_format({"font_color": "#FFFFFF"}))  # nothing to see: nothing hidden
    assert inspect_workbook(_workbook(tmp_path / "w.xlsx", write), la_name=LA) == []


def test_a_theme_colour_is_resolved(tmp_path):
    """A font in the theme's first colour (the background, white) on no fill: invisible."""
    path = _workbook(tmp_path / "w.xlsx", lambda wb, ws: ws.write_string(1, 0, "x", wb.add_format({"font_color": "#000000"})))
    import zipfile
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    parts["xl/styles.xml"] = parts["xl/styles.xml"].replace(b'<color rgb="FF000000"/>', b'<color theme="0"/>', 1)
    themed = tmp_path / "themed.xlsx"
    with zipfile.ZipFile(themed, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    assert [leak.kind for leak in inspect_workbook(themed, la_name=LA)] == [INVISIBLE_TEXT]


def test_the_demo_workbook_has_no_invisible_text(shared_demo):
    out = shared_demo()  # the demo workbook, built once per run (conftest.py)
    assert [leak for leak in inspect_workbook(out, la_name=LA) if leak.kind == INVISIBLE_TEXT] == []


# ---------------------------------------------------------------- strings shaped like the inputs' IDs

IDS = ["C123456", "C234567", "C345678", "CF-20931", "CF-20932", "CF-20933", "7752564", "7752565", "7752566"]


def _with_text(tmp_path: Path, text: str, number: float | None = None) -> Path:
    def write(wb, ws):
        ws.write_string(1, 0, text)
        if number is not None:
            ws.write_number(2, 0, number)
    return _workbook(tmp_path / "w.xlsx", write)


@pytest.mark.parametrize("text", ["Child C999999 was seen twice", "cf-55555", "See CF-55555.", "Child 1234567 moved"])
def test_a_string_shaped_like_the_inputs_ids_is_reported_though_never_seen(tmp_path, text):
    leaks = inspect_workbook(_with_text(tmp_path, text), identifiers=IDS, la_name=LA)
    expected = [] if text == "cf-55555" else [ID_SHAPE]  # small letters: not the capitals the IDs have
    assert [leak.kind for leak in leaks] == expected, text
    assert all("C999999" not in leak.detail and "55555" not in leak.detail for leak in leaks)


def test_a_known_id_is_reported_as_itself_and_counts_and_colours_are_not_ids(tmp_path):
    assert [leak.kind for leak in inspect_workbook(_with_text(tmp_path, "Child C123456"), identifiers=IDS,
                                                   la_name=LA)] == [CASE_REFERENCE]
    # a count in a number cell, a decimal, a number with thousands separators, a date, a year range
    text = "1,234,567 contacts, 0.1234567 of them, on 2024-09-30, 2023/24"
    assert inspect_workbook(_with_text(tmp_path, text, number=1234567), identifiers=IDS, la_name=LA) == []


def test_a_shape_needs_three_ids_and_six_characters(tmp_path):
    assert inspect_workbook(_with_text(tmp_path, "Child C999999"), identifiers=["C123456", "C234567"], la_name=LA) == []
    assert inspect_workbook(_with_text(tmp_path, "Case AB123"), identifiers=["AB001", "AB002", "AB003"], la_name=LA) == []


def test_opting_in_to_case_references_opts_in_to_their_shapes(tmp_path):
    path = _with_text(tmp_path, "Child C999999")
    assert inspect_workbook(path, identifiers=IDS, la_name=LA, allow_case_refs=True) == []


def _many_hidden(wb, ws):
    white, tiny = wb.add_format({"font_color": "#FFFFFF"}), wb.add_format({"font_size": 1})
    for row in range(1, 40):
        for col in range(0, 6, 2):
            ws.write_string(row, col, "note", white if (row + col) % 3 else tiny)
            ws.write_number(row, col + 1, row * col)


def test_cells_found_by_their_tag_are_those_and_in_the_order_of_each_element_looked_at(tmp_path):
    """The cells are found by the parser's search for their one tag (issue 18), not by looking at every element:
    the same cells named, in the same order, as looking at every element finds; and a sheet naming cells by two
    tags (another namespace) is still looked at element by element."""
    import io
    import re
    import zipfile
    from unittest import mock

    from pqa_desktop.core.inspect import formatting

    path = _workbook(tmp_path / "w.xlsx", _many_hidden)
    walk = lambda package, part, root: (el for el in root.iter() if formatting.local(el.tag) == "c")  # noqa: E731
    with mock.patch.object(formatting, "_cells_in_order", walk):
        expected = [leak for leak in inspect_workbook(path, la_name=LA) if leak.kind == INVISIBLE_TEXT]
    found = [leak for leak in inspect_workbook(path, la_name=LA) if leak.kind == INVISIBLE_TEXT]
    assert found == expected and len(found) == 1 and "A2 (" in found[0].detail and "more" in found[0].detail

    # The sheet's first hidden cell, written again in a namespace of its own: still found, still first.
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    cell = re.search(rb'<c r="A2"[^>]*>.*?</c>', parts[sheet]).group(0)
    other = cell.replace(b"<c ", b'<x:c xmlns:x="urn:other" ', 1).replace(b"</c>", b"</x:c>")
    parts[sheet] = parts[sheet].replace(cell, other, 1)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    with mock.patch.object(formatting, "_cells_in_order", walk):
        expected = [leak for leak in inspect_workbook(out.getvalue(), la_name=LA) if leak.kind == INVISIBLE_TEXT]
    found = [leak for leak in inspect_workbook(out.getvalue(), la_name=LA) if leak.kind == INVISIBLE_TEXT]
    assert found == expected and "A2 (" in found[0].detail
