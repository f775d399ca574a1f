"""Every kind of workbook PQA Desktop writes is schema-valid Office Open XML, as Excel will see it.

openxml-audit (a test dependency: pure Python, the Open XML SDK's schemas and semantic checks, plus the
patterns Excel rewrites on its first save) finds 0 errors and 0 warnings in: the report (plain; with
every option; decrypted from its encrypted form), the auditor templates (generated and committed), and
the demo's sample inputs (every return, register and EDT sample, including those inside its zip and
email, and the system exports workbook). Excel itself is not available here (docs/windows-checklist.md).
"""
from __future__ import annotations

import io
from pathlib import Path

import pytest

openxml_audit = pytest.importorskip("openxml_audit")

from openxml_audit.errors import FileFormat  # noqa: E402
from openxml_audit.validator import OpenXmlValidator  # noqa: E402

from pqa_desktop.cli import main  # noqa: E402
from pqa_desktop.core.encryption import decrypt_xlsx  # noqa: E402
from pqa_desktop.core.inputs.discover import discover  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
COMMON = ["--period-end", "2024-09", "--la-name", "Anytown Council", "--produced", "2024-10-07"]
# Nothing here starts a worker process: run once, not again in CI's spawn leg (.ci/run).
pytestmark = pytest.mark.once


@pytest.fixture(scope="module")
def validator() -> OpenXmlValidator:
    return OpenXmlValidator(file_format=FileFormat.OFFICE_2019, max_errors=0)


@pytest.fixture(scope="module")
def demo(shared_demo_inputs):
    return shared_demo_inputs  # generated once per run (conftest.py)


@pytest.fixture(scope="module")
def demo_inputs(demo) -> Path:
    return demo.directory


class _SiblingPositions:
    """openxml_audit 0.8's ``context._sibling_position`` (an element's 1-based place among its parent's children
    of the same tag, for the path an error names) walks the parent's children from the first for every element:
    quadratic in a sheet's rows, 45% of validating the demo's exports workbook (15 of 33 s profiled). This gives
    the same number from one walk per parent and tag, for one validation: the verdict never depended on it, and
    the paths in any error are the same. lxml hands back the same proxy object for a node while one is alive, and
    the table holds each one, so the element asked about is found by identity, as the library's own loop finds
    it; an element not found (never, for a tree left unchanged) is asked of the library's loop."""

    def __init__(self, original):
        self.original = original
        self.table: dict = {}

    def __call__(self, element) -> int:
        parent = element.getparent()
        if parent is None:
            return 1
        key = (parent, element.tag)
        places = self.table.get(key)
        if places is None:
            places = self.table[key] = {child: n for n, child in enumerate(parent.iterchildren(element.tag), start=1)}
        place = places.get(element)
        return place if place is not None else self.original(element)


def _validated(validator: OpenXmlValidator, path: Path):
    from openxml_audit import context

    original = getattr(context, "_sibling_position", None)
    if original is None:  # another version of the library: validated as it does it
        return validator.validate(path)
    context._sibling_position = _SiblingPositions(original)
    try:
        return validator.validate(path)
    finally:
        context._sibling_position = original


def problems(validator: OpenXmlValidator, path: Path) -> list[str]:
    """Every error and warning, one line each (empty when the package is clean)."""
    result = _validated(validator, path)
    return [f"{path.name}: {e.severity.name} {e.id or ''} {e.part_uri or ''} {e.description[:200]}"
            for e in result.errors]


