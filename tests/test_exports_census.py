"""The DfE children's social work workforce census XML read as the workforce list."""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from pqa_desktop.core.exports.reader import read_export
from pqa_desktop.core.findings import Severity
from tests.exports_fixtures import as_input

VACANCIES = """
  <LALevelVacancies>
    <NumberOfVacancies>12.5</NumberOfVacancies>
    <NoAgencyFTE>8.0</NoAgencyFTE>
    <NoAgencyHeadcount>9</NoAgencyHeadcount>
  </LALevelVacancies>"""

WORKERS = """
  <CSWWWorker>
    <SWENo>SW0001</SWENo><AgencyWorker>0</AgencyWorker><FTE>1.0</FTE><OrgRole>5</OrgRole>
    <RoleStartDate>2020-04-01</RoleStartDate><Cases30>18</Cases30>
  </CSWWWorker>
  <CSWWWorker>
    <SWENo>SW0002</SWENo><AgencyWorker>1</AgencyWorker><FTE30>0.6</FTE30><OrgRole>4</OrgRole>
    <RoleStartDate>2023-11-20</RoleStartDate>
  </CSWWWorker>
  <CSWWWorker>
    <SWENo>SW0003</SWENo><AgencyWorker>0</AgencyWorker><FTE>1</FTE>
    <RoleEndDate>2023-12-31</RoleEndDate><ReasonLeave>RES</ReasonLeave><Cases30>0</Cases30>
  </CSWWWorker>
  <CSWWWorker>
    <SWENo>SW0004</SWENo><AgencyWorker>0</AgencyWorker><FTE>0.8</FTE><OrgRole>3</OrgRole>
    <RoleStartDate>2024-01-10</RoleStartDate><RoleEndDate>2024-01-05</RoleEndDate>
  </CSWWWorker>"""


def census(body: str, namespace: str = "", collection: str = "CSWW") -> bytes:
    xmlns = f' xmlns="{namespace}"' if namespace else ""
    return (f"""<?xml version="1.0" encoding="UTF-8"?>
<Message{xmlns}>
  <Header>
    <CollectionDetails><Collection>{collection}</Collection><Year>2024</Year>
      <ReferenceDate>2024-09-30</ReferenceDate></CollectionDetails>
    <Source><LEA>999</LEA></Source>
  </Header>{body}
</Message>""").encode("utf-8")


def _read(tmp_path, data: bytes, name: str = "csww.xml"):
    path = tmp_path / name
    path.write_bytes(data)
    return read_export(as_input(path), today=date(2024, 10, 15))


def test_census_with_vacancies_and_a_namespace(tmp_path):
    result = _read(tmp_path, census(VACANCIES + WORKERS, namespace="http://www.dfe.gov.uk/CSWW"))
    assert result.kind == "system_export"
    table = result.exports[0]
    assert table.kind == "workforce"
    assert table.snapshot == date(2024, 9, 30)
    assert table.vacancies_fte == 12.5
    f = table.frame
    assert f["worker_id"].tolist() == ["SW0001", "SW0002", "SW0003", "SW0004"]
    assert f["agency"].tolist() == ["No", "Yes", "No", "No"]
    assert f["fte"].tolist() == [1.0, 0.6, 1.0, 0.8]  # FTE30 when FTE is absent
    assert f["caseload"].tolist() == [18.0, 0.0, 0.0, 0.0]  # no Cases30 = no cases
    assert f["role"].iloc[:2].tolist() == [5.0, 4.0] and np.isnan(f["role"].iloc[2])  # no OrgRole
    assert f["start_date"].iloc[0] == pd.Timestamp(2020, 4, 1)
    assert pd.isna(f["start_date"].iloc[2])  # no RoleStartDate: in post since before any window
    assert f["leave_date"].iloc[2] == pd.Timestamp(2023, 12, 31)
    assert f["leave_reason"].iloc[2] == "RES"
    assert set(f["service_area"]) == {"All"}
    assert not table.has("team")
    assert f["_bad_leave"].tolist() == [False, False, False, True]
    assert [(x.rule, x.cell) for x in result.findings] == [("export.leave_before_start", "row 4")]
    assert {"SW0001", "SW0004"} <= result.sensitive


def test_census_without_vacancies(tmp_path):
    table = _read(tmp_path, census(WORKERS)).exports[0]
    assert table.vacancies_fte is None
    assert table.rows == 4


def test_entity_expansion_attack_is_refused(tmp_path):
    attack = b"""<?xml version="1.0"?>
<!DOCTYPE Message [
  <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
]>
<Message><Header><CollectionDetails><Collection>CSWW</Collection>
<ReferenceDate>2024-09-30</ReferenceDate></CollectionDetails></Header>
<CSWWWorker><SWENo>&c;</SWENo></CSWWWorker></Message>"""
    result = _read(tmp_path, attack)
    assert result.exports == []
    assert [(f.severity, f.rule) for f in result.findings] == [(Severity.ERROR, "export.xml_unsafe")]


def test_external_entity_is_refused(tmp_path):
    attack = b"""<?xml version="1.0"?>
<!DOCTYPE Message [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<Message><CSWWWorker><SWENo>&x;</SWENo></CSWWWorker></Message>"""
    result = _read(tmp_path, attack)
    assert [f.rule for f in result.findings] == ["export.xml_unsafe"]


def test_other_xml_is_not_a_census(tmp_path):
    cin = census("<Children><Child><LAchildID>1</LAchildID></Child></Children>", collection="CIN")
    assert _read(tmp_path, cin) is None
    assert _read(tmp_path, b"<catalog><book/></catalog>", "books.xml") is None


def test_damaged_xml_is_an_error(tmp_path):
    result = _read(tmp_path, census(WORKERS)[:-40])
    assert [(f.severity, f.rule) for f in result.findings] == [(Severity.ERROR, "export.xml_malformed")]
