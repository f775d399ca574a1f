"""Issue 18: a check after one new return grows what it works out from every identifier from the last check's
(the masker of file names, the redactor of staff names, the leak inspector's sets) instead of making it again
from a council's 124,000 identifiers, and the same results come out as made afresh; an input removed, another
period or another secret leaves nothing stale behind."""
from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pytest

from pqa_desktop.core import privacy
from pqa_desktop.core.calendar import Period
from pqa_desktop.core.inspect import sensitive_set
from pqa_desktop.core.inspect import sources
from pqa_desktop.core.pipeline import run as pipeline
from pqa_desktop.core.privacy import MASK, REDACTED_NAME, IdentifierMasker, NameRedactor, redact_names
from pqa_desktop.core.settings import Settings
from pqa_desktop.core.workspace import Workspace
from tests.returns_fixtures import write_template
from tests.workspace_fixtures import BASE, write_audit

SEP = Period(date(2024, 9, 1))


# ---------------------------------------------------------------------------------------------------------
# the masker and the redactor, grown
# ---------------------------------------------------------------------------------------------------------
def _texts(rng: random.Random, identifiers: list[str], count: int) -> list[str]:
    pieces = identifiers + ["CFA", "Jan", " ", "-", "_", ".xlsx", "Straße", "ǅ", "x", "12"]
    return ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 6))) for _ in range(count)]


def test_a_grown_masker_masks_every_text_as_one_made_afresh():
    rng = random.Random(18)
    for _ in range(40):
        every = [f"{rng.choice(['CR', 'cr', 'AB', 'Ab'])}{rng.randint(1, 60)}" for _ in range(30)]
        every += ["Jane Smith", "jane", "STRASSE", "1234", "12345"]
        before, added = every[:rng.randint(0, len(every))], every
        texts = _texts(rng, every, 60)
        masker = IdentifierMasker(before)
        remembered = [masker(t) for t in texts]  # the masks it remembers, several of which the new ones change
        grown = masker.extended(added)
        fresh = IdentifierMasker(every)
        assert [grown(t) for t in texts] == [fresh(t) for t in texts]
        assert [masker(t) for t in texts] == remembered == [IdentifierMasker(before)(t) for t in texts]


def test_a_remembered_mask_a_new_identifier_changes_is_made_again():
    masker = IdentifierMasker(["CR-1001"])
    assert masker("CFA CR-1001 and cr-2002.xlsx") == f"CFA {MASK} and cr-2002.xlsx"
    assert masker.extended(["CR-2002"])("CFA CR-1001 and cr-2002.xlsx") == f"CFA {MASK} and {MASK}.xlsx"
    masker.add(["CR-2002"])  # learnt in place (the app's stream of files read)
    assert masker("CFA CR-1001 and cr-2002.xlsx") == f"CFA {MASK} and {MASK}.xlsx"


def test_a_grown_redactor_redacts_every_text_as_one_made_afresh():
    rng = random.Random(7)
    names = ["Jane Smith", "Tom Okafor", "Priya Patel", "Al Bo", "Zoë O'Neil", "jane smithers", "Ed", "Sam-Lee Wu"]
    words = ["Jane", "jane", "SMITH", "Smithers", "Tom", "Okafor's", "priya", "Patel", "Zoë", "O'Neil", "Sam-Lee",
             "Wu", "and", "visited", "Ed", "Edward", "—", ",", " "]
    for _ in range(60):
        before = rng.sample(names, rng.randint(0, len(names)))
        texts = [" ".join(rng.choice(words) for _ in range(rng.randint(1, 8))) for _ in range(30)]
        redactor = NameRedactor(before)
        remembered = [redactor(t) for t in texts]
        grown = redactor.extended(names)
        assert [grown(t) for t in texts] == [redact_names(t, names) for t in texts]
        assert remembered == [redactor(t) for t in texts] == [redact_names(t, before) for t in texts]
    assert NameRedactor([]).extended(["Jane Smith"])("Jane Smith came") == f"{REDACTED_NAME} came"


