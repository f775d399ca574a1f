"""Audit figures (measures.md "Audit figures"), hand-worked on small sets of audit records.

Each test pins a window edge or a counting rule with a pair of records either side of it, so an
off-by-one in a window, a month or a quarter changes an expected number.
"""
from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest

from pqa_desktop.core.calendar import Period
from pqa_desktop.core.measures.audits import (
    HEADLINE_CASE_FILE_AUDITS,
    HEADLINE_COMPLIANCE,
    HEADLINE_FOSTER_AUDITS,
    HEADLINE_GOOD_OR_BETTER,
    HEADLINE_INADEQUATE,
    HEADLINE_MODERATION,
    audit_figures,
)
from pqa_desktop.core.measures.grades import GRADE_COLUMNS
from pqa_desktop.core.messages.key_messages import draft_messages
from pqa_desktop.core.measures.notes import note_ref
from pqa_desktop.core.records import Audit, AuditRecords, EdtRecord, EdtSample, Feedback, Source

SEP_2024 = Period(date(2024, 9, 1))  # trend Oct 2023-Sep 2024, YTD 1 Apr-30 Sep 2024, Q3 2023/24..Q2 2024/25


def case_audit(day: date, overall: str | None = "Good", *, area: str = "IRT", ref: str = "C1",
               kind: str = "Case file audit", team: str | None = None, grades: dict | None = None,
               **extra) -> Audit:
    return Audit(template_type="case_file_audit", reference=ref, audit_date=day, audit_type=kind,
                 service_area=area, team=team, grades={"overall": overall, **(grades or {})}, **extra)


def foster_audit(day: date, overall: str | None = "Good", *, ref: str = "F1", grades: dict | None = None,
                 **extra) -> Audit:
    return Audit(template_type="foster_carer_audit", reference=ref, audit_date=day,
                 audit_type="Foster carer audit", service_area="Fostering",
                 grades={"overall": overall, **(grades or {})}, **extra)


def figures_for(period: Period, audits=(), samples=(), **options):
    return audit_figures(AuditRecords(list(audits), list(samples)), period,
                         audit_key=lambda a: f"{a.reference}-{a.audit_date:%Y%m%d}", **options)


def row_where(table: pd.DataFrame, **match) -> pd.Series:
    selected = table
    for column, value in match.items():
        selected = selected[selected[column] == value]
    assert len(selected) == 1, f"expected one row for {match}, got {len(selected)}"
    return selected.iloc[0]


def headline(figures, measure):
    return next(h for h in figures.headlines if h.measure == measure)


