"""Property-based mutation tests over the readers: whatever a mutated .xlsx, .xls, .ods, .csv, .eml, .msg or
.zip holds,
reading it never raises, problems come back as findings, and the input is left as it was.

The bulk runs the readers on in-memory ``InputFile`` values (xlsx, xls, ods and csv; spreadsheets in the
reading process, as ``reading.read_inputs`` reads them, other files by ``reading.read_input`` here) or through
``discover`` on a scratch file written for each example (eml, msg, zip: the containers are read from disk as
the app reads them), then one smaller test drives ``pipeline.analyse`` over a folder of mutated files. The profile is fixed and seeded
(``derandomize=True``): at least 1,000 mutations per format in CI, 10,000 with ``PQA_FUZZ_LONG=1``.
Each format's counts are printed in pytest's warnings summary ("fuzz xlsx: 1,000 mutations, 0
unhandled, ...") and recorded as the test's user properties (JUnit XML).
"""
from __future__ import annotations

import gc
import hashlib
import warnings
from datetime import date

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from pqa_desktop.core.calendar import Period
from pqa_desktop.core.pipeline.run import analyse
from tests import fuzz_support as fz

BULK = settings(max_examples=fz.MUTATIONS_PER_FORMAT, derandomize=True, database=None, deadline=None,
                phases=(Phase.explicit, Phase.generate, Phase.shrink), print_blob=True,
                suppress_health_check=list(HealthCheck))


@pytest.fixture(autouse=True)
def _collections_leave_the_test_process_alone():
    """The objects alive before a fuzz test (pytest's, hypothesis's, every imported module, the seeds) are left
    out of the garbage collector's full collections while it runs (``gc.freeze``), and the collector runs less
    often (a young generation of 50,000 objects, not 700). Reading a mutated email builds a tree of thousands of
    objects, and each full collection then walked the whole test process, 80-130 ms a time: with the email and
    CSV fuzz tests, 5.9 s of CPU went on collections (4.4 s of it on full ones), none of it reading. What the
    readers make is still collected, only less often (1.1 s in all now); the reading process itself runs with
    the collector off (``reading.serve``)."""
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)
    yield
    gc.set_threshold(*thresholds)
    gc.unfreeze()


def _record(request, tally: fz.FuzzTally, stacklevel: int = 3) -> str:
    """The counts as the test's user properties (JUnit XML) and in the warnings summary."""
    summary = tally.summary()
    request.node.user_properties.extend([
        ("fuzz_summary", summary), ("fuzz_mutations", tally.runs), ("fuzz_unhandled", len(tally.unhandled)),
        ("fuzz_with_findings", tally.with_findings), ("fuzz_slowest_example", tally.slowest_example)])
    warnings.warn(fz.FuzzCounts(summary), stacklevel=stacklevel)
    return summary


def _report(tally: fz.FuzzTally, request) -> None:
    summary = _record(request, tally)
    assert not tally.unhandled, summary + "\n" + "\n".join(tally.unhandled[:3])
    assert tally.runs >= fz.MUTATIONS_PER_FORMAT, summary
    # The mutations reach both sides: some inputs still read as inputs, some give findings.
    assert tally.with_findings > tally.runs // 10, summary
    assert sum(n for k, n in tally.kinds.items() if k not in ("unreadable", "none")) > tally.runs // 10, summary


XLSX_SEEDS = {"Audit 1.xlsx": fz.case_return, "EDT August.xlsx": fz.edt_return, "Annex A list 2.xlsx": fz.annex_a_xlsx}
CSV_SEEDS = {"Case file audit tracker.csv": fz.register_csv, "Contacts export.csv": fz.annex_a_csv}


def test_fuzz_xlsx(request):
    tally = fz.FuzzTally("xlsx")

    @BULK
    @given(name=st.sampled_from(sorted(XLSX_SEEDS)), ops=fz.xlsx_ops)
    def mutated_workbook_is_read_safely(name, ops):
        data = fz.mutate_xlsx(XLSX_SEEDS[name](), ops)
        tally.run(lambda: fz.read_contained(name, data), (name, ops))  # as the pipeline reads a spreadsheet

    mutated_workbook_is_read_safely()
    _report(tally, request)


def test_fuzz_csv(request):
    tally = fz.FuzzTally("csv")

    @BULK
    @given(name=st.sampled_from(sorted(CSV_SEEDS)), ops=fz.csv_ops)
    def mutated_csv_is_read_safely(name, ops):
        data = fz.mutate_csv(CSV_SEEDS[name](), ops)
        tally.run(lambda: fz.read_in_memory(name, data), (name, ops))

    mutated_csv_is_read_safely()
    _report(tally, request)