def _unique_masks_as_it_was(names, masker):
    """unique_masks before issue 18: each name counted from 2 (the reference for the one that remembers)."""
    out, used = {}, set()
    for name in names:
        if name in out:
            continue
        shown = candidate = masker(name)
        number = 1
        while candidate in used:
            number += 1
            head, dot, suffix = shown.rpartition(".")
            candidate = f"{head} ({number}).{suffix}" if dot and "\u203a" not in suffix else f"{shown} ({number})"
        used.add(candidate)
        out[name] = candidate
    return out


def test_names_masking_alike_are_told_apart_as_before_counting_on_from_the_last(monkeypatch):
    rng = random.Random(3)
    refs = [f"CR{n}" for n in range(400)]
    names = [f"CFA {ref} Jan.xlsx" for ref in refs] + [f"CFA {MASK} Jan ({n}).xlsx" for n in (2, 5, 9)]
    names += [f"Box.zip \u203a {ref}" for ref in refs[:50]] + [f"{ref}" for ref in refs[:30]] + ["CFA CR1 Jan.xlsx"]
    rng.shuffle(names)
    masker = IdentifierMasker(refs)
    numbered = []
    real = pipeline._numbered
    monkeypatch.setattr(pipeline, "_numbered", lambda *a: numbered.append(1) or real(*a))
    assert pipeline.unique_masks(names, masker) == _unique_masks_as_it_was(names, masker)
    assert len(numbered) < 2 * len(names)  # counting from 2 for each: tens of thousands


# ---------------------------------------------------------------------------------------------------------
# a check after a new return, in a workspace
# ---------------------------------------------------------------------------------------------------------
def _first_returns(folder: Path) -> Path:
    write_audit(folder / "CFA CR-1001.xlsx", "CR-1001", date(2024, 8, 5), "Good",
                feedback="Priya Patel listened to us; Ann Hope came once.")
    # its name holds the reference of a return not added yet
    write_audit(folder / "CFA 2 about CR-2002.xlsx", "CR-1002", date(2024, 8, 12), "Inadequate",
                feedback="Ann Hope visited with Tom Okafor.")
    write_audit(folder / "CFA 3.xlsx", "SAM LEE", date(2024, 8, 19), "Good")  # a name written as a reference
    return folder


def _new_return(folder: Path) -> Path:
    """A September return by a social worker and a manager new to the workspace, whose reference an earlier file's name holds."""
    values = {**BASE, "social_worker": "Sam Lee", "team_manager": "Ann Hope", "case_ref": "CR-2002", "audit_date": "03/09/2024",
              "overall": "Good"}
    folder.mkdir(parents=True, exist_ok=True)
    write_template(folder / "CFA 9.xlsx", "case_file_audit", values)
    return folder


class _Counts:
    def __init__(self, monkeypatch):
        self.maskers = self.redactors = self.sorted_whole = 0
        real_masker, real_redactor, real_sorted = IdentifierMasker.__init__, NameRedactor.__init__, \
            pipeline.sensitive_set

        def masker(this, identifiers):
            self.maskers += 1
            real_masker(this, identifiers)

        def redactor(this, names):
            self.redactors += 1
            real_redactor(this, names)

        def sorted_whole(analysis):
            self.sorted_whole += 1
            return real_sorted(analysis)

        monkeypatch.setattr(IdentifierMasker, "__init__", masker)
        monkeypatch.setattr(NameRedactor, "__init__", redactor)
        monkeypatch.setattr(pipeline, "sensitive_set", sorted_whole)


def _check(paths, workspace, options, previous=None):
    """What the app does for a check, then its build."""
    analysis = pipeline.analyse(paths, options.period, workspace=workspace, keep_on_cancel=True,
                                previous=previous)
    analysis.summaries()
    pipeline.compute(analysis, options)
    pipeline.feedback_items(analysis, options)
    return analysis


def _same_results(grown: pipeline.Analysis, fresh: pipeline.Analysis, options) -> None:
    assert grown.shown_names == fresh.shown_names
    assert grown.findings == fresh.findings
    assert grown.summaries() == fresh.summaries()
    assert pipeline.feedback_items(grown, options) == pipeline.feedback_items(fresh, options)
    figures, fresh_figures = pipeline.compute(grown, options)[0], pipeline.compute(fresh, options)[0]
    assert figures.tables["tbl_feedback"].equals(fresh_figures.tables["tbl_feedback"])
    assert grown.found_identifiers() == sensitive_set(fresh)


