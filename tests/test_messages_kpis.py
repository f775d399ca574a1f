"""Key messages for the KPI, workforce and fostering sections: wording, numbers as the tables show them,
comparisons, targets, and the input a blank section needs. Figures: tests/report_fixtures.py (Sep 2024)."""
from __future__ import annotations

import re

import pandas as pd
import pytest

from pqa_desktop.core.measures.figures import Figures
from pqa_desktop.core.messages.key_messages import MAX_SENTENCES, draft_messages
from pqa_desktop.core.messages.kpi_messages import Shown, kpi_rows, kpi_sentence
from pqa_desktop.core.report import styles
from tests import report_fixtures as fx

KPI_SECTIONS = ("Identification of harm", "Assessment", "Child protection", "Plans and children in care",
                "Care leavers", "Workforce", "Fostering")


@pytest.fixture(scope="module")
def messages() -> dict[str, list[str]]:
    return draft_messages(fx.kpi_figures())


def without(*ids: str) -> dict:
    return {k: v for k, v in fx.KPI_VALUES.items() if k not in ids}


def with_values(**changes) -> dict:
    values = dict(fx.KPI_VALUES)
    for kpi_id, row in changes.items():
        values[kpi_id] = row
    return values


# --- each section, hand-worked from the fixture's tables ------------------------------------------

def test_identification_of_harm_counts_with_thousands_separators(messages):
    assert messages["Identification of harm"] == [
        "Contacts: 412 in September 2024, up from 390 in August 2024.",
        "Referrals: 1,230 in September 2024, down from 1,301 in August 2024.",
    ]


def test_assessment_timeliness_rounds_half_away_and_gives_benchmarks_one_decimal(messages):
    # 165 / 200 = 82.5% shows as 83% (round() would give 82); England 0.845 shows 84.5%, neighbours 86.1%.
    assert messages["Assessment"] == [
        "Assessments completed within 45 working days: 83% over the last 3 months, up from 78% in the previous "
        "3 months, not meeting the target of 85%, below statistical neighbours (86.1%) and England (84.5%).",
        "Assessments completed: 200 over the last 3 months, up from 188 in the previous 3 months.",
        "Median working days to complete an assessment: 28 over the last 3 months, down from 31 in the "
        "previous 3 months, meeting the target of 30.",
    ]


def test_child_protection_keeps_four_sentences_most_important_first(messages):
    assert messages["Child protection"] == [
        "Over the last 3 months the median time to complete a Section 47 enquiry was 13 working days, with 79% "
        "completed within 15 working days, down from 80% in the previous 3 months.",
        "ICPCs held within 15 working days of the strategy discussion: 92% in the year to date, up from 88% in "
        "the same months last year, meeting the target of 90% (England 78.4%).",
        "ICPCs for new referrals held within 15 working days: 95% in the year to date.",
        "Section 47 enquiries started: 52 in September 2024, up from 49 in August 2024.",
    ]


def test_plans_section_leads_with_one_sentence_per_topic(messages):
    assert messages["Plans and children in care"] == [
        "Children on a child protection plan: 210 at the end of September 2024, up from 198 at the end of "
        "August 2024.",
        "Children in care: 200 at the end of September 2024, up from 196 at the end of August 2024.",
        "Children in need episodes open: 640 at the end of September 2024, down from 655 at the end of "
        "August 2024.",
        "Children with a placement order waiting to be placed: 8 at the end of September 2024.",
    ]


def test_care_leavers_without_previous_say_no_comparison(messages):
    assert messages["Care leavers"][0] == (
        "Care leavers aged 17-18 in education, employment or training: 62% at the end of September 2024 "
        "(England 66.0%).")
    assert len(messages["Care leavers"]) == 4


def test_workforce_sentences(messages):
    # 482 children / 25 FTE = 19.28 -> 19.3; Family Safeguarding 232 / 10 = 23.2 against a threshold of 17
    # (every threshold whole, so the table shows 17); IRT 18.0 is also above. Agency 41%, England 16.2%,
    # highest in Family Safeguarding (50%). Continuity from tbl_continuity: 90 of 200, 30 of 120.
    assert messages["Workforce"] == [
        "Caseloads average 19.3 children per case-holding worker; Family Safeguarding is highest at 23.2, "
        "above its threshold of 17, and IRT is also above its threshold.",
        "Agency workers are 41% of social worker FTE, up from 38% at the end of August 2024 (England 16.2%); "
        "the highest share is in Family Safeguarding (50%).",
        "In the last 6 months 11 permanent workers started and 7 left (10 and 8 in the previous 6 months).",
        "45% of children allocated throughout the last 6 months kept the same worker (90 of 200), and 25% of "
        "those allocated throughout the last 12 months (30 of 120).",
    ]


def test_fostering_follows_the_audit_sentences(messages):
    fostering = messages["Fostering"]
    assert len(fostering) == MAX_SENTENCES
    assert fostering[0].startswith("75% of foster carer audits")  # the audit drafter comes first
    assert fostering[2:] == [
        "69% of children in care are in foster placements (England 67.0%).",
        "There were 120 approved fostering households at the end of September 2024, up from 118 at the end of "
        "August 2024; 14 approved and 9 de-registered in the last 12 months.",
    ]


