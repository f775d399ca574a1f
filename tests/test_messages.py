"""Key messages drafted from the audit figures: wording, rounding, and numbers equal to the tables."""
from __future__ import annotations

import re
import subprocess
import sys
from datetime import date, timedelta

import pytest

from pqa_desktop.core.messages import key_messages as messages, sentences
from pqa_desktop.core.calendar import Period
from pqa_desktop.core.measures.audits import audit_figures
from pqa_desktop.core.messages.key_messages import draft_messages, percent_text, whole_percent
from pqa_desktop.core.records import Audit, AuditRecords, EdtRecord, EdtSample, Feedback

JUNE_2024 = Period(date(2024, 6, 1))  # YTD = Q1 2024/25 = Apr-Jun 2024; the quarter before is Q4 2023/24


def case_audit(day: date, overall: str, *, area: str = "IRT", ref: str, **extra) -> Audit:
    # "planning" follows the overall judgement so the domain sentences have hand-worked numbers too.
    return Audit(template_type="case_file_audit", reference=ref, audit_date=day, audit_type="Case file audit",
                 service_area=area, grades={"overall": overall, "planning": overall}, **extra)


def batch(first_day: date, groups: list[tuple[str, str, int]], prefix: str, **extra) -> list[Audit]:
    """(service area, grade, how many) groups of audits on successive days from ``first_day``, within 28 days."""
    audits = []
    for area, grade, count in groups:
        for _ in range(count):
            audits.append(case_audit(first_day + timedelta(days=len(audits) % 28), grade, area=area,
                                     ref=f"{prefix}{len(audits)}", **extra))
    return audits


def figures_for(period: Period, audits=(), samples=()):
    return audit_figures(AuditRecords(list(audits), list(samples)), period, audit_key=lambda a: a.reference)


@pytest.fixture(scope="module")
def reference_like():
    """Q4 2023/24: 2 Good, 13 RI (13% good or better). Q1 2024/25: IRT 10 Good + 15 RI; CST 16 RI + 4 Inadequate.

    Q1: 45 audits, Good or better 10/45 = 22.2%, RI 31/45 = 68.9%, Inadequate 4/45 = 8.9%; IRT 10/25 = 40%.
    """
    audits = batch(date(2024, 2, 1), [("IRT", "Good", 2), ("IRT", "Requires improvement", 13)], "Q4")
    audits += batch(date(2024, 4, 1), [("IRT", "Good", 10), ("IRT", "Requires improvement", 15),
                                       ("CST", "Requires improvement", 16), ("CST", "Inadequate", 4)], "Q1")
    return figures_for(JUNE_2024, audits)


# --- rounding -----------------------------------------------------------------------------------

@pytest.mark.parametrize("fraction, shown", [
    (0.125, 13),   # round() would give 12 (half to even)
    (0.025, 3),    # round(2.5) == 2
    (0.005, 1),    # half a percent rounds up
    (0.0049, 0),
    (0.145, 15),   # 0.145 * 100 == 14.499999999999998 in binary
    (0.135, 14),
    (-0.005, -1),  # away from zero
    (2 / 3, 67),
    (1.0, 100),
    (0.0, 0),
    (0.35 + 0.055, 41),  # 0.40499999999999997 in binary: a spreadsheet shows 0.405 (15 digits), so 41%
])
def test_whole_percent_rounds_half_away_from_zero(fraction, shown):
    assert whole_percent(fraction) == shown
    assert percent_text(fraction) == f"{shown}%"


@pytest.mark.parametrize("fraction, places, text", [
    (0.8815, 1, "88.2%"),  # a neighbours' mean of 88.15%: in binary 0.8815 * 100 is 88.14999…
    (0.35 + 0.055, 0, "41%"),
    (0.145, 0, "15%"),
    (0.0224285714, 1, "2.2%"),
])
def test_report_text_says_a_percentage_as_the_key_messages_and_the_cell_do(fraction, places, text):
    from pqa_desktop.core.messages.kpi_messages import Shown
    from pqa_desktop.core.report import styles
    from pqa_desktop.core.report.text import percent_text as report_percent

    assert report_percent(fraction, places) == text
    assert Shown.of(fraction, styles.BENCHMARK_PERCENT if places else styles.PERCENT).text == text