def blank(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


# --- windows and edges --------------------------------------------------------------------------

def test_31_march_is_last_year_and_q4_while_1_april_is_ytd_and_q1():
    period = Period(date(2024, 4, 1))  # YTD is 1-30 April 2024 only
    figures = figures_for(period, [case_audit(date(2024, 3, 31), "Good", ref="A"),
                                   case_audit(date(2024, 4, 1), "Inadequate", ref="B")])

    activity = row_where(figures.table("tbl_audit_activity"), **{"Audit type": "Case file audit"})
    assert (activity["Mar 2024"], activity["Apr 2024"], activity["Year to date"], activity["Total"]) == (1, 1, 1, 2)

    by_quarter = figures.table("tbl_overall_by_quarter")
    assert list(by_quarter["Quarter"]) == ["Q1 2023/24", "Q2 2023/24", "Q3 2023/24", "Q4 2023/24",
                                           "Q1 2024/25 (to date)"]
    q4 = row_where(by_quarter, Quarter="Q4 2023/24")
    q1 = row_where(by_quarter, Quarter="Q1 2024/25 (to date)")
    assert (q4["Good"], q4["Inadequate"], q4["Total"]) == (1, 0, 1)
    assert (q1["Good"], q1["Inadequate"], q1["Total"]) == (0, 1, 1)

    irt = row_where(figures.table("tbl_overall_by_service"), **{"Service area": "IRT"})
    assert (irt["Inadequate"], irt["Good"], irt["Total"]) == (1, 0, 1)
    assert headline(figures, HEADLINE_CASE_FILE_AUDITS).value == 1
    assert headline(figures, HEADLINE_INADEQUATE).value == 1.0
    assert headline(figures, HEADLINE_GOOD_OR_BETTER).value == 0.0


def test_last_day_of_period_counts_and_first_of_next_month_is_left_out():
    inside = case_audit(date(2024, 9, 30), "Good", ref="IN",
                        feedback=Feedback("Parent or carer", "Getting it right", "Kind words"))
    after = case_audit(date(2024, 10, 1), "Inadequate", ref="OUT",
                       feedback=Feedback("Parent or carer", "Need to do better", "Late words"))
    edt_after = EdtSample("Sam", date(2024, 10, 1), [EdtRecord(5, None, {"safeguarding_action": "No"})])
    figures = figures_for(SEP_2024, [inside, after], [edt_after])

    activity = figures.table("tbl_audit_activity")
    assert list(activity["Audit type"]) == ["Case file audit"]  # no EDT row: its only sample is after
    assert (activity.iloc[0]["Sep 2024"], activity.iloc[0]["Total"]) == (1, 1)
    assert "Oct 2024" not in activity.columns
    september = figures.table("tbl_overall_by_month").iloc[-1]
    assert (september["Month"], september["Good"], september["Inadequate"]) == (date(2024, 9, 1), 1, 0)
    q2 = figures.table("tbl_overall_by_quarter").iloc[-1]
    assert (q2["Quarter"], q2["Total"], q2["Inadequate"]) == ("Q2 2024/25", 1, 0)
    assert list(figures.table("tbl_audits")["Audit key"]) == ["IN-20240930"]
    assert list(figures.table("tbl_feedback")["Feedback"]) == ["Kind words"]
    assert figures.table("tbl_edt")["Records sampled"].sum() == 0
    assert headline(figures, HEADLINE_INADEQUATE).value == 0.0


def test_first_trend_month_counts_in_activity_and_month_before_only_in_its_quarter():
    period = Period(date(2024, 8, 1))  # trend Sep 2023-Aug 2024; Q2 2023/24 is Jul-Sep 2023
    figures = figures_for(period, [
        case_audit(date(2023, 8, 31), "Requires improvement", ref="BEFORE"),
        case_audit(date(2023, 8, 31), "Good", ref="THEME", kind="Thematic audit"),
        case_audit(date(2023, 9, 1), "Good", ref="FIRST"),
    ])
    activity = figures.table("tbl_audit_activity")
    assert list(activity.columns[:3]) == ["Audit type", "Service area", "Sep 2023"]
    assert list(activity.columns[-3:]) == ["Aug 2024", "Year to date", "Total"]
    assert list(activity["Audit type"]) == ["Case file audit"]  # the thematic audit is before the window
    assert (activity.iloc[0]["Sep 2023"], activity.iloc[0]["Total"], activity.iloc[0]["Year to date"]) == (1, 1, 0)

    first_month = figures.table("tbl_overall_by_month").iloc[0]
    assert (first_month["Month"], first_month["Total"], first_month["Good"]) == (date(2023, 9, 1), 1, 1)

    by_quarter = figures.table("tbl_overall_by_quarter")
    assert by_quarter.iloc[0]["Quarter"] == "Q2 2023/24"
    # The whole quarter counts, so both August audits (before the window) are in it.
    assert (by_quarter.iloc[0]["Good"], by_quarter.iloc[0]["Requires improvement"],
            by_quarter.iloc[0]["Total"]) == (2, 1, 3)
    assert by_quarter.iloc[-1]["Quarter"] == "Q2 2024/25 (to date)"
    assert len(figures.table("tbl_audits")) == 1


def test_quarter_labels_mark_only_an_incomplete_final_quarter():
    assert list(figures_for(SEP_2024).table("tbl_overall_by_quarter")["Quarter"]) == [
        "Q3 2023/24", "Q4 2023/24", "Q1 2024/25", "Q2 2024/25"]
    assert list(figures_for(Period(date(2024, 11, 1))).table("tbl_domains_by_quarter")["Quarter"].unique()) == [
        "Q3 2023/24", "Q4 2023/24", "Q1 2024/25", "Q2 2024/25", "Q3 2024/25 (to date)"]


# --- grades and moderation ----------------------------------------------------------------------

def test_moderated_grade_replaces_overall_and_counts_grade_changed():
    changed = case_audit(date(2024, 6, 30), "Requires improvement", ref="X", moderated_overall="Good",
                         moderation_date=date(2024, 7, 2))
    agreed = case_audit(date(2024, 7, 10), "Good", ref="Y", moderated_overall="Good")
    plain = case_audit(date(2024, 7, 11), "Inadequate", ref="Z")
    figures = figures_for(SEP_2024, [changed, agreed, plain])

    irt = row_where(figures.table("tbl_overall_by_service"), **{"Service area": "IRT"})
    assert (irt["Good"], irt["Requires improvement"], irt["Inadequate"], irt["Total"]) == (2, 0, 1, 3)
    assert irt["Good or better %"] == pytest.approx(2 / 3)
    # Moderation in July does not move the June audit.
    june = row_where(figures.table("tbl_overall_by_month"), Month=date(2024, 6, 1))
    july = row_where(figures.table("tbl_overall_by_month"), Month=date(2024, 7, 1))
    assert (june["Good"], june["Total"], july["Total"]) == (1, 1, 2)

    moderation = figures.table("tbl_moderation").iloc[0]
    assert (moderation["Audits moderated"], moderation["Grade changed"]) == (2, 1)
    assert moderation["Agreement %"] == pytest.approx(0.5)
    assert headline(figures, HEADLINE_MODERATION).value == pytest.approx(0.5)

    listed = figures.table("tbl_audits").set_index("Audit key")
    assert (listed.loc["X-20240630", "Overall"], listed.loc["X-20240630", "Moderated"]) == ("Good", "Yes")
    assert (listed.loc["Z-20240711", "Overall"], listed.loc["Z-20240711", "Moderated"]) == ("Inadequate", "No")


def test_not_applicable_and_missing_are_outside_totals_but_the_audit_still_counts():
    figures = figures_for(SEP_2024, [
        case_audit(date(2024, 5, 2), "Good", ref="A", grades={"voice": "Not applicable", "assessment": "Good"}),
        case_audit(date(2024, 5, 3), "Not applicable", ref="B", grades={"voice": "Inadequate", "assessment": "Good"}),
        case_audit(date(2024, 5, 4), None, ref="C", grades={"voice": "Outstanding"}),
    ])
    may = row_where(figures.table("tbl_overall_by_month"), Month=date(2024, 5, 1))
    assert (may["Good"], may["Total"], may["Good %"]) == (1, 1, 1.0)
    assert row_where(figures.table("tbl_audit_activity"), **{"Audit type": "Case file audit"})["May 2024"] == 3

    domains = figures.table("tbl_domains_by_month")
    voice = row_where(domains, Domain="Voice of the child", Month=date(2024, 5, 1))
    assert (voice["Outstanding"], voice["Inadequate"], voice["Total"]) == (1, 1, 2)
    assert voice["Good or better %"] == pytest.approx(0.5)
    assessment = row_where(domains, Domain="Assessment", Month=date(2024, 5, 1))
    assert (assessment["Good"], assessment["Total"]) == (2, 2)
    assert "Overall practice judgement" not in set(domains["Domain"])
    assert list(domains["Domain"].unique())[0] == "Outcomes for children"


def test_empty_months_have_zero_counts_and_blank_percentages():
    figures = figures_for(SEP_2024, [case_audit(date(2024, 2, 14), "Good")])
    by_month = figures.table("tbl_overall_by_month")
    assert list(by_month.columns) == ["Month", *GRADE_COLUMNS]
    assert list(by_month["Month"]) == [date(2023, 10, 1), date(2023, 11, 1), date(2023, 12, 1),
                                       date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1),
                                       date(2024, 4, 1), date(2024, 5, 1), date(2024, 6, 1),
                                       date(2024, 7, 1), date(2024, 8, 1), date(2024, 9, 1)]
    january = row_where(by_month, Month=date(2024, 1, 1))
    assert [january[g] for g in ("Outstanding", "Good", "Requires improvement", "Inadequate", "Total")] == [0] * 5
    assert all(blank(january[c]) for c in GRADE_COLUMNS if c.endswith("%"))
    february = row_where(by_month, Month=date(2024, 2, 1))
    assert (february["Good %"], february["Inadequate %"]) == (1.0, 0.0)