@pytest.fixture
def workspace(tmp_path):
    ws = Workspace.open(tmp_path / "ws.sqlite")
    yield ws
    ws.close()


def test_a_check_after_a_new_return_grows_what_the_last_one_made_and_gives_the_same(tmp_path, workspace,
                                                                                     monkeypatch):
    first = _first_returns(tmp_path / "aug")
    options = pipeline.BuildOptions(period=SEP, settings=Settings(la_name="Anytown Council"))
    before = _check([first], workspace, options)
    pipeline.build([first], tmp_path / "first.xlsx", options, analysis=before, workspace=workspace)
    assert before.shown_names["CFA 2 about CR-2002.xlsx"] == "CFA 2 about CR-2002.xlsx"  # not known yet
    assert "SAM LEE" in before.found_identifiers().case_refs
    counts = _Counts(monkeypatch)
    after = _check([first, _new_return(tmp_path / "sep")], workspace, options, previous=before)
    pipeline.build([first, tmp_path / "sep"], tmp_path / "second.xlsx", options, analysis=after, workspace=workspace)
    assert (counts.maskers, counts.redactors, counts.sorted_whole) == (0, 0, 0)
    # what the new return added is in every one of them
    assert after.shown_names["CFA 2 about CR-2002.xlsx"] == f"CFA 2 about {MASK}.xlsx"
    found = after.found_identifiers()
    assert "CR-2002" in found.case_refs and "Sam Lee" in found.staff_names
    assert "SAM LEE" not in found.case_refs  # a staff name now, and looked for as one
    items = pipeline.feedback_items(after, options)
    assert [i.text for i in items][:2] == [f"{REDACTED_NAME} listened to us; {REDACTED_NAME} came once.",
                                           f"{REDACTED_NAME} visited with {REDACTED_NAME}."]
    # the same as a check made afresh
    fresh = pipeline.analyse([first, tmp_path / "sep"], SEP, workspace=workspace)
    assert counts.maskers == 1
    _same_results(after, fresh, options)


def test_an_input_removed_makes_them_afresh_without_its_identifiers(tmp_path, workspace, monkeypatch):
    first = _first_returns(tmp_path / "aug")
    second = _new_return(tmp_path / "sep")
    options = pipeline.BuildOptions(period=SEP, settings=Settings(la_name="Anytown Council"))
    before = _check([first, second], workspace, options)
    before.found_identifiers()
    removed = next(row for row in workspace.imports() if row.name == "CFA 9.xlsx")
    workspace.remove_import(removed.id)
    counts = _Counts(monkeypatch)
    after = _check([first], workspace, options, previous=before)
    assert counts.maskers == 1 and counts.redactors == 1
    assert after.shown_names["CFA 2 about CR-2002.xlsx"] == "CFA 2 about CR-2002.xlsx"  # CR-2002 has gone
    found = after.found_identifiers()
    assert counts.sorted_whole == 1
    assert "CR-2002" not in found.case_refs and "Sam Lee" not in found.staff_names and "SAM LEE" in found.case_refs
    assert pipeline.feedback_items(after, options)[1].text == "Ann Hope visited with [name]."
    _same_results(after, pipeline.analyse([first], SEP, workspace=workspace), options)


def test_another_period_or_secret_gives_what_a_fresh_check_gives(tmp_path, workspace):
    first = _first_returns(tmp_path / "aug")
    options = pipeline.BuildOptions(period=SEP, settings=Settings(la_name="Anytown Council"))
    before = _check([first], workspace, options)
    before.found_identifiers()
    august = Period(date(2024, 8, 1))
    other = pipeline.BuildOptions(period=august, settings=options.settings, audit_key_secret="b" * 64)
    after = _check([first, _new_return(tmp_path / "sep")], workspace, other, previous=before)
    fresh = pipeline.analyse([first, tmp_path / "sep"], august, workspace=workspace)
    _same_results(after, fresh, other)
    keys = {i.audit_key for i in pipeline.feedback_items(after, other)}
    assert keys and keys.isdisjoint(i.audit_key for i in pipeline.feedback_items(before, options))