def test_fuzz_eml(request):
    tally = fz.FuzzTally("eml")
    path = fz.scratch_folder() / "Audits.eml"

    @BULK
    @given(ops=fz.eml_ops)
    def mutated_email_is_read_safely(ops):
        data = fz.mutate_eml(fz.returns_eml(), ops)
        tally.run(lambda: fz.read_from_disk(path, data), ops)

    mutated_email_is_read_safely()
    _report(tally, request)


def test_fuzz_zip(request):
    tally = fz.FuzzTally("zip")
    path = fz.scratch_folder() / "returns.zip"

    @BULK
    @given(ops=fz.zip_ops)
    def mutated_zip_is_read_safely(ops):
        data = fz.mutate_zip(fz.returns_zip(), ops)
        tally.run(lambda: fz.read_from_disk(path, data), ops)

    mutated_zip_is_read_safely()
    _report(tally, request)


def _needs_libreoffice():
    from tests.returns_fixtures import soffice

    if soffice() is None:
        pytest.skip("LibreOffice writes the .xls and .ods seeds")


XLS_SEEDS = {"Tracker.xls": fz.register_xls, "Annex A list 2.xls": fz.annex_a_xls,
             "Tracker by hand.xls": fz.register_xls_by_hand}
ODS_SEEDS = {"Tracker.ods": fz.register_ods, "Annex A list 2.ods": fz.annex_a_ods}


@pytest.mark.libreoffice
def test_fuzz_xls(request):
    """Legacy workbooks: BIFF records and the compound file around them (issue 15: damaged .xls files gave
    PanicException and OverflowError tracebacks)."""
    _needs_libreoffice()
    tally = fz.FuzzTally("xls")

    @BULK
    @given(name=st.sampled_from(sorted(XLS_SEEDS)), ops=fz.xls_ops)
    def mutated_legacy_workbook_is_read_safely(name, ops):
        data = fz.mutate_xls(XLS_SEEDS[name](), ops)
        tally.run(lambda: fz.read_contained(name, data), (name, ops))

    mutated_legacy_workbook_is_read_safely()
    _report(tally, request)


@pytest.mark.libreoffice
def test_fuzz_ods(request):
    _needs_libreoffice()
    tally = fz.FuzzTally("ods")

    @BULK
    @given(name=st.sampled_from(sorted(ODS_SEEDS)), ops=fz.ods_ops)
    def mutated_opendocument_is_read_safely(name, ops):
        data = fz.mutate_ods(ODS_SEEDS[name](), ops)
        tally.run(lambda: fz.read_contained(name, data), (name, ops))

    mutated_opendocument_is_read_safely()
    _report(tally, request)


def test_fuzz_msg(request):
    """Outlook messages: their streams and the compound file around them (issue 15: OverflowError, and
    "this file is not a stream" without the file's name)."""
    tally = fz.FuzzTally("msg")
    path = fz.scratch_folder() / "Audits.msg"

    @BULK
    @given(ops=fz.msg_ops)
    def mutated_outlook_message_is_read_safely(ops):
        data = fz.mutate_msg(fz.returns_msg(), ops)
        tally.run(lambda: fz.read_from_disk(path, data), ops)

    mutated_outlook_message_is_read_safely()
    _report(tally, request)


def test_seeds_are_real_inputs():
    """The mutations start from files the readers accept whole, so a mutation that still reads is a real
    survival, not a file that was never recognised."""
    assert fz.read_in_memory("Audit 1.xlsx", fz.case_return()) == ([], ["case_file_audit"])
    assert fz.read_in_memory("EDT August.xlsx", fz.edt_return()) == ([], ["edt_dip_sample"])
    assert fz.read_in_memory("Tracker.csv", fz.register_csv()) == ([], ["audit_register"])
    assert fz.read_in_memory("Contacts export.csv", fz.annex_a_csv()) == ([], ["system_export"])
    assert fz.read_in_memory("Annex A list 2.xlsx", fz.annex_a_xlsx()) == ([], ["system_export"])
    folder = fz.scratch_folder()
    assert fz.read_from_disk(folder / "a.eml", fz.returns_eml()) == ([], ["case_file_audit", "audit_register"])
    findings, kinds = fz.read_from_disk(folder / "r.zip", fz.returns_zip())
    assert findings == [] and sorted(kinds) == ["case_file_audit", "edt_dip_sample", "system_export"]
    findings, kinds = fz.read_from_disk(folder / "m.msg", fz.returns_msg())
    assert findings == [] and sorted(kinds) == ["audit_register", "audit_register", "case_file_audit", "system_export"]