def test_service_areas_and_teams_without_an_audit_ytd_have_no_row():
    figures = figures_for(SEP_2024, [
        case_audit(date(2024, 4, 5), "Good", area="CST", ref="A"),  # blank team
        case_audit(date(2024, 4, 6), "Inadequate", area="IRT", team="Duty B", ref="B"),
        case_audit(date(2024, 4, 7), "Good", area="IRT", team="Duty A", ref="C"),
        case_audit(date(2024, 3, 31), "Good", area="CASS", team="CASS 1", ref="D"),  # before YTD
        case_audit(date(2024, 4, 8), None, area="CwD", team="CwD", ref="E"),  # no usable overall
    ])
    by_service = figures.table("tbl_overall_by_service")
    assert list(by_service["Service area"]) == ["IRT", "CST", "CwD"]  # template order, no CASS
    cwd = row_where(by_service, **{"Service area": "CwD"})
    assert cwd["Total"] == 0 and blank(cwd["Good or better %"])

    by_team = figures.table("tbl_overall_by_team")
    assert list(zip(by_team["Service area"], by_team["Team"])) == [
        ("IRT", "Duty A"), ("IRT", "Duty B"), ("CST", "No team recorded"), ("CwD", "CwD")]
    assert row_where(by_team, Team="Duty B")["Inadequate"] == 1

    actions = figures.table("tbl_actions")
    assert list(actions["Service area"]) == ["IRT", "CST", "CwD"]
    # The settings' own order wins when given.
    reordered = figures_for(SEP_2024, [case_audit(date(2024, 4, 5), area="CST"),
                                       case_audit(date(2024, 4, 6), area="IRT", ref="B")],
                            service_areas=("CST", "IRT"))
    assert list(reordered.table("tbl_overall_by_service")["Service area"]) == ["CST", "IRT"]


