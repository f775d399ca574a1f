"""Published comparators (core.comparators) against figures worked out by hand from the DfE's LAIT data.

The expected numbers below were read from ../shared/data/dfe-lait/bds_long.parquet (LAIT commit 2e30e39) and
worked out by hand; the shipped resource (resources/published_comparators.json) must give exactly them.
Two real councils: Westminster (213: no 2025 workforce return after a cyberattack — its own value and one
neighbour's are missing) and Barnet (302: a suppressed value, a higher-is-better rank and band); and
Kingston upon Thames (314), which shares a joint workforce return, and so a tied rank, with Richmond (318).
"""
from __future__ import annotations

import numpy as np
import pytest

from pqa_desktop.core.comparators import (UnknownCouncil, benchmarks_table, council_comparators, load_published,
                                          resolve_council, series_table)
from pqa_desktop.core.comparators.compare import comparisons, quantile, quartile_band, rank, series
from pqa_desktop.core.comparators.dataset import (COUNTRY, LA, LONDON, REGION, Area, PublishedData,
                                                  PublishedMeasure, published_number, year_label)
from pqa_desktop.core.comparators.pairings import pairing_spec
from pqa_desktop.core.measures.kpi_catalogue import measure_specs
from pqa_desktop.core.settings import Settings

WESTMINSTER, BARNET, KINGSTON, RICHMOND = 213, 302, 314, 318


@pytest.fixture(scope="module")
def data() -> PublishedData:
    return load_published()


def by_kpi(data, council):
    return {c.kpi_id: c for c in comparisons(data, council)}


# --- hand-worked figures from the real data ------------------------------------------------------

def test_westminster_turnover_neighbour_mean_leaves_out_the_neighbour_without_a_value(data):
    # Work_Force_TO_Rate, 2025 (30 September). Westminster and Kensington and Chelsea sent no 2025 return.
    # Neighbours: Camden 19.5, Islington 6.1, Southwark 12.8, Kensington and Chelsea -, Hammersmith and
    # Fulham 8.6, Lambeth 9.7, Greenwich 8.5, Manchester 13.2, Hackney 10.5, Haringey 9.8
    # -> (19.5 + 6.1 + 12.8 + 8.6 + 9.7 + 8.5 + 13.2 + 10.5 + 9.8) / 9 = 98.7 / 9 = 10.9666…
    c = by_kpi(data, WESTMINSTER)["turnover_pct"]
    assert c.year == "2025" and c.year_label == "Sep 2025"
    assert c.council is None  # missing: blank, never an older year's
    assert c.neighbours == pytest.approx(98.7 / 9)
    assert c.neighbours_with_value == 9
    assert (c.region_name, c.region, c.england) == ("London (Inner)", 11.7, 11.8)
    assert c.rank is None and c.quartile is None


def test_kingston_and_richmond_share_a_rank_on_a_lower_is_better_measure(data):
    # Their joint workforce return publishes turnover 28 for both. 150 LAs have a 2025 value; 145 are
    # lower (better: polarity Low), so both rank 146; 28 is above the upper quartile (15.35) -> band D.
    kingston, richmond = by_kpi(data, KINGSTON)["turnover_pct"], by_kpi(data, RICHMOND)["turnover_pct"]
    assert kingston.polarity == "Low"
    assert kingston.council == richmond.council == 28
    assert kingston.rank == richmond.rank == 146
    assert kingston.ranked == 150
    assert kingston.quartile == richmond.quartile == "D"
    assert (kingston.region_name, kingston.region) == ("London (Outer)", 15.7)


def test_barnet_suppressed_value_is_blank_with_neighbours_still_averaged(data):
    # CPPlans2yrsActive, 2025: Barnet "-" (suppressed). Neighbours: Waltham Forest 4.9, Reading -, Harrow 3.3,
    # Redbridge 0, Merton 3.8, Croydon 8.2, Lewisham 7.3, Hillingdon 7.9, Haringey -, Ealing 0
    # -> 35.4 / 8 = 4.425; Outer London 3.8, England 2.3.
    c = by_kpi(data, BARNET)["cp_open_2yrs_pct"]
    assert c.council is None and c.rank is None and c.quartile is None
    assert c.neighbours == pytest.approx(35.4 / 8) and c.neighbours_with_value == 8
    assert (c.region, c.england) == (3.8, 2.3)


def test_barnet_higher_is_better_rank_and_band(data):
    # CP_conf_15days, 2025: Barnet 82.7; 72 of the 151 LAs with a value are higher -> rank 73. Quartiles of
    # the 151 values (R type 7): 76.35, 82.4, 88.9; 82.7 is above the median and at most the upper quartile
    # -> band B (High: A above the upper quartile). Neighbours: 74.8, 54.5, 62.6, 92.9, 82.4, 70, 44.4, 83.1,
    # 76.4, 84.3 -> 725.4 / 10 = 72.54.
    c = by_kpi(data, BARNET)["icpc_15wd_pct"]
    assert (c.council, c.rank, c.ranked, c.quartile) == (82.7, 73, 151, "B")
    assert c.neighbours == pytest.approx(72.54)
    assert (c.region, c.england) == (80.1, 81.4)
    assert c.source == "DfE, Characteristics of children in need 2024-25 (LAIT CP_conf_15days)"