def test_summary_counts_measures_against_their_targets(messages):
    # Targets: assessments 45 wd (below), assessment median (meets), ICPC 15 wd (meets), second plans (below).
    assert ("2 of the 4 measures with a target are meeting it; below target: assessments completed within 45 "
            "working days and child protection plans that were a second or subsequent plan.") in messages["Summary"]


def test_every_percentage_in_a_sentence_is_one_the_tables_show(messages):
    figures = fx.kpi_figures()
    kpis = figures.tables["tbl_kpis"]
    shown = set()
    for _, row in kpis.iterrows():
        if row["Unit"] == "percent":
            shown |= {Shown.of(row[c], styles.PERCENT).text for c in ("Value", "Previous", "Target")
                      if row[c] is not None}
            shown |= {Shown.of(row[c], styles.BENCHMARK_PERCENT).text for c in ("England", "Statistical neighbours")
                      if row[c] is not None}
    for table, column in (("tbl_caseloads", "Agency %"), ("tbl_continuity", "Same worker %"),
                          ("tbl_placement_types", "Share %")):
        shown |= {Shown.of(v, styles.PERCENT).text for v in figures.tables[table][column]}
    for section in KPI_SECTIONS[:-1]:
        for sentence in messages[section]:
            for pct in re.findall(r"\d+(?:\.\d)?%", sentence):
                assert pct in shown, (section, pct)


# --- numbers as shown, comparisons, targets --------------------------------------------------------

@pytest.mark.parametrize("number, num_format, text", [
    (0.825, styles.PERCENT, "83%"),
    (0.145, styles.PERCENT, "15%"),  # 14.499999999999998 in binary; the cell shows 15%
    (0.845, styles.BENCHMARK_PERCENT, "84.5%"),
    (0.16249, styles.BENCHMARK_PERCENT, "16.2%"),
    (160.25, styles.DECIMAL, "160.3"),  # round(160.25, 1) == 160.2 (half to even)
    (1234.56, styles.DECIMAL, "1,234.6"),
    (12345, styles.COUNT, "12,345"),
    (147.5, styles.GENERAL, "147.5"),  # median days of an even count
    (13.0, styles.GENERAL, "13"),
])
def test_numbers_as_the_cells_show_them(number, num_format, text):
    assert Shown.of(number, num_format).text == text


def test_rate_sentence_one_decimal_and_england_value():
    figures = fx.kpi_figures()
    rate = kpi_rows(figures)["s47_rate_per_10k"]
    assert kpi_sentence(rate, figures.period) == (
        "Section 47 enquiries per 10,000 children (annualised): 160.3 over the last 12 months, down from 171.4 "
        "in the previous 12 months (England 174.2).")


def test_change_is_judged_on_the_shown_figures():
    # 82.4% and 82.49% both show as 82%: "the same", although the unrounded value fell.
    figures = fx.kpi_figures(with_values(assessments_45wd_pct=(0.824, 0.8249, 165, 200, None, None, None,
                                                               "No target")))
    assert draft_messages(figures)["Assessment"][0] == (
        "Assessments completed within 45 working days: 82% over the last 3 months, the same as in the previous "
        "3 months.")


def test_snapshot_measure_compares_with_the_previous_month_end():
    figures = fx.kpi_figures(with_values(cic_foster_pct=(0.69, 0.705, 138, 200, 0.7, None, None,
                                                         "Below target")))
    assert draft_messages(figures)["Fostering"][2] == (
        "69% of children in care are in foster placements, down from 71% at the end of August 2024, not meeting "
        "the target of 70%.")


def test_a_blank_previous_leaves_the_comparison_out():
    figures = fx.kpi_figures(with_values(contacts=(412, None, 412, None, None, None, None, "No target")))
    assert draft_messages(figures)["Identification of harm"][0] == "Contacts: 412 in September 2024."


# --- blank sections say which input would fill them ------------------------------------------------

def test_audit_figures_alone_get_no_kpi_sentences():
    # Without tbl_kpis the KPI layer did not run (the audit measures' own figures): nothing is drafted.
    messages = draft_messages(fx.audit_figures())
    for section in KPI_SECTIONS[:-1]:
        assert not messages.get(section)
    assert messages["Fostering"] == ["75% of foster carer audits in Q1 2024/25 were judged Good or better "
                                     "overall (3 of 4 audits), the same as 75% in Q3 2023/24.",
                                     "In Q1 2024/25, Fostering standards met had the highest share of Good or "
                                     "better judgements (50%, 1 of 2 audits)."]


