"""The DfE children's social work workforce census XML, read as a workforce list.

``<Message><Header><CollectionDetails><ReferenceDate>`` is the snapshot; an optional
``<LALevelVacancies><NumberOfVacancies>`` gives the vacancies (FTE); one ``<CSWWWorker>`` per worker:
SWENo -> worker_id, AgencyWorker (1/0) -> agency, FTE (FTE30 when FTE is absent) -> fte,
OrgRole -> role, RoleStartDate -> start_date, RoleEndDate -> leave_date, ReasonLeave ->
leave_reason, Cases30 -> caseload (absent = 0). The census has no team or service area, so
service_area is "All". Namespaces are tolerated (elements are matched by local name).

Parsed with defusedxml: a file using entities or a DTD (the "billion laughs" and external-entity
attacks) is refused with an error finding, never expanded.
"""
from __future__ import annotations

from datetime import date, datetime

import pandas as pd
from defusedxml import DefusedXmlException, ElementTree
from xml.etree.ElementTree import Element, ParseError

from ..findings import FindingSink
from ..records import InputFile, ReadResult
from . import rules
from .checks import flag_impossible
from .columns import parse_dates, parse_numbers, role_of, yes_no_of
from .model import ExportTable
from .row_findings import RowFindings
from .spec import table_spec

# Census fields -> workforce columns. Text fields are kept as written.
_TEXT_FIELDS = {"worker_id": "SWENo", "leave_reason": "ReasonLeave"}
_DATE_FIELDS = {"start_date": "RoleStartDate", "leave_date": "RoleEndDate"}


def _local(tag: object) -> str:
    text = tag if isinstance(tag, str) else ""
    return text.rsplit("}", 1)[-1]


def _child(node: Element, name: str) -> Element | None:
    for child in node:
        if _local(child.tag) == name:
            return child
    return None


def _text(node: Element, name: str) -> str | None:
    child = _child(node, name)
    if child is None or child.text is None or not child.text.strip():
        return None
    return child.text.strip()


def _find(root: Element, *path: str) -> Element | None:
    node: Element | None = root
    for name in path:
        if node is None:
            return None
        node = _child(node, name)
    return node


def _is_census(root: Element) -> bool:
    """A CSWW return: a <Message> naming the CSWW collection, or holding workers or vacancies.
    (Other DfE returns, such as the CIN census, share the <Message> envelope.)"""
    if _local(root.tag) != "Message":
        return False
    details = _find(root, "Header", "CollectionDetails")
    collection = (_text(details, "Collection") if details is not None else None) or ""
    if "csww" in collection.lower():
        return True
    return any(_local(node.tag) in ("CSWWWorker", "LALevelVacancies") for node in root.iter())


def _error_result(sink: FindingSink, rule: str, message: str, label: str) -> ReadResult:
    sink.error(rule, message)
    return ReadResult(kind="unreadable", kind_label=label, findings=list(sink.findings))