# --- compliance, actions, EDT -------------------------------------------------------------------

def test_compliance_percent_leaves_out_not_applicable():
    answers = [{"visits": "Yes", "plan_review": "Yes"}, {"visits": "Yes"},
               {"visits": "No", "supervision": "Not applicable"}, {"visits": "Not applicable"}]
    audits = [case_audit(date(2024, 5, i + 1), ref=f"R{i}", compliance=a) for i, a in enumerate(answers)]
    audits.append(case_audit(date(2024, 3, 1), ref="OLD", compliance={"visits": "No"}))  # before YTD
    figures = figures_for(SEP_2024, audits)
    compliance = figures.table("tbl_compliance")
    assert list(compliance.columns) == ["Item", "Yes", "No", "Not applicable", "Compliance %"]
    assert list(compliance["Item"]) == ["Statutory visits within timescale", "Case supervision within timescale",
                                        "Plan reviewed within timescale", "Chronology up to date",
                                        "Case summary up to date"]
    visits = row_where(compliance, Item="Statutory visits within timescale")
    assert (visits["Yes"], visits["No"], visits["Not applicable"]) == (2, 1, 1)
    assert visits["Compliance %"] == pytest.approx(2 / 3)
    supervision = row_where(compliance, Item="Case supervision within timescale")
    assert supervision["Not applicable"] == 1 and blank(supervision["Compliance %"])
    # Pooled: visits 2 Yes 1 No + plan review 1 Yes = 3 of 4.
    assert headline(figures, HEADLINE_COMPLIANCE).value == pytest.approx(0.75)


def test_actions_by_service_area():
    figures = figures_for(SEP_2024, [
        case_audit(date(2024, 4, 2), area="IRT", ref="A", actions=3, practitioner_involved="Yes"),
        case_audit(date(2024, 4, 3), area="IRT", ref="B", actions=2, practitioner_involved="No"),
        case_audit(date(2024, 4, 4), area="IRT", ref="C", actions=0, practitioner_involved=None),
        case_audit(date(2024, 3, 4), area="IRT", ref="D", actions=9, practitioner_involved="No"),
    ])
    irt = row_where(figures.table("tbl_actions"), **{"Service area": "IRT"})
    assert (irt["Audits"], irt["Actions raised"]) == (3, 5)
    assert irt["Practitioner involved %"] == pytest.approx(0.5)


