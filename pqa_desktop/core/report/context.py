"""What the report needs besides the figures: who it is for, the words around the numbers, the opt-ins."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from ..findings import Finding
from .sections import SECTIONS  # noqa: F401  (re-exported: the report's sections in workbook order)

CLASSIFICATION = "OFFICIAL-SENSITIVE"



@dataclass
class ReportContext:
    la_name: str
    produced: date
    messages: dict[str, list[str]] = field(default_factory=dict)  # section -> key message sentences
    commentary: dict[str, str] = field(default_factory=dict)  # section -> the QA officer's text
    findings: list[Finding] = field(default_factory=list)  # already masked by the pipeline
    # the QA officer's decisions about findings (finding_status.status_key -> FindingStatus); open when absent
    finding_statuses: dict = field(default_factory=dict)
    coverage: pd.DataFrame | None = None  # tbl_coverage: Input, Kind, First date, Last date, Rows, Months covered
    inputs_used: dict[str, int] = field(default_factory=dict)  # input kind label -> number of files
    include_case_refs: bool = False
    include_staff_names: bool = False
    feedback_text: bool = True
    missing_inputs: dict[str, str] = field(default_factory=dict)  # sheet name -> what would fill it
    classification: str = CLASSIFICATION
