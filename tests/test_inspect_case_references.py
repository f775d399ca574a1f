"""Issue 18: the leak inspector works out its case references (a council's 123,000: cleaned, folded into token runs,
counted by shape, 60 ms) once for a set of them, and a check grown from the last one (the app's check after one new
return) grows the last build's with the references added, instead of working them out again at its build. The same
matcher comes out as made afresh, with every reference added found; an input removed, or a reference that a new
staff name makes a name, makes them afresh."""
from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pqa_desktop.core.calendar import Period
from pqa_desktop.core.inspect import inspect_with, sensitive_set
from pqa_desktop.core.inspect import matching
from pqa_desktop.core.inspect.matching import CASE_REFERENCE, ID_SHAPE, CaseReferences, Matcher
from pqa_desktop.core.inspect.sources import SensitiveSet, as_strings
from pqa_desktop.core.pipeline import run as pipeline
from pqa_desktop.core.settings import Settings
from pqa_desktop.core.workspace import Workspace
from tests.returns_fixtures import write_template
from tests.workspace_fixtures import BASE, write_audit

SEP = Period(date(2024, 9, 1))

# letters whose folding is unusual, digits that are not ASCII, separators (the joined-texts separator too)
ID_CHARS = st.sampled_from("0123456789ABCFHKSWXYZabcfsxyz" + "ßİıſΣσςﬁǅ" + "１٣²" + "-_/. \x00")
IDS = st.one_of(st.text(ID_CHARS, min_size=0, max_size=10),
                st.builds(lambda p, n: p + n, st.sampled_from(["CF-", "CR", "cr-", "0", "00", "SW/"]),
                          st.text("0123456789", min_size=1, max_size=8)))


def _same(grown: CaseReferences, fresh: CaseReferences) -> None:
    assert set(grown.texts) == set(fresh.texts) and len(grown.texts) == len(fresh.texts)
    assert grown.runs == fresh.runs
    assert grown.shapes == fresh.shapes
    assert (grown.id_shape and grown.id_shape.pattern) == (fresh.id_shape and fresh.id_shape.pattern)


def _same_matchers(grown: Matcher, fresh: Matcher) -> None:
    assert grown.singles == fresh.singles and grown.identifiers == fresh.identifiers
    assert {first: sorted(runs) for first, runs in grown.runs.items()} == \
        {first: sorted(runs) for first, runs in fresh.runs.items()}
    assert (grown.id_shape and grown.id_shape.pattern) == (fresh.id_shape and fresh.id_shape.pattern)


@settings(max_examples=150, deadline=None)
@given(st.sets(IDS, max_size=40), st.sets(IDS, max_size=12))
def test_case_references_grown_are_those_made_afresh(before, added):
    texts_before, every = as_strings(before), as_strings(before | added)
    grown = CaseReferences.of(texts_before).grown(as_strings(added - before))
    fresh = CaseReferences.of(every)
    _same(grown, fresh)
    _same_matchers(Matcher.build(case_refs=grown, staff_ids=["ST12345"]),
                   Matcher.build(case_refs=every, staff_ids=["ST12345"]))
    matcher = Matcher.build(case_refs=grown)
    for text in every:  # each reference of five characters or more is found, the new ones too
        if sum(len(token) for token in matching.tokens(text)) >= matching.MIN_IDENTIFIER_CHARS:
            assert CASE_REFERENCE in matcher.kinds_in(f"Seen: {text}.")


def test_a_shape_that_the_references_added_make_common_is_looked_for():
    before = CaseReferences.of(["CF-20931", "CF-48210"])  # two of a shape: not a way of numbering yet
    assert before.id_shape is None
    grown = before.grown(["CF-77001"])
    assert grown.id_shape is not None and grown.id_shape.pattern == CaseReferences.of(
        ["CF-20931", "CF-48210", "CF-77001"]).id_shape.pattern
    assert ID_SHAPE in Matcher.build(case_refs=grown).kinds_in("Ref CF-55555 was seen")
    assert before.grown([]) is before