def test_half_percent_edges_in_sentences():
    # 1 Inadequate of 8 = 12.5% -> 13%; 1 Inadequate of 40 = 2.5% -> 3%.
    eight = batch(date(2024, 4, 1), [("IRT", "Good", 7), ("IRT", "Inadequate", 1)], "E")
    assert ("Inadequate judgements were 13% of overall judgements in the year to date (1 of 8 audits)."
            in draft_messages(figures_for(JUNE_2024, eight))["Overall judgements"])
    forty = batch(date(2024, 4, 1), [("IRT", "Good", 39), ("IRT", "Inadequate", 1)], "F")
    assert ("Inadequate judgements were 3% of overall judgements in the year to date (1 of 40 audits)."
            in draft_messages(figures_for(JUNE_2024, forty))["Overall judgements"])
    # 1 Yes of 200 compliance answers = 0.5% -> 1%.
    checks = [case_audit(date(2024, 4, 1) + timedelta(days=i % 60), "Good", ref=f"C{i}",
                         compliance={"visits": "Yes" if i == 0 else "No"}) for i in range(200)]
    compliance = draft_messages(figures_for(JUNE_2024, checks))["Compliance"]
    assert compliance[:2] == ["In the year to date compliance was 1% for every check recorded.",
                              "Across all checks, compliance was 1%."]


# --- sentences from the tables ------------------------------------------------------------------

def test_overall_judgement_messages_match_the_hand_worked_quarters(reference_like):
    assert draft_messages(reference_like)["Overall judgements"] == [
        "Most overall judgements in Q1 2024/25 were Requires improvement (69%, 31 of 45 audits).",
        "Good or better overall judgements rose from 13% in Q4 2023/24 to 22% in Q1 2024/25.",
        "Inadequate judgements were 9% of overall judgements in the year to date (4 of 45 audits).",
        "By service area, IRT had the highest share of Good or better judgements in the year to date "
        "(40%, 10 of 25 audits).",
    ]


def test_domain_and_summary_messages(reference_like):
    drafted = draft_messages(reference_like)
    assert drafted["Practice domains"] == [
        "Good or better judgements for Plans and planning rose from 13% in Q4 2023/24 to 22% in Q1 2024/25.",
        "In Q1 2024/25, Plans and planning had the highest share of Good or better judgements "
        "(22%, 10 of 45 audits).",
    ]
    assert drafted["Summary"][:2] == [
        "45 case file, thematic and collaborative audits were completed in the year to date.",
        "22% of overall judgements in case file, thematic and collaborative audits were Good or better in the "
        "year to date.",
    ]
    assert drafted["Audit activity"][:2] == [
        "45 audits were completed in the year to date: 45 case file audits.",
        "Over the last 12 months 60 audits were completed; the most were in Apr 2024 (45).",
    ]


def test_every_percentage_in_a_message_is_one_the_tables_show(reference_like):
    shown = {whole_percent(v) for table in reference_like.tables.values()
             for column in table.columns if str(column).endswith("%")
             for v in table[column] if v == v}
    shown |= {whole_percent(h.value) for h in reference_like.headlines if h.unit == "percent" and h.value is not None}
    quoted = {int(n) for sentences in draft_messages(reference_like).values()
              for sentence in sentences for n in re.findall(r"(-?\d+)%", sentence)}
    assert quoted and quoted <= shown
    # "31 of 45 audits": both numbers are cells of the Q1 2024/25 row.
    q1 = reference_like.table("tbl_overall_by_quarter").set_index("Quarter").loc["Q1 2024/25"]
    assert (q1["Requires improvement"], q1["Total"]) == (31, 45)


def test_previous_year_comparison_in_summary():
    audits = batch(date(2023, 4, 3), [("IRT", "Good", 1), ("IRT", "Inadequate", 3)], "P")
    audits += batch(date(2024, 4, 3), [("IRT", "Good", 1), ("IRT", "Requires improvement", 1)], "N")
    # EDT dip samples in May and June 2023 show the inputs cover every month of Apr-Jun 2023
    samples = [EdtSample("Sam", date(2023, 5, 1), []), EdtSample("Sam", date(2023, 6, 1), [])]
    summary = draft_messages(figures_for(JUNE_2024, audits, samples))["Summary"]
    assert summary[:2] == [
        "2 case file, thematic and collaborative audits were completed in the year to date, against 4 in the same "
        "months last year.",
        "50% of overall judgements in case file, thematic and collaborative audits were Good or better in the "
        "year to date, up from 25% in the same months last year.",
    ]
    # without them, May and June 2023 hold no audit: nothing is compared with last year
    summary = draft_messages(figures_for(JUNE_2024, audits))["Summary"]
    assert not any("last year" in sentence for sentence in summary)