def _edt_record(row: int, **answers) -> EdtRecord:
    return EdtRecord(row, None, answers)


def test_edt_amhp_percentage_counts_only_records_needing_an_amhp():
    first = EdtSample("Sam", date(2024, 6, 1), [
        _edt_record(5, safeguarding_action="Yes", amhp_required="Yes", amhp_offered="Yes", timescales="Yes"),
        _edt_record(6, safeguarding_action="No", amhp_required="Yes", amhp_offered="No", timescales="Yes"),
        _edt_record(7, safeguarding_action="Not applicable", amhp_required="No", amhp_offered="No"),
        _edt_record(8, safeguarding_action="Yes", amhp_required="Yes", amhp_offered="Not applicable"),
    ])
    second = EdtSample("Alex", date(2024, 6, 1), [
        _edt_record(5, safeguarding_action="Yes", amhp_required="No", amhp_offered="Yes", recording="No")])
    figures = figures_for(SEP_2024, samples=[first, second])
    edt = figures.table("tbl_edt")
    assert list(edt.columns) == ["Month", "Records sampled", "Safeguarding action appropriate %",
                                 "Multi-agency working evident %", "Recording sufficient %",
                                 "AMHP offered when required %", "Timescales met %"]
    assert len(edt) == 12
    june = row_where(edt, Month=date(2024, 6, 1))
    assert june["Records sampled"] == 5
    assert june["Safeguarding action appropriate %"] == pytest.approx(3 / 4)
    assert june["AMHP offered when required %"] == pytest.approx(1 / 2)  # rows 5 and 6 of the first sample
    assert june["Recording sufficient %"] == 0.0
    assert june["Timescales met %"] == 1.0
    assert blank(june["Multi-agency working evident %"])
    may = row_where(edt, Month=date(2024, 5, 1))
    assert may["Records sampled"] == 0 and blank(may["Safeguarding action appropriate %"])

    activity = row_where(figures.table("tbl_audit_activity"), **{"Audit type": "EDT dip sample"})
    assert (activity["Service area"], activity["Jun 2024"], activity["Year to date"]) == ("EDT", 2, 2)


# --- activity, foster carer audits, lists, headlines ------------------------------------------

def test_activity_rows_in_type_then_area_order():
    figures = figures_for(SEP_2024, [
        foster_audit(date(2024, 5, 1)),
        case_audit(date(2024, 5, 2), area="CST", ref="A"),
        case_audit(date(2024, 5, 3), area="Zebra team", ref="B"),  # not a listed area: after the list
        case_audit(date(2024, 5, 4), area="IRT", ref="C", kind="Thematic audit"),
        case_audit(date(2024, 5, 5), area="IRT", ref="D"),
        case_audit(date(2023, 11, 5), area="IRT", ref="E"),
    ], [EdtSample("Sam", date(2024, 2, 1), [])])
    activity = figures.table("tbl_audit_activity")
    assert list(zip(activity["Audit type"], activity["Service area"])) == [
        ("Case file audit", "IRT"), ("Case file audit", "CST"), ("Case file audit", "Zebra team"),
        ("Thematic audit", "IRT"), ("Foster carer audit", "Fostering"), ("EDT dip sample", "EDT")]
    irt = activity.iloc[0]
    assert (irt["Nov 2023"], irt["May 2024"], irt["Year to date"], irt["Total"]) == (1, 1, 1, 2)
    assert (activity.iloc[5]["Feb 2024"], activity.iloc[5]["Year to date"]) == (1, 0)
    assert headline(figures, HEADLINE_FOSTER_AUDITS).value == 1
    assert headline(figures, HEADLINE_CASE_FILE_AUDITS).value == 4


