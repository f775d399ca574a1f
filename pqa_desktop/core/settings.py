"""Settings: the list shared by the app's settings dialog and the command line's --settings TOML file.

Command-line options override the file. Unknown keys are reported, not silently ignored.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import Path

from .values import parse_uk_date

DEFAULT_SERVICE_AREAS = ("IRT", "CST", "CwD", "Family Safeguarding", "CASS", "Leaving Care")


def _polarity(text: str) -> bool:
    word = text.strip().lower()
    if word in ("higher", "high", "up", "higher is better"):
        return True
    if word in ("lower", "low", "down", "lower is better"):
        return False
    raise ValueError(f"polarity must be 'higher' or 'lower', not {text!r}")


class SettingsError(ValueError):
    """A settings file that cannot be used; the message says which key and why."""


@dataclass
class MeasureTarget:
    target: float | None = None
    higher_is_better: bool | None = None  # None: the measure's own polarity (resources/measures.toml)


@dataclass
class Settings:
    la_name: str = "Anytown Council"
    population_0_17: int | None = None
    service_areas: tuple[str, ...] = DEFAULT_SERVICE_AREAS
    caseload_thresholds: dict[str, float] = field(default_factory=dict)  # service area -> threshold
    targets: dict[str, MeasureTarget] = field(default_factory=dict)  # measure id -> target/polarity
    benchmarks_file: str | None = None
    council: str | None = None  # the user's council (name, LA number or code): its published comparators
    benchmarks_data: str | None = None  # a newer published-comparators file or LAIT folder (None: the shipped one)
    vacancies_fte: float | None = None
    workforce_snapshot: date | None = None
    include_case_refs: bool = False
    include_staff_names: bool = False
    feedback_text: bool = True
    audit_key_secret: str | None = None

    @classmethod
    def load(cls, path: str | Path) -> "Settings":
        try:
            with open(path, "rb") as fh:
                raw = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(f"Settings file {Path(path).name} is not valid TOML: {exc}") from exc
        return cls.from_dict(raw, source=Path(path).name)

    @classmethod
    def from_dict(cls, raw: dict, source: str = "settings") -> "Settings":
        s = cls()
        known = {f.name for f in fields(cls)} | {"population"}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise SettingsError(f"{source}: unknown setting(s) {', '.join(unknown)}. "
                                f"Known settings: {', '.join(sorted(known))}.")
        for key, value in raw.items():
            try:
                if key in ("population", "population_0_17"):
                    s.population_0_17 = int(value)
                elif key == "service_areas":
                    s.service_areas = tuple(str(v) for v in value)
                elif key == "caseload_thresholds":
                    s.caseload_thresholds = {str(k): float(v) for k, v in value.items()}
                elif key == "targets":
                    s.targets = {
                        str(k): MeasureTarget(
                            target=None if v.get("target") is None else float(v["target"]),
                            higher_is_better=(None if v.get("polarity") is None
                                              else _polarity(str(v["polarity"]))),
                        )
                        for k, v in value.items()
                    }
                elif key == "workforce_snapshot":
                    s.workforce_snapshot = parse_uk_date(value)
                elif key == "vacancies_fte":
                    s.vacancies_fte = float(value)
                elif key in ("include_case_refs", "include_staff_names", "feedback_text"):
                    if not isinstance(value, bool):
                        raise ValueError("use true or false")
                    setattr(s, key, value)
                else:
                    setattr(s, key, None if value is None else str(value))
            except (TypeError, ValueError, AttributeError) as exc:
                raise SettingsError(f"{source}: setting {key!r} has an unusable value ({exc}).") from exc
        return s
