"""Anytown Council's sample system exports: deterministic, consistent across lists, headers from the spec, readable."""
from __future__ import annotations

import csv
import io
import re
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path
from xml.etree import ElementTree as ET

import numpy as np
import pytest
from python_calamine import CalamineWorkbook

from pqa_desktop.core.sample.exports import (ROLE_LABELS, export_columns, generate_exports, write_workforce_census_xml)

SNAPSHOT = date(2024, 9, 30)
WINDOW_START = date(2024, 3, 31)  # (30 Sep 2024 - 6 months, 30 Sep 2024] = 31 Mar to 30 Sep


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    return generate_exports(tmp_path_factory.mktemp("exports"), scale=0.2)


@pytest.fixture(scope="module")
def full(tmp_path_factory):
    """Scale 1 (the demo's size): the rates behind the headline figures need the real volumes."""
    return generate_exports(tmp_path_factory.mktemp("exports-full"))


# ------------------------------------------------------------------------------------------ reading back

def _raw_rows(manifest, kind):
    file, sheet = manifest.locations[kind]
    path = manifest.directory / file
    if sheet is None:
        encoding = "cp1252" if kind == "annex_a_list_1" else "utf-8-sig"
        return [list(r) for r in csv.reader(io.StringIO(path.read_bytes().decode(encoding)))]
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()


def _table(manifest, kind):
    """(headers, records as dicts keyed by header) exactly as written."""
    rows = _raw_rows(manifest, kind)
    h = manifest.header_rows[kind] - 1
    headers = [str(v) for v in rows[h]]
    records = [dict(zip(headers, r)) for r in rows[h + 1:] if any(v not in ("", None) for v in r)]
    return headers, records


def _id(value):
    return str(int(value)) if isinstance(value, float) else str(value)


def _norm(text):
    """The contract's header normalisation: case, white space, curly quotes, doubled brackets, end punctuation."""
    text = str(text).replace("\u00a0", " ").replace("\u2018", "'").replace("\u2019", "'")
    text = re.sub(r"\s+", " ", text).strip().lower().replace("))", ")").replace("((", "(")
    return text.rstrip("?.:;, ")


def _column(manifest, kind, column_id):
    """Values of one canonical column, found by the spec's header or aliases (as a reader would)."""
    headers, records = _table(manifest, kind)
    spec = next(c for c in export_columns()[kind] if c.id == column_id)
    names = {_norm(spec.header), *(_norm(a) for a in spec.aliases)}
    header = next(h for h in headers if _norm(h) in names)
    return [r[header] for r in records]


def _date(value):
    if value in ("", None):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    d, m, y = value.split("/")
    return date(int(y), int(m), int(d))


def _ids(manifest, kind):
    return {_id(v) for v in _column(manifest, kind, "child_id")}


def _weekdays_between(start, end):
    """Monday-Friday days d with start < d <= end (bank holidays aside)."""
    return int(np.busday_count(start + timedelta(days=1), end + timedelta(days=1)))


# ------------------------------------------------------------------------------------------ tests

def test_two_runs_are_byte_identical_and_another_seed_differs(small, tmp_path):
    again = generate_exports(tmp_path / "again", scale=0.2)
    assert [p.name for p in again.files] == [p.name for p in small.files]
    for ours, theirs in zip(small.files, again.files):
        assert ours.read_bytes() == theirs.read_bytes(), ours.name
    other = generate_exports(tmp_path / "other", scale=0.2, seed=7)
    assert other.child_ids["annex_a_list_1"] != small.child_ids["annex_a_list_1"]