def test_compliance_moderation_and_actions_messages():
    audits = [
        case_audit(date(2024, 4, 2), "Good", ref="A", compliance={"visits": "Yes", "chronology": "No"},
                   moderated_overall="Requires improvement", actions=2),
        case_audit(date(2024, 4, 3), "Good", ref="B", compliance={"visits": "Yes", "chronology": "Yes"},
                   moderated_overall="Good", actions=1),
        case_audit(date(2024, 4, 4), "Good", ref="C", compliance={"visits": "No", "chronology": "No"}),
        case_audit(date(2024, 4, 5), "Good", ref="D", compliance={"visits": "Not applicable",
                                                                  "chronology": "Not applicable"}),
    ]
    assert draft_messages(figures_for(JUNE_2024, audits))["Compliance"] == [
        "In the year to date compliance was highest for Statutory visits within timescale "
        "(67%, 2 of 3 applicable audits) and lowest for Chronology up to date (33%, 1 of 3 applicable audits).",
        "Across all checks, compliance was 50%.",
        "2 audits were moderated in the year to date; the grade changed in 1 (50% agreement).",
        "4 audits in the year to date raised 3 actions.",
    ]


def test_edt_feedback_and_fostering_messages():
    sample = EdtSample("Sam", date(2024, 5, 1), [
        EdtRecord(5, None, {"safeguarding_action": "Yes", "amhp_required": "Yes", "amhp_offered": "No",
                            "timescales": "Yes"}),
        EdtRecord(6, None, {"safeguarding_action": "No", "amhp_required": "No", "amhp_offered": "Yes",
                            "timescales": "Yes"}),
    ])
    audits = [
        case_audit(date(2024, 4, 2), "Good", ref="A", feedback=Feedback("Parent or carer", "Getting it right", "t")),
        case_audit(date(2024, 4, 3), "Good", ref="B", feedback=Feedback("Parent or carer", "Need to do better", "t")),
        case_audit(date(2024, 4, 4), "Good", ref="C", feedback=Feedback(None, "Getting it right", "t")),
        Audit("foster_carer_audit", "F1", date(2024, 1, 5), "Foster carer audit", "Fostering",
              grades={"overall": "Requires improvement", "standards": "Good"}),
        Audit("foster_carer_audit", "F2", date(2024, 5, 5), "Foster carer audit", "Fostering",
              grades={"overall": "Requires improvement", "standards": "Good"}, moderated_overall="Good"),
        Audit("foster_carer_audit", "F3", date(2024, 5, 6), "Foster carer audit", "Fostering",
              grades={"overall": "Inadequate", "standards": "Inadequate", "safer_care": "Good"}),
    ]
    drafted = draft_messages(figures_for(JUNE_2024, audits, [sample]))
    assert drafted["EDT dip sampling"] == [
        "EDT dip samples covered 2 records in May 2024.",
        "The latest sample, for May 2024 (2 records), found: safeguarding action appropriate 50%, "
        "AMHP offered when required 0% and timescales met 100%.",
    ]
    assert drafted["Feedback"] == [
        "3 pieces of feedback were recorded in the last 12 months, by sentiment: Getting it right (2) "
        "and Need to do better (1).",
        "By source: Parent or carer (2) and not recorded (1).",
    ]
    assert drafted["Fostering"] == [
        "50% of foster carer audits in Q1 2024/25 were judged Good or better overall (1 of 2 audits), "
        "up from 0% in Q4 2023/24.",
        "In Q1 2024/25, Safer caring had the highest share of Good or better judgements (100%, 1 of 1 audit) "
        "and Fostering standards met the lowest (50%, 1 of 2 audits).",
    ]


def test_sections_without_data_say_so():
    drafted = draft_messages(figures_for(JUNE_2024))
    assert drafted == {
        "Summary": ["No audits were completed in the year to date."],
        "Audit activity": ["No audits were recorded in the last 12 months."],
        "Overall judgements": ["No overall judgements were recorded in the last 12 months."],
        "Practice domains": ["No practice domain judgements were recorded in the last 12 months."],
        "Compliance": ["No compliance checks were recorded in the year to date.",
                       "No audits were moderated in the year to date."],
        "Fostering": ["No foster carer audits were received for the last 12 months."],
        "EDT dip sampling": ["No EDT dip samples were received for the last 12 months."],
        "Feedback": ["No feedback from children and families was recorded in the last 12 months."],
    }