def test_a_sensitive_set_keeps_them_only_for_a_set_nothing_can_change():
    frozen = SensitiveSet(case_refs=frozenset({"CR-1001", "CR-1002"}))
    assert frozen.case_references() is frozen.case_references()
    plain = SensitiveSet(case_refs={"CR-1001"})
    first = plain.case_references()
    plain.case_refs.add("CR-7007")  # changed in place: what was worked out before must not be used
    assert "CR-7007" in plain.case_references().texts and "CR-7007" not in first.texts
    plain.update(SensitiveSet(case_refs={"CR-8008"}))
    assert "CR-8008" in plain.case_references().texts


# ---------------------------------------------------------------------------------------------------------
# in the app's re-build after one new return (real returns, a real workspace, real workbooks)
# ---------------------------------------------------------------------------------------------------------
def _first_returns(folder: Path) -> Path:
    write_audit(folder / "CFA CR-1001.xlsx", "CR-1001", date(2024, 8, 5), "Good",
                feedback="Priya Patel listened to us.")
    write_audit(folder / "CFA 2.xlsx", "CR-1002", date(2024, 8, 12), "Inadequate")
    write_audit(folder / "CFA 3.xlsx", "SAM LEE", date(2024, 8, 19), "Good")  # a name written as a reference
    return folder


def _return(folder: Path, reference: str, **people) -> Path:
    values = {**BASE, **people, "case_ref": reference, "audit_date": "03/09/2024", "overall": "Good"}
    folder.mkdir(parents=True, exist_ok=True)
    write_template(folder / f"CFA {len(list(folder.iterdir())) + 9}.xlsx", "case_file_audit", values)
    return folder


def _check(paths, workspace, options, previous=None):
    """What the app does for a check (``app/pipeline_work.check_work``)."""
    analysis = pipeline.analyse(paths, options.period, workspace=workspace, keep_on_cancel=True, previous=previous)
    analysis.summaries()
    pipeline.compute(analysis, options)
    pipeline.feedback_items(analysis, options)
    return analysis


@pytest.fixture
def workspace(tmp_path):
    ws = Workspace.open(tmp_path / "ws.sqlite")
    yield ws
    ws.close()


@pytest.fixture
def options():
    return pipeline.BuildOptions(period=SEP, settings=Settings(la_name="Anytown Council"), produced=date(2024, 10, 7),
                                 audit_key_secret="c" * 64)


def _made_afresh(monkeypatch) -> list[int]:
    """How many references each time they are worked out from none (``CaseReferences.of`` not from ``grown``)."""
    sizes: list[int] = []
    real = CaseReferences.of.__func__

    def counted(cls, texts):
        made = real(cls, texts)
        sizes.append(len(made.texts))
        return made

    monkeypatch.setattr(CaseReferences, "of", classmethod(counted))
    return sizes


def test_the_rebuild_after_a_new_return_grows_them_and_writes_the_fresh_builds_workbook(tmp_path, workspace, options,
                                                                                      monkeypatch):
    first = _first_returns(tmp_path / "aug")
    before = _check([first], workspace, options)
    pipeline.build([first], tmp_path / "first.xlsx", options, analysis=before, workspace=workspace)
    sizes = _made_afresh(monkeypatch)
    new = _return(tmp_path / "sep", "CR-3003")  # by staff already known: no reference becomes a name
    after = _check([first, new], workspace, options, previous=before)
    rebuilt = pipeline.build([first, new], tmp_path / "rebuilt.xlsx", options, analysis=after, workspace=workspace)
    assert sizes == [1]  # only the one reference added was worked out
    found = after.found_identifiers()
    assert "CR-3003" in found.case_refs and "SAM LEE" in found.case_refs
    _same(found.case_references(), CaseReferences.of(as_strings(sensitive_set(after).case_refs)))
    assert CASE_REFERENCE in Matcher.build(case_refs=found.case_references()).kinds_in("CR-3003")
    data = (tmp_path / "rebuilt.xlsx").read_bytes()
    assert inspect_with(data, found, la_name="Anytown Council") == []
    # byte for byte the workbook a fresh build of the same inputs writes (no workspace, no last check)
    fresh = pipeline.build([first, new], tmp_path / "fresh.xlsx", options)
    assert data == (tmp_path / "fresh.xlsx").read_bytes()
    assert rebuilt.analysis is after and fresh.analysis.found_identifiers() == found


