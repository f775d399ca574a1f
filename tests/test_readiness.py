"""What will be blank before a build, and why: settings whose absence blanks figures, and inputs that end
before the period end month (also warnings among the findings). Real generated inputs throughout."""
from __future__ import annotations

import json
import re

import openpyxl
import pytest

from pqa_desktop.cli import main
from pqa_desktop.core.calendar import Period
from pqa_desktop.core.pipeline.run import analyse
from pqa_desktop.core.pipeline.readiness import BlankReason, blank_reasons
from pqa_desktop.core.sample.demo import DEMO_PERIOD_END, demo_settings
from pqa_desktop.core.settings import Settings
from tests.app_fixtures import isolated_qsettings  # noqa: F401  (fixture)

SETTING_KEYS = ("population_0_17", "vacancies_fte", "caseload_thresholds", "benchmarks_file", "workforce_snapshot",
                "audit_key_secret", "la_name")
NOVEMBER = Period(DEMO_PERIOD_END.replace(month=11))  # two months after the demo's inputs end


@pytest.fixture(scope="module")
def sample(tmp_path_factory, demo_inputs_copy):
    folder = tmp_path_factory.mktemp("sample")
    demo_inputs_copy(folder)  # generated once per run (conftest.py)
    return folder


@pytest.fixture(scope="module")
def september(sample):
    return analyse([sample], Period(DEMO_PERIOD_END))


@pytest.fixture(scope="module")
def november(sample):
    return analyse([sample], NOVEMBER)


def _in_user_words(reason: BlankReason) -> None:
    for text in (reason.what, reason.why, reason.fix):
        assert text and text.strip() == text
        assert "--" not in text, text  # never a command-line option
        assert not re.search(r"\b[a-z0-9]+_[a-z0-9_]+\b", text), text  # never an internal key


def test_no_setting_reasons_with_the_demo_settings(september):
    reasons = blank_reasons(september, demo_settings(), september.period)
    assert [r.key for r in reasons if r.kind == "setting"] == ["council"]  # no council: no neighbours
    # The exports reach September; the audits end in July, as the reference report's do ("audits are not
    # completed in August"): said, with what to do if some are missing.
    [audits] = [r for r in reasons if r.kind == "coverage"]
    assert audits.key == "audits" and "July 2024" in audits.why and "if none was, nothing is missing" in audits.fix


def test_settings_whose_absence_blanks_figures_are_listed_in_user_words(september):
    reasons = blank_reasons(september, Settings(), september.period)
    by_key = {r.key: r for r in reasons if r.kind == "setting"}
    assert list(by_key) == ["population_0_17", "targets", "caseload_thresholds", "vacancies_fte", "council"]
    assert by_key["population_0_17"].what == "Population aged 0\u201317"
    assert "Section 47 enquiries per 10,000 children" in by_key["population_0_17"].why
    assert "Settings" in by_key["population_0_17"].fix
    thresholds = by_key["caseload_thresholds"]
    assert "Family Safeguarding" in thresholds.why and "No threshold" in thresholds.why
    assert "Service areas" in thresholds.fix
    assert "No target" in by_key["targets"].why
    # what the workbook leaves out without a council: neighbours, region and the published-years charts
    assert ("Statistical neighbour and region figures will be blank, and no measure will be charted against its "
            "published years") in by_key["council"].why
    for reason in reasons:
        _in_user_words(reason)


def test_a_setting_given_for_some_areas_lists_only_the_others(september):
    settings = demo_settings()
    settings.caseload_thresholds = {"IRT": 20.0}
    [thresholds] = [r for r in blank_reasons(september, settings, september.period) if r.key == "caseload_thresholds"]
    assert "IRT" not in thresholds.why and "CASS" in thresholds.why


def test_inputs_ending_before_the_period_end_month_are_warnings_and_reasons(november):
    ends = [f for f in november.findings if f.rule == "period.input_ends_early"]
    messages = " ".join(f.message for f in ends)
    for label in ("Annex A List 1 Contacts", "Annex A List 8 Children in care", "workforce list", "latest audit"):
        assert label in messages, label
    assert all(f.severity.value == "warning" for f in ends)
    assert all("November 2024" in f.message for f in ends)
    # the exports end in September; the demo's latest audit is one dated October, after its own period
    assert all("in September 2024" in f.message for f in ends if f.file)
    assert "dated in October 2024" in next(f.message for f in ends if not f.file)
    assert not re.search(r"\d{1,2}/\d{1,2}/\d{4}", messages)  # months, never a full date
    reasons = [r for r in blank_reasons(november, demo_settings(), NOVEMBER) if r.kind == "coverage"]
    assert {r.key for r in reasons} >= {"annex_a_list_1", "annex_a_list_8", "workforce", "audits"}
    assert len(reasons) == len(ends)
    for reason in reasons:
        _in_user_words(reason)
        assert "as the period end month" in reason.fix