def test_messy_layout_one_cp1252_csv_one_bom_csv_and_one_workbook_of_plain_sheets(small):
    names = sorted(p.name for p in small.files)
    assert [Path(n).suffix for n in names].count(".xlsx") == 1 and len(names) == 3
    contacts = small.directory / small.locations["annex_a_list_1"][0]
    raw = contacts.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and b"\x96" in raw  # Windows-1252 en dash in the title
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    allocations = small.directory / small.locations["allocations"][0]
    assert allocations.read_bytes().startswith(b"\xef\xbb\xbf")
    workbook = next(p for p in small.files if p.suffix == ".xlsx")
    sheets = CalamineWorkbook.from_path(str(workbook)).sheet_names
    assert sheets == [f"Sheet{i}" for i in range(1, len(sheets) + 1)] and len(sheets) == 12


def test_row_counts_match_the_manifest(small):
    for kind, count in small.rows.items():
        _, records = _table(small, kind)
        assert len(records) == count, kind
    assert small.rows["annex_a_list_1"] > small.rows["annex_a_list_3"] > small.rows["annex_a_list_5"]


def test_headers_come_from_the_spec_and_every_spec_column_is_written(small):
    mess = Counter()
    for kind, written in small.headers.items():
        headers, _ = _table(small, kind)
        assert headers == written, kind
        spec = export_columns()[kind]
        known = {_norm(n): c.id for c in spec for n in (c.header, *c.aliases)}
        extras = set(small.extra_columns[kind])
        found = [known.get(_norm(h)) for h in headers if h not in extras]
        assert None not in found, (kind, headers)
        assert sorted(found) == sorted(c.id for c in spec), kind  # every column once, optional ones too
        spec_headers = {c.header for c in spec}
        mess["variant"] += sum(h not in spec_headers and h not in extras for h in headers)
        mess["title rows"] += small.header_rows[kind] > 1
        mess["line break"] += any("\n" in h for h in headers)
        mess["curly quote"] += any("\u2018" in h or "\u2019" in h for h in headers)
        mess["Age"] += "Age" in headers
    assert mess["title rows"] >= 5 and mess["line break"] >= 3 and mess["curly quote"] >= 2 and mess["Age"] >= 5
    # List 5 carries the optional S47 end date; the allocation history uses the SSDA903 names.
    assert "Section 47 Enquiry End Date" in small.headers["annex_a_list_5"]
    assert small.headers["allocations"] == ["CHILD", "SW_ID", "SW_DECOM", "SW_DEC"]
    # List 3 is reordered: the allocated team comes before the referral date, unlike the spec.
    h3 = small.headers["annex_a_list_3"]
    assert h3.index("Allocated Team") < h3.index("Date of Referral")


def test_messy_values_text_dates_and_codes(small):
    _, l6 = _table(small, "annex_a_list_6")
    starts = [r["CIN Start Date"] for r in l6]
    assert all(isinstance(v, str) and re.fullmatch(r"\d\d/\d\d/\d{4}", v) for v in starts)
    assert any(int(v[:2]) <= 12 for v in starts)  # day-first dates a month-first reader would misread
    placement = _column(small, "annex_a_list_8", "placement_type")
    assert all(re.match(r"[a-z]\) [A-Z]\d: ", v) for v in placement)
    assert any(") U1: Foster placement with relative or friend" in v for v in placement)
    assert set(_column(small, "annex_a_list_4", "child_seen")) <= {"a) Yes", "b) No"}
    roles = set(_column(small, "workforce", "role"))
    assert roles <= set(ROLE_LABELS.values()) and "Case holder" in roles