def test_the_validator_would_catch_a_broken_workbook(validator, tmp_path):
    """Not a test that cannot fail: a report with an element out of the schema's order is caught."""
    out = tmp_path / "report.xlsx"
    assert main(["templates", str(tmp_path / "t")]) == 0
    good = tmp_path / "t" / "Case file audit template.xlsx"
    import zipfile

    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(broken, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/workbook.xml":
                data = data.replace(b"<sheets>", b"<sheets><bogus/>", 1)
            target.writestr(info, data)
    assert problems(validator, good) == []
    assert problems(validator, broken), "a schema violation went unnoticed"
    assert not out.exists()


def test_the_report_is_valid(validator, shared_report):
    out, _ = shared_report  # `pqa build <the demo's inputs>` (REPORT_ARGS), built once per run (conftest.py)
    assert problems(validator, out) == []


def test_the_report_with_every_option_and_decrypted_from_its_encrypted_form_is_valid(validator, demo_inputs,
                                                                                  tmp_path):
    settings = tmp_path / "settings.toml"
    settings.write_text('la_name = "Anytown Council"\npopulation_0_17 = 48000\nvacancies_fte = 18\n'
                        '[caseload_thresholds]\n"Family Safeguarding" = 17\n'
                        '[targets.assessments_45wd_pct]\ntarget = 0.85\npolarity = "higher"\n', encoding="utf-8")
    commentary = tmp_path / "commentary.md"
    commentary.write_text("## Summary\nA steady month; see the KPIs.\n\n## Overall judgements\nFewer inadequate.\n",
                          encoding="utf-8")
    messages = tmp_path / "messages.md"
    messages.write_text("## Summary\n- Audits up on last month.\n", encoding="utf-8")
    password = tmp_path / "pw.txt"
    password.write_text("Tulip-Harbour-9\n", encoding="utf-8")
    options = ["--settings", str(settings), "--commentary", str(commentary), "--messages", str(messages),
               "--include-case-refs", "--include-staff-names", "--no-feedback-text", "--population", "48000",
               "--workspace", str(tmp_path / "ws.sqlite"), "--email-draft", str(tmp_path / "draft.eml")]
    plain, locked = tmp_path / "every option.xlsx", tmp_path / "locked.xlsx"
    assert main(["build", str(demo_inputs), "-o", str(plain), *COMMON, *options]) == 0
    assert main(["build", str(demo_inputs), "-o", str(locked), *COMMON, *options,
                 "--password-file", str(password)]) == 0
    opened = tmp_path / "decrypted.xlsx"
    opened.write_bytes(decrypt_xlsx(locked.read_bytes(), "Tulip-Harbour-9"))
    assert problems(validator, plain) + problems(validator, opened) == []


def test_the_auditor_templates_are_valid(validator, tmp_path):
    assert main(["templates", str(tmp_path)]) == 0
    written = sorted(tmp_path.glob("*.xlsx"))
    committed = sorted((ROOT / "workbook_templates").glob("*.xlsx"))
    assert len(written) == 3 and len(committed) == 3
    assert [line for path in written + committed for line in problems(validator, path)] == []


def test_every_sample_return_of_the_demo_is_valid(validator, demo, tmp_path):
    """Returns, registers and EDT samples, also those inside the zip and the email (written out to check);
    not the deliberately corrupt "Audit (recovered).xlsx", random bytes showing the corrupt-file finding."""
    files, _ = discover([demo.directory])
    corrupt = {str(p) for p in demo.corrupt_files}
    spreadsheets = [f for f in files if f.suffix in (".xlsx", ".xlsm") and "exports" not in Path(f.path).parts
                    and f.path not in corrupt]
    assert len(corrupt) == 1 and len(files) - len(spreadsheets) > len(corrupt)
    assert len(spreadsheets) > 100
    assert {f.name.split(" \u203a ")[0] for f in spreadsheets if "\u203a" in f.name} == {
        "Returns from FS East.zip", "FW Audits for this month.eml"}
    found = []
    for n, item in enumerate(spreadsheets):
        path = tmp_path / f"{n:03}.xlsx"
        path.write_bytes(item.data)
        found.extend(problems(validator, path))
    assert found == []


def test_the_demo_exports_workbook_is_valid_with_its_text_in_shared_strings(validator, demo_inputs):
    """Written inline (XlsxWriter's constant_memory), its text got 12 warnings: Excel rewrites the whole
    package on its first save. The first file a new user opens from the demo must not."""
    [workbook] = (demo_inputs / "exports").glob("*.xlsx")
    assert problems(validator, workbook) == []
    import zipfile

    with zipfile.ZipFile(workbook) as package:
        assert b"<si>" in package.read("xl/sharedStrings.xml")
        assert not any(b'"inlineStr"' in package.read(name) for name in package.namelist()
                       if name.startswith("xl/worksheets/"))
