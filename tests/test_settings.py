"""The settings file: every key the contract lists, clear errors for bad ones, polarity defaulting to the measure's."""
import pytest

from pqa_desktop.core.measures.kpi_result import KpiResult
from pqa_desktop.core.calendar import Period
from pqa_desktop.core.measures.kpi_table import kpi_tables
from pqa_desktop.core.settings import Settings, SettingsError


def test_settings_file_round_trip(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('la_name = "Borsetshire"\npopulation = 51000\nvacancies_fte = 12.5\n'
                    'workforce_snapshot = "30/09/2024"\ninclude_staff_names = true\n'
                    '[caseload_thresholds]\nIRT = 18\n[targets.caseload_avg]\ntarget = 18\n', encoding="utf-8")
    s = Settings.load(path)
    assert (s.la_name, s.population_0_17, s.vacancies_fte) == ("Borsetshire", 51000, 12.5)
    assert s.workforce_snapshot.isoformat() == "2024-09-30"
    assert s.include_staff_names is True and s.caseload_thresholds == {"IRT": 18.0}
    assert s.targets["caseload_avg"].target == 18 and s.targets["caseload_avg"].higher_is_better is None


@pytest.mark.parametrize("text, message", [
    ("colour = 'red'\n", "unknown setting"),
    ("population = 'many'\n", "population"),
    ("include_case_refs = 'yes'\n", "include_case_refs"),
    ("[targets.x]\ntarget = 1\npolarity = 'sideways'\n", "polarity"),
    ("la_name = \n", "not valid TOML"),
])
def test_bad_settings_say_which_key(tmp_path, text, message):
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SettingsError, match=message):
        Settings.load(path)


def test_target_without_polarity_uses_the_measures_own():
    # caseload_avg is lower-is-better in measures.toml: 19.1 against a target of 18 is below target
    settings = Settings.from_dict({"targets": {"caseload_avg": {"target": 18}}})
    table, _ = kpi_tables([KpiResult("caseload_avg", value=19.1, numerator=191, denominator=10)],
                          Period.parse("2024-09"), settings)
    row = table[table["KPI id"] == "caseload_avg"].iloc[0]
    assert row["Status"] == "Below target"
    settings = Settings.from_dict({"targets": {"caseload_avg": {"target": 20}}})
    table, _ = kpi_tables([KpiResult("caseload_avg", value=19.1, numerator=191, denominator=10)],
                          Period.parse("2024-09"), settings)
    assert table[table["KPI id"] == "caseload_avg"].iloc[0]["Status"] == "Meets target"


def test_user_bank_holiday_file_extends_and_reports_bad_rows(tmp_path, _private_app_data):
    from datetime import date

    from pqa_desktop.core.calendar import bank_holidays, working_days
    from pqa_desktop.core.calendar import Period as P
    from pqa_desktop.core.pipeline.run import analyse

    (_private_app_data / "bank_holidays.csv").write_text("Date\n03/06/2026\nnext tuesday\n", encoding="utf-8")
    holidays = bank_holidays()
    assert date(2026, 6, 3) in holidays
    # Tue 2 Jun 2026 -> Thu 4 Jun 2026: Wed 3 Jun is now a holiday, so one working day
    assert working_days(date(2026, 6, 2), date(2026, 6, 4), holidays) == 1
    analysis = analyse([tmp_path], P.parse("2026-06"))
    bad = [f for f in analysis.findings if f.rule == "settings.bank_holiday_unreadable"]
    assert len(bad) == 1 and bad[0].cell == "row 3" and "next tuesday" in bad[0].message