def test_registered_drafters_join_in_section_order_and_keep_four_sentences(monkeypatch):
    monkeypatch.setattr(sentences, "DRAFTERS", {k: list(v) for k, v in sentences.DRAFTERS.items()})

    @messages.drafter("Identification of harm")
    def harm(figures):
        return [f"Sentence {i}." for i in range(1, 6)]

    @messages.drafter("Fostering")
    def placements(figures):
        return ["Placement sentence."]

    drafted = draft_messages(figures_for(JUNE_2024))
    sections = list(drafted)
    assert sections.index("Compliance") < sections.index("Identification of harm") < sections.index("Fostering")
    assert drafted["Identification of harm"] == ["Sentence 1.", "Sentence 2.", "Sentence 3.", "Sentence 4."]
    assert drafted["Fostering"] == ["No foster carer audits were received for the last 12 months.",
                                    "Placement sentence."]


def test_summary_key_messages_are_the_few_that_matter_across_sections():
    """At most six: the audit count and good-or-better share first; then, while there is room, a sentence
    of each section whose headline got worse or is below target, then of those that got better, in report
    order; a section's sentence is the one naming that headline's measure."""
    from pqa_desktop.core.measures.figures import Figures, Headline
    from pqa_desktop.core.measures.audits import (HEADLINE_CASE_FILE_AUDITS, HEADLINE_COMPLIANCE,
                                                  HEADLINE_GOOD_OR_BETTER, HEADLINE_MODERATION)
    from pqa_desktop.core.messages.key_messages import summary_key_messages

    headlines = [
        Headline(HEADLINE_CASE_FILE_AUDITS, 45, 40, section="Audit activity"),
        Headline(HEADLINE_GOOD_OR_BETTER, 0.24, 0.30, unit="percent", section="Overall judgements", polarity="higher"),
        Headline(HEADLINE_COMPLIANCE, 0.74, 0.70, unit="percent", section="Compliance", polarity="higher"),
        Headline(HEADLINE_MODERATION, 0.80, 0.80, unit="percent", section="Compliance", polarity="higher"),
        Headline("Referrals (last month)", 368, 375, section="Identification of harm"),  # a volume: no direction
        Headline("Assessments completed within 45 working days (last 3 months)", 0.82, 0.86, unit="percent",
                 section="Assessment", polarity="higher"),  # worse
        Headline("ICPCs held within 15 working days of the strategy discussion (year to date)", 0.92, None,
                 unit="percent", target=0.95, status="Below target", section="Child protection", polarity="higher"),
        Headline("Children in care", 302, 297, section="Plans and children in care"),
        Headline("Long-term placement stability", 0.73, 0.70, unit="percent", section="Plans and children in care",
                 polarity="higher"),  # better
        Headline("Average caseload", None, section="Workforce", polarity="lower"),  # no figure: never chosen
    ]
    drafted = {
        "Identification of harm": ["Referrals: 368 in September 2024."],
        "Assessment": ["Assessments completed: 329 over the last 3 months.",
                       "Assessments completed within 45 working days: 82% over the last 3 months, down from 86%."],
        "Child protection": ["ICPCs held within 15 working days of the strategy discussion: 92%, below 95%."],
        "Plans and children in care": ["Children in care: 302.", "Long-term placement stability: 73%, up from 70%."],
        "Workforce": ["No workforce list was supplied, so staffing figures are not shown."],
    }
    messages = summary_key_messages(Figures(period=JUNE_2024, headlines=headlines), drafted)
    assert messages == [
        "45 case file, thematic and collaborative audits were completed in the year to date, against 40 in the "
        "same months last year.",
        "24% of overall judgements in case file, thematic and collaborative audits were Good or better in the year "
        "to date, down from 30% in the same months last year.",
        "Compliance with practice standards in case file, thematic and collaborative audits was 74% in the year to "
        "date.",  # better
        "Assessments completed within 45 working days: 82% over the last 3 months, down from 86%.",  # worse
        "ICPCs held within 15 working days of the strategy discussion: 92%, below 95%.",  # below target
        "Long-term placement stability: 73%, up from 70%.",  # better
    ]
    # With less room (no audits), the volumes and unchanged measures get their turn, still at most six.
    fewer = summary_key_messages(Figures(period=JUNE_2024, headlines=headlines[4:]), drafted)
    assert fewer == ["Referrals: 368 in September 2024.", drafted["Assessment"][1], drafted["Child protection"][0],
                     drafted["Plans and children in care"][1]]
    assert len(draft_messages(figures_for(JUNE_2024, [])).get("Summary", [])) <= 6



