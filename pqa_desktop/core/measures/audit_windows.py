"""Which audits a table looks at: date windows, return types, and the order rows appear in.

Contract wording (measures.md): audits count in the month of their audit date (moderation never moves
them); YTD runs from 1 April of the financial year containing the period end to the snapshot; the
trend window is the 12 months ending with the period end month; anything after the snapshot is out.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from ..calendar import Period, add_months, month_end, month_start
from ..records import Audit
from ..returns.spec import returns_spec

CASE_FILE_AUDIT = "case_file_audit"
FOSTER_CARER_AUDIT = "foster_carer_audit"
EDT_DIP_SAMPLE = "edt_dip_sample"

# Service areas the contract gives to returns that carry none of their own (measures.md).
FOSTERING_SERVICE_AREA = "Fostering"
EDT_SERVICE_AREA = "EDT"
NO_TEAM = "No team recorded"


@dataclass(frozen=True)
class DateWindow:
    """Inclusive first and last day."""

    start: date
    end: date

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def ytd_window(period: Period) -> DateWindow:
    return DateWindow(period.ytd_start, period.snapshot)


def trend_window(period: Period) -> DateWindow:
    return DateWindow(period.trend_start, period.snapshot)


def previous_ytd_window(period: Period) -> DateWindow:
    """The same months of the previous year (month ends recomputed, so February's length is right)."""
    return DateWindow(add_months(period.ytd_start, -12), month_end(add_months(period.end_month, -12)))


def audit_month(audit: Audit) -> date:
    return month_start(audit.audit_date)


def audit_type(audit: Audit) -> str:
    """Foster carer audit, or the case file audit's kind (the template's default when left blank)."""
    spec = returns_spec().returns
    if audit.template_type == FOSTER_CARER_AUDIT:
        return spec[FOSTER_CARER_AUDIT].title
    return audit.audit_type or spec[CASE_FILE_AUDIT].get("audit_kind").default or spec[CASE_FILE_AUDIT].title


def service_area(audit: Audit) -> str:
    if audit.template_type == FOSTER_CARER_AUDIT:
        return FOSTERING_SERVICE_AREA
    return audit.service_area


def audit_type_order() -> list[str]:
    """Case file audit kinds in template order, then foster carer audits, then EDT dip samples."""
    spec = returns_spec()
    return [*spec.lists["audit_kind"], spec.returns[FOSTER_CARER_AUDIT].title, spec.returns[EDT_DIP_SAMPLE].title]


def rank_in(preferred: Sequence[str]):
    """A sort key putting ``preferred`` values first in their order, then the rest alphabetically."""
    position = {v: i for i, v in enumerate(preferred)}

    def key(value: str) -> tuple:
        return (position.get(value, len(position)), value.casefold(), value)

    return key


def service_area_order(service_areas: Sequence[str] | None) -> list[str]:
    """The settings' (else the template's) service areas, then the contract's Fostering and EDT."""
    areas = list(service_areas) if service_areas else list(returns_spec().lists["service_area"])
    return [*areas, FOSTERING_SERVICE_AREA, EDT_SERVICE_AREA]