def read_census(item: InputFile, today: date | None = None,
                modified: datetime | None = None) -> ReadResult | None:
    """The census XML as a one-table ReadResult; None for XML that is not a workforce census."""
    sink = FindingSink(item.name)
    try:
        root = ElementTree.fromstring(item.data, forbid_dtd=True, forbid_entities=True,
                                      forbid_external=True)
    except DefusedXmlException:
        return _error_result(
            sink, rules.CENSUS_UNSAFE,
            "This XML file uses a document type definition or entities, which a workforce census "
            "return never needs and which can be used to attack the computer reading it, so it was "
            "not read. Export the census again from the system that made it.",
            "Unreadable: unsafe XML")
    except (ParseError, ValueError):
        return _error_result(
            sink, rules.CENSUS_MALFORMED,
            "This XML file is damaged or incomplete, so it could not be read. Export it again, or "
            "ask the sender for a new copy.",
            "Unreadable: damaged XML")
    if not _is_census(root):
        return None

    workers = [node for node in root.iter() if _local(node.tag) == "CSWWWorker"]
    spec = table_spec("workforce")
    report = RowFindings(sink, "")

    raw: dict[str, list] = {column: [_text(w, tag) for w in workers] for column, tag in
                            {**_TEXT_FIELDS, **_DATE_FIELDS}.items()}
    frame = pd.DataFrame(index=pd.RangeIndex(len(workers)))
    for column in _TEXT_FIELDS:
        frame[column] = pd.Series(raw[column], dtype=object)
    for column, tag in _DATE_FIELDS.items():
        frame[column], bad = parse_dates(raw[column])
        if bad.any():
            places = [f"worker {i + 1}" for i in bad.nonzero()[0]]
            report.report(rules.UNREADABLE_DATE, places,
                          f"The {tag} of this worker (counting <CSWWWorker> entries from the top of "
                          "the file) could not be read, so it is left blank. Correct it and export "
                          "the census again.",
                          f"{{count}} more {tag} values could not be read and are left blank.")

    agency, roles, fte, caseload = [], [], [], []
    unreadable_agency, unreadable_role = [], []
    for i, worker in enumerate(workers):
        try:
            agency.append(yes_no_of(_text(worker, "AgencyWorker")))
        except ValueError:
            agency.append(None)
            unreadable_agency.append(f"worker {i + 1}")
        role_text = _text(worker, "OrgRole")
        try:
            roles.append(float("nan") if role_text is None else role_of(role_text, "workforce_roles"))
        except ValueError:
            roles.append(float("nan"))
            unreadable_role.append(f"worker {i + 1}")
        fte.append(_text(worker, "FTE") or _text(worker, "FTE30"))
        caseload.append(_text(worker, "Cases30") or "0")  # the census omits Cases30 for no cases
    if unreadable_agency:
        report.report(rules.UNREADABLE_CODE, unreadable_agency,
                      "This worker's AgencyWorker is not 1 or 0, so it is left blank.",
                      "{count} more AgencyWorker values are not 1 or 0 and are left blank.")
    if unreadable_role:
        report.report(rules.UNREADABLE_CODE, unreadable_role,
                      "This worker's OrgRole is not a census role code (1 to 6), so they are not "
                      "counted as case holding.",
                      "{count} more OrgRole values are not census role codes.")
    frame["agency"] = pd.Series(agency, dtype=object)
    frame["role"] = pd.Series(roles, dtype=float)
    for column, values, tag in (("fte", fte, "FTE"), ("caseload", caseload, "Cases30")):
        frame[column], bad = parse_numbers(values)
        if bad.any():
            report.report(rules.UNREADABLE_NUMBER, [f"worker {i + 1}" for i in bad.nonzero()[0]],
                          f"This worker's {tag} is not a number, so it is left blank.",
                          f"{{count}} more {tag} values are not numbers and are left blank.")
    frame["service_area"] = "All"
    frame["_row"] = range(1, len(workers) + 1)

    details = _find(root, "Header", "CollectionDetails")
    reference = _text(details, "ReferenceDate") if details is not None else None
    snapshot = None
    if reference is not None:
        parsed, bad = parse_dates([reference])
        if bad.any():
            sink.warning(rules.UNREADABLE_DATE,
                         "The census ReferenceDate could not be read, so the workforce snapshot date "
                         "is taken from the period end. Correct it and export the census again.")
        elif not pd.isna(parsed.iloc[0]):
            snapshot = parsed.iloc[0].date()
    vacancies = None
    vacancy_node = next((n for n in root.iter() if _local(n.tag) == "LALevelVacancies"), None)
    if vacancy_node is not None:
        values, bad = parse_numbers([_text(vacancy_node, "NumberOfVacancies")])
        if not bad.any() and not pd.isna(values.iloc[0]):
            vacancies = float(values.iloc[0])

    flag_impossible("workforce", frame, report, today or date.today())
    columns = frozenset({"worker_id", "service_area", "role", "agency", "fte", "start_date",
                         "leave_date", "leave_reason", "caseload"})
    table = ExportTable(kind="workforce", label=spec.label, file=item.name, sheet="", frame=frame,
                        columns=columns, header_row=0, date_column=spec.date_column,
                        snapshot=snapshot, vacancies_fte=vacancies, modified=modified or item.modified)
    sensitive = {str(v) for v in frame["worker_id"].dropna()}
    return ReadResult(kind="system_export", kind_label="Workforce census (XML)", findings=sink.findings,
                      sensitive=sensitive, exports=[table])