def test_summary_key_messages_tell_the_statistical_neighbour_story():
    """With a council chosen, a headline that compares badly with its statistical neighbours matters as one
    below its target does, one that compares well as one that got better: their sections' sentences comparing
    them with their neighbours reach the Summary ahead of sections with nothing to tell, even without a
    Previous or a target."""
    from pqa_desktop.core.measures.figures import Figures, Headline
    from pqa_desktop.core.measures.audits import (HEADLINE_CASE_FILE_AUDITS, HEADLINE_COMPLIANCE,
                                                  HEADLINE_GOOD_OR_BETTER, HEADLINE_MODERATION)
    from pqa_desktop.core.messages.key_messages import against_neighbours, summary_key_messages

    assessment = Headline("Assessments completed within 45 working days (last 3 months)", 0.82, None,
                          unit="percent", section="Assessment", polarity="higher", statistical_neighbours=0.846)
    icpc = Headline("ICPCs held within 15 working days of the strategy discussion (year to date)", 0.92, None,
                    unit="percent", section="Child protection", polarity="higher", statistical_neighbours=0.725)
    caseload = Headline("Average caseload", 19.1, None, unit="number", section="Workforce", polarity="lower",
                        statistical_neighbours=15.1)
    headlines = [
        Headline(HEADLINE_CASE_FILE_AUDITS, 45, 40, section="Audit activity"),
        Headline(HEADLINE_GOOD_OR_BETTER, 0.24, 0.24, unit="percent", section="Overall judgements", polarity="higher"),
        Headline(HEADLINE_COMPLIANCE, 0.74, 0.74, unit="percent", section="Compliance", polarity="higher"),
        Headline(HEADLINE_MODERATION, 0.80, 0.80, unit="percent", section="Compliance", polarity="higher"),
        Headline("Referrals (last month)", 368, 368, section="Identification of harm"),
        assessment, icpc,
        Headline("Children in care", 302, 302, section="Plans and children in care"),
        caseload,
    ]
    assert [against_neighbours(h) for h in (assessment, icpc, caseload)] == ["Worse", "Better", "Worse"]
    # 80% against neighbours shown as 80.0%: in line, nothing to tell (as the key message says); 85% against
    # 84.5% is above, as shown; no polarity: nothing to tell
    assert against_neighbours(Headline("x", 0.80, unit="percent", polarity="higher", statistical_neighbours=0.8004)) is None
    assert against_neighbours(Headline("x", 0.845, unit="percent", polarity="higher", statistical_neighbours=0.845)) == "Better"
    assert against_neighbours(Headline("x", 0.5, unit="percent", statistical_neighbours=0.6)) is None
    drafted = {
        "Identification of harm": ["Referrals: 368 in September 2024."],
        "Assessment": ["Assessments completed: 329 over the last 3 months.",
                       "Assessments completed within 45 working days: 82% over the last 3 months, below statistical "
                       "neighbours (84.6%) and England (85.7%)."],
        "Child protection": ["ICPCs held within 15 working days of the strategy discussion: 92% in the year to date, "
                             "above statistical neighbours (72.5%) and England (81.4%)."],
        "Plans and children in care": ["Children in care: 302 at the end of September 2024."],
        "Workforce": ["Caseloads average 19.1 children per case-holding worker, above statistical neighbours (15.1) "
                      "and England (15.2)."],
    }
    messages = summary_key_messages(Figures(period=JUNE_2024, headlines=headlines), drafted)
    assert len(messages) == 6
    assert messages[2:] == [messages[2], drafted["Assessment"][1], drafted["Child protection"][0],
                            drafted["Workforce"][0]]
    assert messages[2].startswith("Compliance with practice standards")  # the rest, report order: compliance first


@pytest.mark.parametrize("first", ["key_messages", "kpi_messages"])
def test_a_sections_sentences_keep_their_order_whichever_drafters_load_first(first):
    """Fostering and the Summary have audit and KPI drafters: the audits' sentences come first (and the limit
    keeps them), whether a script imports the KPI drafters or the audit ones first."""
    script = (f"from pqa_desktop.core.messages import {first}\n"
              "from pqa_desktop.core.messages import key_messages, sentences\n"
              "print([[f.__name__ for f in sentences.DRAFTERS[s]] for s in ('Fostering', 'Summary')])\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == str([["foster_audit_messages", "fostering_kpi_messages"],
                                       ["summary_messages", "summary_kpi_messages"]])
