"""How much of the inputs one build holds (issue 15, case 4): zip members are unpacked without a second
copy, CSV text is decoded as it is parsed, and one build reads at most ``max_build_bytes`` of inputs in
all, with a finding naming each file left out.

The issue's measurement: a 2.9 MB zip of CSVs, each member within the limits for one dropped file, took
4.5 GB to read and four such zips 8.2 GB. Here the same shape at a smaller scale, with the memory the read
takes measured by ``tracemalloc`` (deterministic, unlike the process size), and the build limit shrunk.
"""
from __future__ import annotations

import io
import tracemalloc
import zipfile
from datetime import date

from pqa_desktop.core.calendar import Period
from pqa_desktop.core.findings import FindingSink
from pqa_desktop.core.inputs.archives import SEP, ArchiveLimits, ExtractionBudget, _read_member
from pqa_desktop.core.inputs.discover import discover, discover_inputs
from pqa_desktop.core.inputs.tables import read_csv
from pqa_desktop.core.pipeline.run import analyse
from tests import fuzz_support as fz

PERIOD = Period(date(2024, 9, 1))


def _peak(run) -> tuple[object, int]:
    tracemalloc.start()
    try:
        result = run()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_zip_member_is_unpacked_without_a_second_copy():
    """The chunks were kept in a list and joined: twice the member's size at the peak."""
    member = b"Child ID,Date of Contact\r\n" + b"".join(b"C%07d,01/09/2024\r\n" % n for n in range(1_500_000))
    archive = zipfile.ZipFile(io.BytesIO(fz.zip_of({"Contacts.csv": member})))
    (content, problem), peak = _peak(lambda: _read_member(archive, archive.infolist()[0], 10**9,
                                                          ExtractionBudget(ArchiveLimits())))
    assert problem is None and content == member
    assert peak < 1.3 * len(member), f"{peak / len(member):.2f} x the member"


def test_a_csv_is_decoded_as_it_is_parsed():
    """The whole text and Python's text buffer of it (four bytes a character) were held besides the rows:
    a CSV of long cells took five times its size; now about the cells read."""
    data = ("Child ID,Notes\r\n" + "".join(f"C{n:06d},{'x' * 20_000}\r\n" for n in range(1_000))).encode("cp1252")
    item = fz.input_file("Notes.csv", data)
    table, peak = _peak(lambda: read_csv(item, FindingSink("Notes.csv")))
    assert len(table.rows) == 1_001
    assert peak < 1.6 * len(data), f"{peak / len(data):.2f} x the file"


def _zip_of_csvs(seed: int, members: int, size: int) -> bytes:
    """A zip of ``members`` CSVs of about ``size`` bytes each (compressed well, as exports are, but within
    the ratio a zip bomb is told by)."""
    return fz.zip_of({f"Contacts {seed}-{n}.csv": (b"Child ID,Date of Contact\r\n" + "".join(
        f"C{seed:02d}{n:02d}{i:06d},01/09/2024\r\n" for i in range(size // 26)).encode())
        for n in range(members)})


def test_one_build_reads_at_most_the_build_limit_and_names_what_was_left_out(tmp_path):
    """Four zips, each within the limits for one dropped file: together they break the build's limit, so the
    members that do not fit are left out, each named in a finding; those that fit are read."""
    for seed in range(4):
        (tmp_path / f"exports {seed}.zip").write_bytes(_zip_of_csvs(seed, 2, 1_000_000))
    limits = ArchiveLimits(max_build_bytes=4_500_000)
    files, findings = discover(sorted(tmp_path.iterdir()), limits=limits)
    assert sum(len(f.data) for f in files) <= 4_500_000
    kept = [f.name for f in files]
    assert kept[:4] == [f"exports {s}.zip{SEP}Contacts {s}-{n}.csv" for s in (0, 1) for n in (0, 1)]
    left_out = [f for f in findings if f.rule == "input.build_limit"]
    assert {f.file for f in left_out} | set(kept) == {f"exports {s}.zip{SEP}Contacts {s}-{n}.csv"
                                                      for s in range(4) for n in range(2)}
    assert left_out and all("left out" in f.message.lower() and "4 MB" in f.message for f in left_out)


def test_files_on_disk_count_towards_the_build_limit(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(3):
        (folder / f"Contacts {n}.csv").write_bytes(b"Child ID\r\n" + f"C{n:07d}\r\n".encode() * 100_000)  # 1 MB each
    files, findings = discover([folder], limits=ArchiveLimits(max_build_bytes=2_500_000))
    assert [f.name for f in files] == ["Contacts 0.csv", "Contacts 1.csv"]
    assert [(f.file, f.rule) for f in findings] == [("Contacts 2.csv", "input.build_limit")]


def test_attachments_of_saved_emails_count_towards_the_build_limit(tmp_path):
    from tests.msg_writer import build_msg

    attachments = [(f"Contacts {n}.csv", b"Child ID\r\n" + f"C{n:07d}\r\n".encode() * 100_000) for n in range(3)]
    (tmp_path / "a.msg").write_bytes(build_msg("Exports", attachments))
    files, findings = discover([tmp_path / "a.msg"], limits=ArchiveLimits(max_build_bytes=2_500_000))
    assert len(files) == 2  # two attachments of 1 MB fit, the third does not
    assert [(f.file, f.rule) for f in findings] == [(f"a.msg{SEP}Contacts 2.csv", "input.build_limit")]


def test_the_default_build_limit_leaves_a_large_councils_year_whole():
    """A large council's year (the benchmark's inputs) is under 40 MB: the limit is far above it."""
    assert ArchiveLimits().max_build_bytes >= 512 * 1024 * 1024


def test_a_build_over_the_limit_still_writes_the_workbook_and_lists_what_was_left_out(tmp_path, monkeypatch):
    import functools

    import openpyxl

    from pqa_desktop.core.pipeline import run as pipeline
    from pqa_desktop.core.pipeline.run import BuildOptions, build

    (tmp_path / "Audit 1.xlsx").write_bytes(fz.case_return())
    (tmp_path / "exports.zip").write_bytes(_zip_of_csvs(1, 1, 2_000_000))
    monkeypatch.setattr(pipeline, "discover_inputs",
                        functools.partial(discover_inputs, limits=ArchiveLimits(max_build_bytes=1_000_000)))
    out = tmp_path / "out.xlsx"
    build([tmp_path / "Audit 1.xlsx", tmp_path / "exports.zip"], out, BuildOptions(period=PERIOD))
    rows = [[c.value for c in row] for row in openpyxl.load_workbook(out)["Data quality"].iter_rows()]
    assert any(row[0] == f"exports.zip{SEP}Contacts 1-0.csv" and row[4] == "input.build_limit" for row in rows)