@pytest.mark.libreoffice
def test_legacy_and_opendocument_seeds_are_real_inputs():
    _needs_libreoffice()
    for name, seed in {**XLS_SEEDS, **ODS_SEEDS}.items():
        expected = "audit_register" if name.startswith("Tracker") else "system_export"
        assert fz.read_contained(name, seed()) == ([], [expected]), name


def test_mutators_change_what_they_are_given():
    """Each mutator really mutates (a no-op mutator would make every fuzz test pass vacuously)."""
    assert fz.mutate_bytes(b"abcdef", [("truncate", 3)]) == b"abc"
    assert fz.mutate_bytes(b"abc", [("flip", 0, 0)]) == b"`bc"
    assert fz.mutate_bytes(b"abc", [("repeat", 1, 1, 3)]) == b"abbbc"
    assert fz.mutate_xml(b"<a><b/></a>", [("drop_element", 1)]) == b"<a></a>"
    dropped = fz.zip_members(fz.mutate_xlsx(fz.case_return(), [("drop_part", 0)]))
    assert len(dropped) == len(fz.zip_members(fz.case_return())) - 1
    csv_text = fz.mutate_csv(b"a,b\r\nc,d\r\n", [("cell", 1, 1, "X"), ("delimiter", ";")])
    assert csv_text == "\ufeffa;b\r\nc;X\r\n".encode("utf-8")
    boundary = fz.EML_BOUNDARY.encode()
    broken = fz.mutate_eml(fz.returns_eml(), [("boundary", 1, "other")])
    assert broken.count(boundary) == fz.returns_eml().count(boundary) - 1 and b"--other\r\n" in broken
    nested = fz.mutate_zip(fz.returns_zip(), [("nest", 2)])
    assert [n for n, _ in fz.zip_members(nested)] == ["level 1.zip"]


# ---------------------------------------------------------------- the whole pipeline

PIPELINE_EXAMPLES = 200 if fz.LONG_PROFILE else 25


def test_pipeline_analyse_survives_mutated_folders(tmp_path_factory, request):
    """A folder holding one mutated file of each kind goes through discover, read and validate
    (``analyse``) without raising, and every file in it is byte-for-byte unchanged afterwards."""
    tally = fz.FuzzTally("pipeline")
    period = Period(date(2024, 9, 1))

    @settings(max_examples=PIPELINE_EXAMPLES, derandomize=True, database=None, deadline=None,
              phases=(Phase.explicit, Phase.generate, Phase.shrink), suppress_health_check=list(HealthCheck))
    @given(xlsx=fz.xlsx_ops, csv_ops=fz.csv_ops, eml=fz.eml_ops, zip_ops=fz.zip_ops)
    def mutated_folder_is_analysed_safely(xlsx, csv_ops, eml, zip_ops):
        folder = tmp_path_factory.mktemp("mutated")
        files = {"Audit 1.xlsx": fz.mutate_xlsx(fz.case_return(), xlsx),
                 "Tracker.csv": fz.mutate_csv(fz.register_csv(), csv_ops),
                 "Audits.eml": fz.mutate_eml(fz.returns_eml(), eml),
                 "returns.zip": fz.mutate_zip(fz.returns_zip(), zip_ops),
                 "Contacts export.csv": fz.annex_a_csv()}
        for name, data in files.items():
            (folder / name).write_bytes(data)

        def run():
            analysis = analyse([folder], period)
            for name, data in files.items():
                assert hashlib.sha256((folder / name).read_bytes()).digest() == hashlib.sha256(data).digest(), name
            return analysis.findings, [r.kind for _, r in analysis.results]

        tally.run(run, (xlsx, csv_ops, eml, zip_ops))

    mutated_folder_is_analysed_safely()
    summary = _record(request, tally, stacklevel=2)
    assert not tally.unhandled and tally.runs >= PIPELINE_EXAMPLES, summary


def test_long_profile_is_ten_times_the_ci_profile():
    assert fz.mutations_per_format({}) == 1_000
    assert fz.mutations_per_format({"PQA_FUZZ_LONG": "0"}) == 1_000
    assert fz.mutations_per_format({"PQA_FUZZ_LONG": "1"}) == 10_000