def test_foster_audit_domains_and_overall_by_quarter():
    figures = figures_for(SEP_2024, [
        foster_audit(date(2024, 4, 10), "Requires improvement", ref="F1", moderated_overall="Good",
                     grades={"standards": "Good", "learning": "Not applicable"}),
        foster_audit(date(2024, 6, 30), "Inadequate", ref="F2", grades={"standards": "Outstanding"}),
        foster_audit(date(2024, 7, 1), "Good", ref="F3", grades={"standards": "Inadequate"}),
    ])
    table = figures.table("tbl_foster_audits")
    assert list(table["Domain"].unique()) == ["Fostering standards met", "Supervision and support of carers",
                                              "Children's voice and lived experience", "Safer caring",
                                              "Learning and development", "Overall judgement"]
    q1 = row_where(table, Domain="Overall judgement", Quarter="Q1 2024/25")
    assert (q1["Good"], q1["Inadequate"], q1["Requires improvement"], q1["Total"]) == (1, 1, 0, 2)
    q2 = row_where(table, Domain="Fostering standards met", Quarter="Q2 2024/25")
    assert (q2["Inadequate"], q2["Total"]) == (1, 1)
    learning = row_where(table, Domain="Learning and development", Quarter="Q1 2024/25")
    assert learning["Total"] == 0 and blank(learning["Good or better %"])
    # Foster carer audits stay out of the case file overall tables.
    assert figures.table("tbl_overall_by_service").empty


def test_audit_list_columns_opt_ins_and_order():
    audits = [case_audit(date(2024, 5, 2), "Good", ref="B", team="Duty", grades={"voice": "Good"},
                         staff={"auditor": "Pat Smith"}),
              case_audit(date(2024, 5, 2), "Good", ref="A"),
              foster_audit(date(2024, 4, 2), ref="F", grades={"standards": "Outstanding"}),
              case_audit(date(2023, 9, 30), ref="OLD")]
    plain = figures_for(SEP_2024, audits).table("tbl_audits")
    assert list(plain.columns[:5]) == ["Audit key", "Audit type", "Audit date", "Service area", "Team"]
    assert list(plain.columns[-2:]) == ["Overall", "Moderated"]
    assert "Overall practice judgement" not in plain.columns and "Reference" not in plain.columns
    assert list(plain.columns[5:-2]) == [
        "Outcomes for children", "Identification of harm and child safety", "Assessment", "Plans and planning",
        "Permanence planning", "Multi-agency working", "Supervision, decision making and management oversight",
        "Consistent relationships", "Voice of the child"]
    assert list(plain["Audit key"]) == ["F-20240402", "A-20240502", "B-20240502"]  # date, then key
    foster_row, b_row = plain.iloc[0], plain.iloc[2]
    # No case file domain shares a foster carer domain's label, so a foster row's domain cells are blank.
    assert (foster_row["Service area"], foster_row["Overall"]) == ("Fostering", "Good")
    assert blank(foster_row["Voice of the child"])
    assert (b_row["Voice of the child"], b_row["Team"]) == ("Good", "Duty")

    opted_in = figures_for(SEP_2024, audits, include_case_refs=True, include_staff_names=True).table("tbl_audits")
    assert list(opted_in.columns[:4]) == ["Audit key", "Reference", "Auditor", "Audit type"]
    assert opted_in.iloc[2]["Auditor"] == "Pat Smith" and opted_in.iloc[2]["Reference"] == "B"


def test_feedback_in_date_order_within_the_trend_window():
    figures = figures_for(SEP_2024, [
        case_audit(date(2024, 7, 1), ref="A", feedback=Feedback("Parent or carer", "Mixed", "Second")),
        foster_audit(date(2023, 10, 1), ref="F", feedback=Feedback("Foster carer", "Getting it right", "First")),
        case_audit(date(2023, 9, 30), ref="B", feedback=Feedback("Other", "Mixed", "Too early")),
        case_audit(date(2024, 8, 1), ref="C", feedback=Feedback("Other", None, "   ")),
    ])
    feedback = figures.table("tbl_feedback")
    assert list(feedback.columns) == ["Date", "Audit type", "Service area", "Source", "Sentiment", "Feedback"]
    assert list(feedback["Feedback"]) == ["First", "Second"]
    assert tuple(feedback.iloc[0][["Date", "Audit type", "Service area", "Source"]]) == (
        date(2023, 10, 1), "Foster carer audit", "Fostering", "Foster carer")


