"""The leak inspector parses a large part in pieces (issue 18: one call into the parser's C code held the
app's window while a council's largest sheet was parsed), to the same tree and the same errors."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from pqa_desktop.core.inspect import package


def _sheet(rows: int) -> bytes:
    hidden = ' hidden="1"'
    cells = "".join(f'<row r="{r}"{hidden if r % 97 == 0 else ""}><c r="A{r}" t="s"><v>{r}</v></c>'
                    f'<c r="B{r}"><v>{r * 1.5}</v></c></row>' for r in range(1, rows + 1))
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f"<sheetData>{cells}</sheetData></worksheet>").encode("utf-8")


def test_a_large_part_is_parsed_in_pieces_to_the_same_tree(monkeypatch):
    data = _sheet(20000)
    assert len(data) > 4 * package._FEED_BYTES
    fed: list[int] = []
    real = package.XMLParser

    class Counting(real):  # the C parser, every piece it is given counted
        def feed(self, piece):
            fed.append(len(piece))
            return super().feed(piece)

    monkeypatch.setattr(package, "XMLParser", Counting)
    tree = package._parse(data)
    assert len(fed) > 1 and max(fed) <= package._FEED_BYTES
    assert ET.tostring(tree) == ET.tostring(ET.fromstring(data))


@pytest.mark.parametrize("data", [b"", b"<a><b></a>", b"<a>" * 10 + b"x", b"not xml"])
def test_a_part_that_is_not_xml_fails_as_before(data):
    with pytest.raises(ET.ParseError):
        ET.fromstring(data)
    with pytest.raises(ET.ParseError):
        package._parse(data)