def test_the_same_children_run_through_the_lists(small):
    contacts, referrals = _ids(small, "annex_a_list_1"), _ids(small, "annex_a_list_3")
    assert referrals and referrals <= contacts
    # Assessments started in the window follow a referral in List 3.
    starts = _column(small, "annex_a_list_4", "assessment_start")
    ids4 = [_id(v) for v in _column(small, "annex_a_list_4", "child_id")]
    in_window = {c for c, s in zip(ids4, starts) if _date(s) >= WINDOW_START + timedelta(days=5)}
    assert in_window and in_window <= referrals
    # Every S47 started in the window follows an assessment in List 4; every child whose ICPC led to a plan
    # is in List 7.
    s47 = zip(_column(small, "annex_a_list_5", "child_id"), _column(small, "annex_a_list_5", "s47_start"))
    s47_in_window = {_id(c) for c, s in s47 if _date(s) >= WINDOW_START}
    assert s47_in_window and s47_in_window <= set(ids4)
    plans = _ids(small, "annex_a_list_7")
    ids5 = [_id(v) for v in _column(small, "annex_a_list_5", "child_id")]
    plan_made = [v == "a) Yes" for v in _column(small, "annex_a_list_5", "icpc_plan")]
    assert {c for c, p in zip(ids5, plan_made) if p} <= plans
    # Adoption children are children in care; matched ones belong to an adopter family of List 11.
    assert _ids(small, "annex_a_list_10") <= _ids(small, "annex_a_list_8")
    families = set(_column(small, "annex_a_list_11", "family_id"))
    matched_families = {f for f in _column(small, "annex_a_list_10", "family_id") if f}
    assert matched_families and matched_families <= families
    # The allocation history names children of the lists and workers of the workforce list.
    alloc_children = {_id(v) for v in _column(small, "allocations", "child_id")}
    for kind in ("annex_a_list_7", "annex_a_list_8", "annex_a_list_9"):
        assert _ids(small, kind) <= alloc_children, kind
    workers = set(_column(small, "workforce", "worker_id"))
    assert set(_column(small, "allocations", "worker_id")) <= workers
    assert small.worker_ids == workers
    # The children in every list share one set of characteristics (a child's birth date never differs).
    births = {}
    for kind in ("annex_a_list_1", "annex_a_list_3", "annex_a_list_4", "annex_a_list_5", "annex_a_list_7"):
        for c, dob in zip(_column(small, kind, "child_id"), _column(small, kind, "dob")):
            assert births.setdefault(_id(c), _date(dob)) == _date(dob)


def test_lists_cover_six_months_to_the_snapshot_with_extraction_lists_at_the_snapshot(small):
    for kind, column in (("annex_a_list_1", "contact_date"), ("annex_a_list_3", "referral_date")):
        dates = [_date(v) for v in _column(small, kind, column)]
        assert min(dates) >= WINDOW_START and max(dates) <= SNAPSHOT, kind
        assert min(dates) <= WINDOW_START + timedelta(days=7) and max(dates) >= SNAPSHOT - timedelta(days=7), kind
    # List 5: enquiries started in the window, or whose conference was held in it.
    for start, icpc in zip(_column(small, "annex_a_list_5", "s47_start"), _column(small, "annex_a_list_5", "icpc_date")):
        assert _date(start) >= WINDOW_START or (_date(icpc) and _date(icpc) >= WINDOW_START)
    # List 7: plans open at some point in the window (ended in it, or still open).
    for start, end in zip(_column(small, "annex_a_list_7", "cp_start"), _column(small, "annex_a_list_7", "cp_end")):
        assert _date(start) <= SNAPSHOT and (_date(end) is None or _date(end) >= WINDOW_START)
    # List 8: looked after at extraction, or ceased in the window.
    ceased = [_date(v) for v in _column(small, "annex_a_list_8", "cla_end")]
    assert all(d is None or WINDOW_START <= d <= SNAPSHOT for d in ceased) and any(ceased) and None in ceased
    # List 9: care leavers aged 17 to 21 at the snapshot.
    ages = Counter(int(float(a)) for a in _column(small, "annex_a_list_9", "age"))
    assert set(ages) == {17, 18, 19, 20, 21}