def _every_month(first: date, last: date, **kw) -> list[Audit]:
    """One Good case file audit on the 15th of every month from ``first`` to ``last``."""
    out, m = [], first
    while m <= last:
        out.append(case_audit(m.replace(day=15), "Good", ref=f"M{m:%Y%m}", **kw))
        m = date(m.year + (m.month == 12), m.month % 12 + 1, 1)
    return out


def test_headline_previous_is_the_same_months_last_year():
    # Apr-Sep 2023 are covered: an audit in every month but August, a single month without audits
    # between two with audits (audits are often not done in August or December).
    history = [a for a in _every_month(date(2023, 3, 1), date(2023, 10, 1)) if a.audit_date.month != 8]
    figures = figures_for(SEP_2024, [
        *history,
        case_audit(date(2023, 4, 1), "Good", ref="P1"),
        case_audit(date(2023, 9, 30), "Inadequate", ref="P2"),
        case_audit(date(2024, 5, 1), "Good", ref="N1"),
    ])
    # Apr-Sep 2023 hold M202304..M202309 without August (5 Good) plus P1 (Good) and P2 (Inadequate).
    good = headline(figures, HEADLINE_GOOD_OR_BETTER)
    assert (good.value, good.previous, good.unit, good.status) == (1.0, 6 / 7, "percent", "No target")
    assert good.change == pytest.approx(100 / 7)
    count = headline(figures, HEADLINE_CASE_FILE_AUDITS)
    assert (count.value, count.previous, count.unit) == (1, 7, "count")
    assert headline(figures, HEADLINE_FOSTER_AUDITS).previous == 0
    assert not any(n.key == "audits.previous" for n in figures.notes)

    no_history = figures_for(SEP_2024, [case_audit(date(2024, 5, 1), "Good")])
    assert all(h.previous is None for h in no_history.headlines)


def test_headline_previous_blank_with_a_note_unless_every_month_of_last_year_is_covered():
    # This year's dozens against a historical register covering only Jul-Sep of last year.
    this_year = [case_audit(date(2024, m, d), "Requires improvement", ref=f"N{m}{d}")
                 for m in range(4, 10) for d in (2, 9, 16, 23)]
    register = [case_audit(date(2023, m, 10), "Good", ref=f"R{m}", source=Source("register.xlsx", "Audits", m))
                for m in (7, 8, 9)]
    figures = figures_for(SEP_2024, [*this_year, *register])
    assert all(h.previous is None and h.change is None for h in figures.headlines)
    [note] = [n for n in figures.notes if n.key == "audits.previous"]
    assert "Apr 2023 to Sep 2023" in note.text and "Apr 2023 to Jun 2023" in note.text
    assert all(h.note == note_ref("audits.previous") for h in figures.headlines)
    # and no key message compares with last year
    summary = " ".join(draft_messages(figures)["Summary"])
    assert "last year" not in summary

    # Two months running without audits (Jul and Aug 2023) are not covered either.
    gap = [a for a in _every_month(date(2023, 4, 1), date(2023, 9, 1)) if a.audit_date.month not in (7, 8)]
    figures = figures_for(SEP_2024, [*this_year, *gap])
    assert all(h.previous is None for h in figures.headlines)
    assert "Jul 2023 to Aug 2023" in next(n.text for n in figures.notes if n.key == "audits.previous")


def test_no_records_gives_every_table_with_its_columns():
    figures = figures_for(SEP_2024)
    assert set(figures.tables) == {
        "tbl_audit_activity", "tbl_overall_by_month", "tbl_overall_by_quarter", "tbl_overall_by_service",
        "tbl_overall_by_team", "tbl_domains_by_month", "tbl_domains_by_quarter", "tbl_compliance",
        "tbl_moderation", "tbl_actions", "tbl_foster_audits", "tbl_edt", "tbl_feedback", "tbl_audits"}
    assert figures.table("tbl_audit_activity").empty
    assert list(figures.table("tbl_overall_by_team").columns) == ["Service area", "Team", *GRADE_COLUMNS]
    assert len(figures.table("tbl_domains_by_month")) == 9 * 12
    assert figures.table("tbl_moderation").iloc[0]["Audits moderated"] == 0
    assert blank(figures.table("tbl_moderation").iloc[0]["Agreement %"])
    assert any("moderated judgement" in note.text for note in figures.notes)
