"""EDT dip samples by sample month: records sampled and, per question, Yes ÷ (Yes + No)."""
from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ..calendar import Period, month_start
from ..records import EdtRecord, EdtSample
from ..returns.spec import returns_spec
from ..values import NO, YES
from .audit_windows import EDT_DIP_SAMPLE
from .grades import frame, share

# Questions reported as a share of Yes answers, in template order.
QUESTIONS = ("safeguarding_action", "multi_agency", "recording", "timescales")
AMHP_REQUIRED, AMHP_OFFERED = "amhp_required", "amhp_offered"
RECORDS_SAMPLED = "Records sampled"


def _column_label(field: str) -> str:
    """The template's label for a column of the records table."""
    labels = {c.field: c.label for c in returns_spec().returns[EDT_DIP_SAMPLE].section("columns")}
    return labels[field]


def edt_columns() -> list[str]:
    """Month, Records sampled, then each question's "<label> %" in template order, the AMHP one in place."""
    fields = [c.field for c in returns_spec().returns[EDT_DIP_SAMPLE].section("columns")]
    headers = ["Month", RECORDS_SAMPLED]
    for field in fields:
        if field in QUESTIONS:
            headers.append(f"{_column_label(field)} %")
        elif field == AMHP_OFFERED:
            headers.append(f"{_column_label(AMHP_OFFERED)} when required %")
    return headers


def yes_share(answers: Sequence[str | None]) -> float | None:
    yes = sum(a == YES for a in answers)
    no = sum(a == NO for a in answers)
    return share(yes, yes + no)


def edt_row(records: Sequence[EdtRecord]) -> dict[str, int | float | None]:
    row: dict[str, int | float | None] = {RECORDS_SAMPLED: len(records)}
    for field in QUESTIONS:
        row[f"{_column_label(field)} %"] = yes_share([r.answers.get(field) for r in records])
    # AMHP offered is only a fair question where an AMHP was required.
    required = [r for r in records if r.answers.get(AMHP_REQUIRED) == YES]
    row[f"{_column_label(AMHP_OFFERED)} when required %"] = yes_share([r.answers.get(AMHP_OFFERED) for r in required])
    return row


def edt_table(samples: Sequence[EdtSample], period: Period) -> pd.DataFrame:
    rows = []
    for month in period.trend_months:
        records = [r for s in samples if month_start(s.sample_month) == month for r in s.records]
        rows.append({"Month": month, **edt_row(records)})
    return frame(rows, edt_columns(), counts=(RECORDS_SAMPLED,))