def test_a_new_reference_in_the_rebuilt_workbook_is_found_by_the_grown_inspector(tmp_path, workspace, options):
    first = _first_returns(tmp_path / "aug")
    before = _check([first], workspace, options)
    pipeline.build([first], tmp_path / "first.xlsx", options, analysis=before, workspace=workspace)
    new = _return(tmp_path / "sep", "CR-3003")
    after = _check([first, new], workspace, options, previous=before)
    leaking = pipeline.BuildOptions(period=SEP, settings=Settings(la_name="Anytown Council", include_case_refs=False),
                                    produced=date(2024, 10, 7), audit_key_secret="c" * 64,
                                    commentary={"Summary": "The audit of CR-3003 found good practice."})
    with pytest.raises(pipeline.LeakFound) as raised:
        pipeline.build([first, new], tmp_path / "leak.xlsx", leaking, analysis=after, workspace=workspace)
    assert any(leak.kind == CASE_REFERENCE for leak in raised.value.leaks)
    assert "CR-3003" not in str(raised.value)
    assert not (tmp_path / "leak.xlsx").exists()


def test_an_input_removed_or_a_reference_become_a_name_makes_them_afresh(tmp_path, workspace, options,
                                                                         monkeypatch):
    first = _first_returns(tmp_path / "aug")
    second = _return(tmp_path / "sep", "CR-3003")
    before = _check([first, second], workspace, options)
    pipeline.build([first, second], tmp_path / "first.xlsx", options, analysis=before, workspace=workspace)
    removed = next(row for row in workspace.imports() if row.name.startswith("CFA 9"))
    workspace.remove_import(removed.id)
    sizes = _made_afresh(monkeypatch)
    after = _check([first], workspace, options, previous=before)
    pipeline.build([first], tmp_path / "removed.xlsx", options, analysis=after, workspace=workspace)
    found = after.found_identifiers()
    assert "CR-3003" not in found.case_refs and sizes == [len(found.case_refs)]  # made afresh, without it
    assert CASE_REFERENCE not in Matcher.build(case_refs=found.case_references()).kinds_in("CR-3003")
    fresh = pipeline.build([first], tmp_path / "fresh-removed.xlsx", options)
    assert (tmp_path / "removed.xlsx").read_bytes() == (tmp_path / "fresh-removed.xlsx").read_bytes()
    # a return by a new social worker whose name an earlier return gave as a reference ("SAM LEE")
    sizes.clear()
    named = _return(tmp_path / "oct", "CR-4004", social_worker="Sam Lee")
    again = _check([first, named], workspace, options, previous=after)
    pipeline.build([first, named], tmp_path / "named.xlsx", options, analysis=again, workspace=workspace)
    found = again.found_identifiers()
    assert "SAM LEE" not in found.case_refs and "CR-4004" in found.case_refs
    assert sizes == [len(found.case_refs)]  # a reference left out: made afresh, not grown
    _same(found.case_references(), CaseReferences.of(as_strings(sensitive_set(again).case_refs)))
    pipeline.build([first, named], tmp_path / "fresh-named.xlsx", options)
    assert (tmp_path / "named.xlsx").read_bytes() == (tmp_path / "fresh-named.xlsx").read_bytes()


def test_random_rebuilds_give_the_fresh_sets(tmp_path):
    """Random additions of references to a SensitiveSet as the pipeline grows it: the same as made afresh."""
    rng = random.Random(18)
    refs = [f"{rng.choice(['CR', 'CF-', 'cr'])}{rng.randint(0, 99999):05d}" for _ in range(400)]
    found = SensitiveSet(case_refs=frozenset(refs[:100]))
    kept = found.case_references()
    for start in range(100, 400, 60):
        added = set(refs[start:start + 60]) - found.case_refs
        grown = kept.grown(as_strings(sorted(added)))
        found = SensitiveSet(case_refs=found.case_refs | added)
        kept = grown
        _same(grown, CaseReferences.of(as_strings(found.case_refs)))