def test_no_system_exports_every_section_names_its_input():
    figures = fx.no_export_figures()  # as the pipeline builds them without any export
    messages = draft_messages(figures)
    assert messages["Identification of harm"] == [
        "No Annex A List 1 or List 3 was supplied, so contacts and referrals are not shown."]
    assert messages["Assessment"] == ["No Annex A List 4 was supplied, so assessment timeliness is not shown."]
    assert messages["Child protection"] == [
        "No Annex A List 5 was supplied, so Section 47 enquiries and ICPC timeliness are not shown."]
    assert messages["Plans and children in care"] == [
        "No Annex A List 6, List 7, List 8 or List 10 was supplied, so child protection plans, children in "
        "care, children in need and children waiting for adoption are not shown."]
    assert messages["Care leavers"] == ["No Annex A List 9 was supplied, so care leaver figures are not shown."]
    assert messages["Workforce"] == [
        "No workforce list or worker allocation history was supplied, so staffing figures and continuity of "
        "worker are not shown."]
    assert messages["Fostering"][-1] == (
        "No Annex A List 8 or fostering households list was supplied, so placement types and fostering "
        "households are not shown.")


def test_one_list_missing_its_note_names_it():
    ids = ("assessments_completed", "assessments_45wd_pct", "assessment_median_wd")
    figures = fx.kpi_figures(without(*ids), notes={i: "Needs Annex A List 4 (assessments)." for i in ids})
    assert draft_messages(figures)["Assessment"] == [
        "No Annex A List 4 was supplied, so assessment timeliness is not shown."]


def test_list_supplied_but_not_covering_the_period_points_to_the_note():
    ids = ("assessments_completed", "assessments_45wd_pct", "assessment_median_wd")
    figures = fx.kpi_figures(without(*ids), notes={i: "Annex A List 4 covers Jan 2024 to Jun 2024 only." for i in ids})
    assert draft_messages(figures)["Assessment"] == [
        "Assessment timeliness could not be worked out for September 2024 from the inputs supplied; the Note "
        "column of the KPI table says why."]


def test_partly_supplied_section_gives_figures_then_the_missing_input():
    ids = ("cp_plans_started", "cp_second_plus_pct", "cp_open", "cp_open_median_days", "cp_open_2yrs_pct")
    figures = fx.kpi_figures(without(*ids), notes={i: "Needs Annex A List 7 (child protection)." for i in ids})
    plans = draft_messages(figures)["Plans and children in care"]
    assert len(plans) == 4
    assert plans[0].startswith("Children in care: 200")
    assert plans[-1] == "No Annex A List 7 was supplied, so child protection plans are not shown."


def test_allocation_history_missing_workforce_keeps_its_figures():
    figures = fx.kpi_figures(without("same_worker_6m_pct", "same_worker_12m_pct"),
                             notes={"same_worker_6m_pct": "Needs the worker allocation history.",
                                    "same_worker_12m_pct": "Needs the worker allocation history."})
    figures.tables["tbl_continuity"] = figures.tables["tbl_continuity"].iloc[0:0]
    workforce = draft_messages(figures)["Workforce"]
    assert workforce[0].startswith("Caseloads average 19.3")
    assert workforce[-1] == "No worker allocation history was supplied, so continuity of worker is not shown."
    assert len(workforce) == 4


# --- tables alone, ties, privacy -------------------------------------------------------------------

def test_caseload_highest_tie_takes_the_first_listed_and_whole_columns_show_whole():
    figures = fx.kpi_figures()
    figures.tables["tbl_caseloads"] = pd.DataFrame(
        [["CASS", 5.0, 90.0, 18.0, 0.2, None, "No threshold"], ["IRT", 10.0, 180.0, 18.0, 0.45, None, "No threshold"]],
        columns=fx.kpi_tables()["tbl_caseloads"].columns)
    assert draft_messages(figures)["Workforce"][0] == (
        "Caseloads average 19.3 children per case-holding worker; CASS is highest at 18.")


def test_one_service_area_adds_nothing_to_the_average():
    figures = fx.kpi_figures()
    figures.tables["tbl_caseloads"] = figures.tables["tbl_caseloads"].iloc[:1]
    assert draft_messages(figures)["Workforce"][0] == "Caseloads average 19.3 children per case-holding worker."


def test_notes_are_never_quoted_so_no_identifier_reaches_a_sentence():
    figures = fx.kpi_figures()
    kpis = figures.tables["tbl_kpis"]
    kpis["Note"] = kpis["Note"] + " Left out: child 1234567 (Jane Doe), worker SW0042."
    text = " ".join(s for sentences in draft_messages(figures).values() for s in sentences)
    for identifier in ("1234567", "Jane", "SW0042"):
        assert identifier not in text


def test_kpi_rows_reads_blank_cells_as_none():
    figures = Figures(period=fx.PERIOD, tables={"tbl_kpis": pd.DataFrame(
        [["contacts", "Contacts", "Identification of harm", "Last month", float("nan"), None, None, None, None,
          None, "count", None, None, None, None, "", "No data", "Needs Annex A List 1 (contacts)."]],
        columns=fx.KPI_COLUMNS)})
    row = kpi_rows(figures)["contacts"]
    assert row.value is None and row.window == "last month"
    assert draft_messages(figures)["Identification of harm"] == [
        "No Annex A List 1 or List 3 was supplied, so contacts and referrals are not shown."]