def test_the_period_is_said_and_the_reasons_listed_by_the_command_line(sample, tmp_path, capsys):
    out = tmp_path / "r.xlsx"
    assert main(["build", str(sample), "-o", str(out), "--period-end", "2024-11", "--produced", "2024-12-02",
                 "--json"]) == 0
    captured = capsys.readouterr()
    summary = json.loads(captured.out)
    assert summary["period"]["text"].startswith("12 months from December 2023 to November 2024")
    assert "12 months from December 2023 to November 2024" in captured.err
    keys = {(r["kind"], r["key"]) for r in summary["blank_reasons"]}
    assert ("setting", "population_0_17") in keys and ("coverage", "annex_a_list_1") in keys
    assert set(summary["blank_reasons"][0]) == {"kind", "key", "what", "why", "fix"}
    assert "Population aged 0\u201317" in captured.err and "Annex A List 1 Contacts" in captured.err


def test_every_note_speaks_the_users_words(sample, tmp_path):
    """Built without a population, vacancies, targets or thresholds: no note names an internal setting key."""
    out = tmp_path / "r.xlsx"
    assert main(["build", str(sample), "-o", str(out), "--period-end", "2024-09", "--produced", "2024-10-07"]) == 0
    wb = openpyxl.load_workbook(out)
    seen_population_note = False
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    for key in SETTING_KEYS:
                        assert key not in cell.value, (ws.title, cell.coordinate, cell.value)
                    seen_population_note |= "population aged 0" in cell.value.lower()
    assert seen_population_note



def test_the_app_shows_the_reasons_beside_build(qtbot, tmp_path, isolated_qsettings):  # noqa: F811
    """The real pipeline in the app: two returns dated July and a List 5 without a population setting, for
    the September period: the build line names the population setting and the audits ending in July."""
    from datetime import date

    from pqa_desktop.app.app_settings import AppSettings
    from pqa_desktop.app.main_window import MainWindow
    from pqa_desktop.core.returns.templates import write_return
    from tests.app_fixtures import TODAY
    from tests.exports_fixtures import VERBATIM, row_for, write_csv

    folder = tmp_path / "inbox"
    folder.mkdir()
    for n in (1, 2):
        write_return(folder / f"Audit {n}.xlsx", "case_file_audit", {
            "case_ref": f"AB10000{n}", "service_area": "IRT", "auditor": "Ann Auditor",
            "audit_date": date(2024, 7, 10 + n), "overall": "Good"})
    l5 = VERBATIM["annex_a_list_5"]
    write_csv(folder / "s47.csv", [l5] + [row_for(l5, {
        "Child Unique ID": f"C{i}", "Strategy discussion initiating Section 47 Enquiry Start Date": f"{d:02d}/09/2024",
        "Date of Initial Child Protection Conference": ""}) for i, d in enumerate((2, 12, 27))])
    window = MainWindow(settings=AppSettings(), today=TODAY)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.analysis_ready, timeout=30000):
        window.add_paths([folder])
    qtbot.waitUntil(lambda: not window.busy, timeout=30000)
    label = window.blank_reasons_label
    assert label.isVisibleTo(window)
    assert "Population aged 0\u201317" in label.text() and "The audits" in label.text()
    assert "Settings, on the General page" in label.toolTip()
    assert label.accessibleName() == "Figures that will be blank"
    assert "12 months from October 2023 to September 2024" in window.build_summary_label.text()


def test_the_reasons_in_one_line(november):
    from pqa_desktop.core.pipeline.readiness import blank_reasons_line

    line = blank_reasons_line(blank_reasons(november, Settings(), NOVEMBER))
    assert line == ("Some figures will be blank: settings not given (Population aged 0\u201317, Targets, Caseload "
                    "thresholds, Vacancies (FTE), Your council); inputs ending before the period does "
                    "(Annex A Lists 1, 3, 4, 5, 6, 7, 8 and 9, The workforce list, The audits).")
    assert blank_reasons_line([]) == ""


def test_an_export_ending_in_the_first_weeks_of_the_period_end_month_is_said_too(tmp_path):
    """The coverage rule: a list whose latest date is more than 7 days before the snapshot does not cover the
    period end month, so its figures for it are blank: that is said, without a full date."""
    from datetime import date

    from pqa_desktop.core.exports.combine import combine_exports
    from pqa_desktop.core.exports.reader import read_export
    from pqa_desktop.core.pipeline.period_coverage import ending_early_findings, inputs_ending_early
    from pqa_desktop.core.records import AuditRecords
    from tests.exports_fixtures import VERBATIM, as_input, row_for, write_csv

    def contacts(last_day: int):
        l1 = VERBATIM["annex_a_list_1"]
        rows = [l1] + [row_for(l1, {"Child Unique ID": f"C{d}", "Date of Contact": f"{d:02d}/10/2024"})
                       for d in range(1, last_day + 1)]
        return read_export(as_input(write_csv(tmp_path / f"contacts{last_day}.csv", rows)))

    october = Period(date(2024, 10, 1))  # snapshot 31/10/2024
    exports, _ = combine_exports([contacts(23)], october)  # 23 October: 8 days before the snapshot
    [end] = inputs_ending_early(exports, AuditRecords(), october)
    [finding] = ending_early_findings([end], october)
    assert "more than a week before the end of October 2024" in finding.message
    assert "choose September 2024 as the period end month" in finding.message
    exports, _ = combine_exports([contacts(24)], october)  # within 7 days: it covers October
    assert inputs_ending_early(exports, AuditRecords(), october) == []