def test_an_identifier_added_to_a_check_after_its_masker_was_made_is_not_missed(tmp_path, workspace):
    """The masker is grown only from one made from the last check's identifiers as they are: should they
    change after it was made, a masker is made afresh."""
    first = _first_returns(tmp_path / "aug")
    options = pipeline.BuildOptions(period=SEP, settings=Settings(la_name="Anytown Council"))
    before = _check([first], workspace, options)
    before.sensitive.add("CR-2002")  # (nothing does this: the guard is what is tested)
    after = pipeline.analyse([first, _new_return(tmp_path / "sep")], SEP, workspace=workspace, previous=before)
    assert after.shown_names["CFA 2 about CR-2002.xlsx"] == f"CFA 2 about {MASK}.xlsx"


def test_the_grown_case_references_leave_out_a_name_however_it_is_written():
    found = sources.SensitiveSet(case_refs={"CR-1", "SAM LEE", "ǅOE", "STRASSE"}, staff_names={"Ann Bo"})
    assert sources._named_left_out(found.case_refs, {"sam lee", "strasse"}) == {"CR-1", "ǅOE"}
    assert sources._named_left_out(found.case_refs, {"nobody"}) is found.case_refs
    assert sources._named_left_out({"Straße"}, {"strasse"}) == set()


def test_a_check_redacts_each_feedback_text_once_for_its_items_and_its_figures(tmp_path, monkeypatch):
    """The feedback items (the app's Feedback tab) and the feedback table (the workbook) show the same texts:
    the staff names are tokenised, and each text redacted, once per check, not once for each."""
    first = _first_returns(tmp_path / "aug")
    options = pipeline.BuildOptions(period=SEP, settings=Settings(la_name="Anytown Council"))
    analysis = pipeline.analyse([first], SEP)
    tokenised, redacted = [], []
    real_tokens = privacy.name_tokens
    monkeypatch.setattr(privacy, "name_tokens", lambda names: tokenised.append(1) or real_tokens(names))
    real_pattern = privacy._tokens_pattern

    def counting_pattern(tokens):
        pattern = real_pattern(tokens)

        class Counting:
            def sub(self, replacement, text):
                redacted.append(text)
                return pattern.sub(replacement, text)
        return Counting()

    monkeypatch.setattr(privacy, "_tokens_pattern", counting_pattern)
    items = pipeline.feedback_items(analysis, options)
    figures, _ = pipeline.compute(analysis, options)
    assert list(figures.tables["tbl_feedback"]["Feedback"]) == [i.text for i in items]
    assert items[0].text == f"{REDACTED_NAME} listened to us; Ann Hope came once."
    assert len(tokenised) == 1 and sorted(redacted) == sorted({i for i in redacted}) and len(redacted) == 2


def test_each_audit_key_is_worked_out_once_per_secret(tmp_path, monkeypatch):
    """A check asks for each audit's key for its figures, its feedback list and its items, and the next check
    again: the HMAC is worked out once per audit and secret; another secret gives other keys."""
    import hmac as real_hmac
    import types

    first = _first_returns(tmp_path / "aug")
    secret = "c" * 63 + "1"
    options = pipeline.BuildOptions(period=SEP, settings=Settings(la_name="Anytown Council"), audit_key_secret=secret)
    worked_out = []
    monkeypatch.setattr(privacy, "hmac", types.SimpleNamespace(
        new=lambda *a, **k: worked_out.append(a[1]) or real_hmac.new(*a, **k)))
    for _ in range(2):
        analysis = pipeline.analyse([first], SEP)
        pipeline.compute(analysis, options)
        items = pipeline.feedback_items(analysis, options)
    assert len(worked_out) == len(set(worked_out)) == len(analysis.records.audits) == 3
    assert items[0].audit_key == real_hmac.new(secret.encode(), b"case_file_audit|CR-1001|2024-08-05",
                                               "sha256").hexdigest()[:10]
    other = pipeline.BuildOptions(period=SEP, settings=options.settings, audit_key_secret="d" * 64)
    assert pipeline.feedback_items(analysis, other)[0].audit_key != items[0].audit_key