def test_rates_land_near_the_reference_report(full):
    starts = [_date(v) for v in _column(full, "annex_a_list_4", "assessment_start")]
    auths = [_date(v) for v in _column(full, "annex_a_list_4", "assessment_authorised")]
    done = [(s, a) for s, a in zip(starts, auths) if a and a >= date(2024, 7, 1)]
    assert 900 <= len(done) <= 1100  # about 2,000 a half-year
    share = sum(_weekdays_between(s, a) <= 45 for s, a in done) / len(done)
    assert 0.79 <= share <= 0.87

    s47_start = [_date(v) for v in _column(full, "annex_a_list_5", "s47_start")]
    s47_end = [_date(v) for v in _column(full, "annex_a_list_5", "s47_end")]
    days = sorted(_weekdays_between(s, e) for s, e in zip(s47_start, s47_end) if e and e >= date(2024, 7, 1))
    assert 12 <= days[len(days) // 2] <= 14 and 0.74 <= sum(d <= 15 for d in days) / len(days) <= 0.84
    icpc = [_date(v) for v in _column(full, "annex_a_list_5", "icpc_date")]
    held = [_weekdays_between(s, i) for s, i in zip(s47_start, icpc) if i and i >= WINDOW_START]
    assert 180 <= len(held) <= 300 and 0.88 <= sum(d <= 15 for d in held) / len(held) <= 0.96

    in_care = [t for t, e in zip(_column(full, "annex_a_list_8", "placement_type"),
                                 _column(full, "annex_a_list_8", "cla_end")) if not e]
    foster = sum(t.split(") ", 1)[1].startswith("U") for t in in_care) / len(in_care)
    assert 280 <= len(in_care) <= 340 and 0.64 <= foster <= 0.74

    leavers_age = [int(float(a)) for a in _column(full, "annex_a_list_9", "age")]
    activity = [(v or "").split(") ", 1)[-1] for v in _column(full, "annex_a_list_9", "activity")]
    eet = lambda ages: (sum(a[0] in "FP" and a[:1] != "" for a, g in zip(activity, leavers_age) if g in ages)  # noqa
                        / sum(g in ages for g in leavers_age))
    assert eet({17, 18}) >= 0.68 and 0.45 <= eet({19, 20, 21}) <= 0.55


def test_workforce_shape_caseloads_agency_and_starters(full):
    _, staff = _table(full, "workforce")
    assert 190 <= len(staff) <= 240
    in_post = [w for w in staff if not w["Leave date"]]
    holders = [w for w in in_post if w["Role"] in ("Senior practitioner", "Case holder") and w["Cases"] > 0]
    avg = sum(w["Cases"] for w in holders) / sum(w["FTE"] for w in holders)
    assert 18.5 <= avg <= 19.8
    by_area = {a: sum(w["Cases"] for w in holders if w["Service area"] == a)
               / sum(w["FTE"] for w in holders if w["Service area"] == a) for a in ("Family Safeguarding", "CASS", "IRT")}
    assert abs(by_area["Family Safeguarding"] - 24.5) < 0.6 and abs(by_area["CASS"] - 14) < 0.6
    assert abs(by_area["IRT"] - 18) < 0.6
    agency = sum(w["FTE"] for w in holders if w["Agency worker"] == "Y") / sum(w["FTE"] for w in holders)
    assert agency > 0.40
    permanent = [w for w in staff if w["Agency worker"] == "N"]
    six_months_ago = date(2024, 3, 30)
    starters = sum(_date(w["Start date"]) > six_months_ago for w in permanent)
    leavers = sum(bool(w["Leave date"]) and _date(w["Leave date"]) > six_months_ago for w in permanent)
    assert 10 <= starters <= 12 and 6 <= leavers <= 8
    assert all(_date(w["Leave date"]) > date(2023, 9, 30) for w in staff if w["Leave date"])


def test_allocation_history_gives_fewer_than_half_the_same_worker(full):
    children = {}
    for c, w, s, e in zip(*(_column(full, "allocations", k) for k in
                            ("child_id", "worker_id", "allocation_start", "allocation_end"))):
        children.setdefault(c, []).append((w, _date(s), _date(e) or SNAPSHOT))
    for months, start, low, high in ((6, date(2024, 3, 31), 0.35, 0.5), (12, date(2023, 10, 1), 0.18, 0.32)):
        same = covered = 0
        for allocations in children.values():
            spans = sorted((s, e) for _, s, e in allocations if e >= start and s <= SNAPSHOT)
            reach = start - timedelta(days=1)
            for s, e in spans:
                if s > reach + timedelta(days=1):
                    break
                reach = max(reach, e)
            if not spans or reach < SNAPSHOT or spans[0][0] > start:
                continue
            covered += 1
            same += len({w for w, s, e in allocations if e >= start and s <= SNAPSHOT}) == 1
        assert covered > 300 and low <= same / covered <= high, months


def test_fostering_households(full):
    _, homes = _table(full, "households")
    approved = [h for h in homes if not h["De-registration date"]]
    assert 140 <= len(approved) <= 160
    assert sum(_date(h["Approval date"]) > date(2023, 9, 30) for h in homes) >= 15
    gone = [h for h in homes if h["De-registration date"]]
    assert gone and all(_date(h["De-registration date"]) > _date(h["Approval date"]) for h in gone)
    assert {h["Household Type"] for h in homes} == {"Mainstream", "Connected person", "Short breaks"}


def test_scale_multiplies_volumes(small, tmp_path):
    tiny = generate_exports(tmp_path, scale=0.05, messy=False)
    assert tiny.rows["annex_a_list_1"] * 3 < small.rows["annex_a_list_1"]
    assert all(n > 0 for n in tiny.rows.values())


def test_clean_layout_uses_the_spec_headers_real_dates_and_bare_codes(tmp_path):
    clean = generate_exports(tmp_path, scale=0.05, messy=False)
    assert len(clean.files) == 1 and clean.text_date_kinds == frozenset()
    for kind, headers in clean.headers.items():
        assert headers == [c.header for c in export_columns()[kind]], kind
        assert clean.header_rows[kind] == 1
    assert set(_column(clean, "annex_a_list_8", "placement_type")) <= {
        "U1", "U3", "U4", "U5", "U6", "A5", "A6", "P1", "H5", "K2", "R1", "S1"}
    assert all(isinstance(v, (date, datetime)) for v in _column(clean, "annex_a_list_1", "contact_date"))


def test_census_xml_matches_the_workforce_list(small, tmp_path):
    path = write_workforce_census_xml(tmp_path / "census.xml", scale=0.2)
    root = ET.parse(path).getroot()
    assert root.tag == "Message"
    assert root.find("Header/CollectionDetails/ReferenceDate").text == "2024-09-30"
    assert float(root.find("LALevelVacancies/NumberOfVacancies").text) == small.vacancies_fte
    workers = root.findall(".//CSWWWorker")
    assert {w.find("SWENo").text for w in workers} == small.worker_ids
    assert {w.find("OrgRole").text for w in workers} <= {"1", "2", "3", "4", "5", "6"}
    in_post_agency = [w for w in workers if w.find("AgencyWorker").text == "1" and w.find("RoleEndDate") is None]
    assert int(root.find("LALevelVacancies/NoAgencyHeadcount").text) == len(in_post_agency)
    assert write_workforce_census_xml(tmp_path / "again.xml", scale=0.2).read_bytes() == path.read_bytes()


def test_every_file_is_recognised_without_an_error(small, tmp_path):
    reader = pytest.importorskip("pqa_desktop.core.exports.reader")
    from pqa_desktop.core.findings import Severity
    from pqa_desktop.core.inputs.discover import discover

    census = write_workforce_census_xml(tmp_path / "census" / "census.xml", scale=0.2)
    items, findings = discover([small.directory, census])
    assert not findings and len(items) == len(small.files) + 1
    kinds: Counter = Counter()
    for item in items:
        result = reader.read_export(item, today=date(2024, 10, 7))
        assert result is not None, item.name
        assert not [f for f in result.findings if f.severity is Severity.ERROR], item.name
        for table in result.exports:
            kinds[table.kind] += 1
            if item.suffix != ".xml":
                assert table.rows == small.rows[table.kind], table.kind
    assert kinds == Counter({**{k: 1 for k in small.rows}, "workforce": 2})
