"""Rendering the workbook costs less without changing a byte of it (issue 18).

Each shortcut the writer takes is checked here against the way it was done before: the bytes rendered must
be the same, for the full fixture figures and for a table of every kind of cell.
"""
from __future__ import annotations

import io
import zipfile
from unittest import mock

import xlsxwriter

from pqa_desktop.core.report import package as report_package
from pqa_desktop.core.report import render_workbook, writer
from tests import report_fixtures as fx


def _core(xlsx: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
        return z.read("docProps/core.xml").decode()


def _rezipped_render(figures, context) -> bytes:
    """The render as it was: a plain XlsxWriter workbook, then every part re-compressed by add_language."""
    with mock.patch.object(writer, "Workbook", xlsxwriter.Workbook):
        return render_workbook(figures, context)


def test_language_written_in_the_first_place_gives_the_same_bytes_as_adding_it_after():
    figures, context = fx.full_figures(), fx.context()
    data = render_workbook(figures, context)
    assert _core(data).endswith("<dc:language>en-GB</dc:language></cp:coreProperties>")
    assert _core(data).count("<dc:language>") == 1
    assert data == _rezipped_render(figures, context)


def test_the_language_is_still_added_when_the_packager_did_not_write_it():
    # A later XlsxWriter that packaged its files another way would not call our packager: the language is
    # then added as before, never left out.
    with mock.patch.object(report_package.Workbook, "_get_packager", xlsxwriter.Workbook._get_packager):
        data = render_workbook(fx.full_figures(), fx.context())
    assert _core(data).count("<dc:language>en-GB</dc:language>") == 1
    assert data == render_workbook(fx.full_figures(), fx.context())