def test_barnet_five_year_series(data):
    points = series(data, BARNET, "icpc_15wd_pct")
    assert [p.year_label for p in points] == ["2020-21", "2021-22", "2022-23", "2023-24", "2024-25"]
    assert [p.council for p in points] == [91.7, 90.1, 85, 75.1, 82.7]
    assert points[-1].neighbours == pytest.approx(72.54)


def test_quartiles_are_r_type_7_as_numpy_linear(data):
    measure = data.measures["CP_conf_15days"]
    las = {a.number for a in data.las()}
    values = sorted(row[-1] for n, row in measure.values.items() if n in las and row[-1] is not None)
    for p in (0.25, 0.5, 0.75):
        assert quantile(values, p) == pytest.approx(float(np.percentile(values, p * 100)))
    assert [round(quantile(values, p), 2) for p in (0.25, 0.5, 0.75)] == [76.35, 82.4, 88.9]


# --- the rules, on made-up figures --------------------------------------------------------------

def test_rank_ties_share_the_lowest_rank_by_polarity():
    values = [10, 20, 20, 30]
    assert [rank(v, values, "High") for v in values] == [4, 2, 2, 1]
    assert [rank(v, values, "Low") for v in values] == [1, 2, 2, 4]
    assert rank(20, values, "") is None and rank(None, values, "High") is None


def test_quartile_band_boundaries_fall_in_the_band_below_and_a_is_always_best():
    values = [1.0, 2.0, 3.0, 4.0, 5.0]  # quartiles 2, 3, 4
    assert [quartile_band(v, values, "Low", False) for v in (1, 2, 2.5, 3, 3.5, 4, 4.5, 5)] == \
        ["A", "A", "B", "B", "C", "C", "D", "D"]
    assert [quartile_band(v, values, "High", False) for v in (1, 2, 2.5, 3, 3.5, 4, 4.5, 5)] == \
        ["D", "D", "C", "C", "B", "B", "A", "A"]
    assert quartile_band(5, values, "High", True) is None  # No_Quartile = N
    assert quartile_band(5, values, "", False) is None


def _tiny(inner_latest: float | None) -> PublishedData:
    areas = {970: Area(970, "England", COUNTRY), LONDON: Area(LONDON, "London", REGION),
             987: Area(987, "London (Inner)", REGION),
             201: Area(201, "City of London", LA, 987, (202,), ("E09000001",)),
             202: Area(202, "Camden", LA, 987, (201,), ("E09000007",))}
    m = PublishedMeasure("X", "x", "High", 1, "Financial Year", False, "", ("2024", "2025"),
                         {970: (1, 2), LONDON: (3, 4), 987: (5, inner_latest), 201: (6, 7), 202: (8, None)})
    return PublishedData("test", areas, {"X": m})


def test_inner_london_falls_back_to_london_when_its_latest_figure_is_blank():
    from pqa_desktop.core.comparators.compare import region_for

    assert region_for(_tiny(9), _tiny(9).measures["X"], 201) == 987
    assert region_for(_tiny(None), _tiny(None).measures["X"], 201) == LONDON


def test_published_values_that_are_not_numbers_are_blank():
    assert [published_number(t) for t in ("12.5", "9.3699999999999992", "0", "-", "c", "x", "[c]", "..", "",
                                          None, "z", "inf")] == [12.5, 9.37, 0.0] + [None] * 9


def test_year_labels():
    assert year_label("2025", "Financial Year") == "2024-25"
    assert year_label("2025", "Annual (end of Sept)") == "Sep 2025"
    assert year_label("2025", "Annual") == "Mar 2025"
    assert year_label("2025", "Academic Year") == "2024/25"
    assert year_label("2022 (Rev)", "Financial Year") == "2022 (Rev)"


# --- pairing and tables ---------------------------------------------------------------------------

def test_every_measure_is_paired_or_says_why_not(data):
    spec = pairing_spec()
    ids = [s.id for s in measure_specs()]
    paired = [p.kpi_id for p in spec.pairings]
    assert sorted(paired + list(spec.unpaired)) == sorted(ids)  # each exactly once
    assert all(p.differs and p.code in data.measures for p in spec.pairings)
    assert {p.code for p in spec.pairings} == {"Continue_Assess_Comp", "Section_47", "CP_conf_15days", "PrevRegCPR",
                                              "CPPlans2yrsActive", "LAC_Foster_Placements", "LACStable_2016on",
                                              "LAC_LongStable%", "Children_missing", "CareLeaverEET", "CareLeaverAcc",
                                              "Work_Force_AvgNumCase_SW", "Work_Force_Agecy_Rate",
                                              "Work_Force_Vac_Rate", "Work_Force_TO_Rate"}


def test_benchmarks_table_is_in_our_units(data):
    found = council_comparators(Settings(council="Barnet"))
    table = benchmarks_table(found)
    assert list(table.columns) == ["KPI id", "Published measure", "Year", "Council", "Statistical neighbours",
                                   "Region", "England", "Rank", "Quartile", "Source"]
    assert list(table["KPI id"]) == [p.kpi_id for p in pairing_spec().pairings]
    row = table[table["KPI id"] == "icpc_15wd_pct"].iloc[0]
    assert (row["Council"], row["Statistical neighbours"], row["Region"], row["England"]) == (0.827, 0.7254, 0.801,
                                                                                             0.814)
    assert (row["Year"], row["Rank"], row["Quartile"]) == ("2024-25", 73, "B")
    caseload = table[table["KPI id"] == "caseload_avg"].iloc[0]  # not a percentage: as published
    assert caseload["Year"] == "Sep 2025" and caseload["Council"] > 1
    blank = table[table["KPI id"] == "cp_open_2yrs_pct"].iloc[0]
    assert blank["Council"] is None and blank["Rank"] is None and blank["Quartile"] is None
    a_small_percentage = benchmarks_table(council_comparators(Settings(council="Redbridge")))
    assert a_small_percentage[a_small_percentage["KPI id"] == "cp_open_2yrs_pct"].iloc[0]["Council"] == 0.0
    s = series_table(found)
    assert list(s.columns) == ["KPI id", "Year", "Council", "Statistical neighbours", "Region", "England"]
    assert len(s) == 5 * len(pairing_spec().pairings)


def test_every_current_council_is_choosable_and_has_its_ten_neighbours(data):
    councils = data.current_councils()
    assert len(councils) == 153
    assert all(len(c.neighbours) == 10 and c.region is not None for c in councils)
    assert all(c.codes and c.codes[0][:3] in ("E06", "E08", "E09", "E10") for c in councils)
    assert not {"Cumbria", "Northamptonshire", "Dorset (Pre LG)", "Poole (Pre LG)",
                "Bournemouth (Pre LG)"} & {c.name for c in councils}


# --- choosing the council -----------------------------------------------------------------------

@pytest.mark.parametrize("text, name", [
    ("Leeds", "Leeds"), ("leeds city council", "Leeds"), ("383", "Leeds"), ("e08000035", "Leeds"),
    ("Bristol", "Bristol, City of"), ("County Durham", "Durham"), ("Herefordshire, County of", "Herefordshire"),
    ("St Helens", "St. Helens"), ("Brighton & Hove", "Brighton and Hove"), ("E10000002", "Buckinghamshire"),
    ("E06000060", "Buckinghamshire"), ("Kingston upon Thames", "Kingston upon Thames"), ("hull", "Kingston Upon Hull, City of"),
    ("Royal Borough of Kensington and Chelsea", "Kensington and Chelsea"), ("London Borough of Barnet", "Barnet"),
])
def test_council_by_name_number_or_code(data, text, name):
    assert resolve_council(text, data).name == name


@pytest.mark.parametrize("text, words, near", [
    ("Leds", "No council called 'Leds'", ["Leeds"]),
    ("Kingston", "could be Kingston Upon Hull, City of or Kingston upon Thames",
     ["Kingston Upon Hull, City of", "Kingston upon Thames"]),
    ("Northamptonshire", "could be North Northamptonshire or West Northamptonshire",
     ["North Northamptonshire", "West Northamptonshire"]),
    ("Cumbria", "Cumbria has no published figures for the latest year", ["Cumberland"]),
    ("909", "Cumbria (LA number 909) has no published figures", []),
    ("999", "No English local authority has the LA number 999", []),
    ("E09999999", "No English local authority has the code E09999999", []),
    ("London", "is a region or England, not a council", ["City of London"]),
    ("", "No council given", []),
])
def test_unknown_or_ambiguous_council_names_the_near_matches(data, text, words, near):
    with pytest.raises(UnknownCouncil) as caught:
        resolve_council(text, data)
    assert words in str(caught.value)
    assert "3-digit LA number (383) or its 9-character code (E08000035)" in str(caught.value)
    for name in near:
        assert name in caught.value.near


def test_no_council_no_comparators():
    assert council_comparators(Settings()) is None
    assert council_comparators(Settings(council="  ")) is None


def test_cover_text_names_the_council_years_and_licence():
    text = council_comparators(Settings(council="Barnet")).cover_text()
    assert text.startswith("Barnet (LA 302, E09000003): the DfE's published figures")
    assert "2024-25 (Characteristics of children in need; Children looked after in England including adoptions)" in text
    assert "Sep 2025 (Children's social work workforce)" in text
    assert "Open Government Licence v3.0" in text


@pytest.mark.parametrize("council, short", [("Kingston upon Hull", "Kingston Upon Hull"), ("Bristol", "Bristol"),
                                            ("Bournemouth, Christchurch and Poole", "Bournemouth, Christchurch and Poole"),
                                            ("Barnet", "Barnet")])
def test_a_council_s_short_name_for_its_charts(council, short):
    """LAIT's "Kingston Upon Hull, City of": a chart labels its line "Kingston Upon Hull 82.7%", never
    "…, City of 82.7%"; a comma that is part of the name stays."""
    assert council_comparators(Settings(council=council)).short_name == short
