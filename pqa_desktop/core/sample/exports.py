"""Deterministic sample system exports from the fictional "Anytown Council".

The companion of ``demo`` (auditor returns): Ofsted Annex A lists 1-11, a workforce list, the
worker allocation history and the fostering households, for the same period conventions (period end
month, snapshot = its last day; the demo is the September 2024 report). ``pqa demo`` writes them into
an ``exports/`` folder; tests and benchmarks call ``generate_exports`` directly.

The lists describe one consistent population. A front door (contacts -> referrals -> assessments ->
section 47 enquiries -> ICPCs -> child protection plans, and children in need after assessment) is
simulated from 3 months before the 6-month Annex A window (``months``) so that work started before it
(and finished inside it) exists; children already open before that (CIN, CP, in care, care leavers,
adoption) are drawn with their own histories. Each list is then cut the way Annex A cuts it: events in
the 6 months to the snapshot, List 7 plans open at any point in those months, List 8 children looked
after at extraction plus those who ceased in the window, List 9 care leavers at extraction. Rates are
set so the figures land near the reference report's (assessments within 45 working days about 83%,
S47 median about 13 working days and 79% within 15, ICPCs within 15 working days about 92%, 69% of
children in care fostered, long-term stability about 72%, caseloads about 19 with Family Safeguarding
about 24.5, over 40% agency, less than half with the same worker for 6 months).

Everything is vectorised numpy/pandas drawn from named, seeded streams (one per part, so e.g. the
workforce is the same whatever the scale of the front door); the same arguments give byte-identical
files. Working days in the simulation are Monday-Friday (bank holidays are ignored when drawing; the
measures exclude them, so a handful of durations come out a day shorter).

With ``messy=True`` the files look like real exports: title rows above the header, line breaks, curly
quotes, non-breaking spaces and dropped punctuation in headers, ``Age`` for ``Age of Child (Years)``,
aliases, reordered and extra columns, dd/mm/yyyy text dates, coded values (``a) Yes``, ``U1: Foster
placement with relative or friend...``), List 1 as Windows-1252 CSV, the allocation history as UTF-8
CSV with a byte-order mark (SSDA903 headers) and everything else as sheets ``Sheet1``... of one
workbook. Headers always come from ``resources/system_exports.toml``.
"""
from __future__ import annotations

import csv
import io
import os
import time
import tomllib
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable
from xml.etree import ElementTree as ET

import numpy as np
import pandas as pd
import xlsxwriter

from ..calendar import Period, add_months
from ..resources import resource
from .council import FIRST_NAMES, LA_NAME, SURNAMES, TEAMS

WINDOW_MONTHS = 6  # Annex A lists cover the 6 months to the snapshot (``months`` changes it)
FRONT_DOOR_LEAD_MONTHS = 3  # the simulated front door starts this long before the Annex A window
ALLOCATION_HISTORY_MONTHS = 24  # allocations ended before this are not exported

# Volumes per 6 months at scale 1 (a mid-sized council).
CONTACTS_6M = 6000
REFERRAL_SHARE = 0.36  # of contacts
NFA_SHARE = 0.08  # of referrals: no further action, no assessment
S47_SHARE = 0.30  # of assessed referrals
ICPC_SHARE = 0.42  # of S47 enquiries
PLAN_SHARE = 0.85  # of ICPCs
CIN_AFTER_ASSESSMENT = 0.45  # of assessed children needing support (and no S47)
CIN_BEFORE = 300  # CIN episodes already open before the front door starts
CP_BEFORE = 150  # CP plans already open before the window
CIC_AT_SNAPSHOT = 310
CIC_CEASED_IN_WINDOW = 40
CARE_LEAVERS = 250
ADOPTION_CHILDREN = 40
ADOPTER_FAMILIES = 25
EARLY_HELP_6M = 900

# Parts of the simulation, each with its own random stream and (optionally) its own scale.
PARTS = ("front door", "child protection", "children in need", "children in care", "care leavers", "early help",
         "workforce", "households")
# Which part's volume each table follows (allocations follow every part, and are only ever trimmed).
_TABLE_PART = {"annex_a_list_1": "front door", "annex_a_list_3": "front door", "annex_a_list_4": "front door",
               "annex_a_list_5": "front door", "annex_a_list_7": "child protection",
               "annex_a_list_6": "children in need", "annex_a_list_8": "children in care",
               "annex_a_list_10": "children in care", "annex_a_list_9": "care leavers",
               "annex_a_list_2": "early help", "workforce": "workforce", "households": "households"}

# A large council's year (the benchmark, issue 6): rows of each table with a 12-month Annex A window.
LARGE_COUNCIL_MONTHS = 12
LARGE_COUNCIL_ROWS = {
    "annex_a_list_1": 120_000, "annex_a_list_3": 40_000, "annex_a_list_4": 40_000, "annex_a_list_5": 12_000,
    "annex_a_list_6": 10_000, "annex_a_list_7": 3_000, "annex_a_list_8": 2_500, "annex_a_list_9": 2_000,
    "annex_a_list_10": 300, "workforce": 600, "allocations": 60_000, "households": 800,
}
HOUSEHOLDS_APPROVED = 150

# Rates behind the headline figures (the reference report's values).
ASSESSMENT_IN_45WD = 0.83
S47_IN_15WD = 0.79
ICPC_IN_15WD = 0.93  # a little above 92%: late conferences of enquiries begun before the window join the list
LONG_TERM_STABLE = 0.72
EET_17_18 = 0.72
EET_19_21 = 0.50
# Worker changes a year: half the children on a stable rate, half on a churning one, which gives a
# little under half with one worker for 6 months and about a quarter for 12 months.
WORKER_CHANGE_RATES = (0.8, 2.3)
CO_WORKED_SHARE = 0.03

# Workforce: case holders per team, caseload per FTE wanted for the service area, agency share of
# case holders (the reference: IRT and Family Safeguarding more dependent on agency than CASS).
_AREA_STAFFING = {  # area: (case holders per team, caseload, agency share)
    "IRT": (11, 18.0, 0.55),
    "CST": (12, 20.0, 0.45),
    "CwD": (10, 15.0, 0.35),
    "Family Safeguarding": (13, 24.5, 0.55),
    "CASS": (11, 14.0, 0.25),
    "Leaving Care": (10, 22.0, 0.30),
}
ROLE_LABELS = {1: "Senior manager", 2: "Middle manager", 3: "First line manager", 4: "Senior practitioner",
               5: "Case holder", 6: "Qualified without cases"}
_JOB_TITLES = {1: "Head of Service", 2: "Service Manager", 3: "Team Manager", 4: "Senior Practitioner",
               5: "Social Worker", 6: "Independent Reviewing Officer"}
NQSW_SHARE = 0.15  # of permanent case holders
NQSW_CASELOAD_FACTOR = 0.75  # newly qualified workers are protected
STARTERS_6M = 11  # permanent starters in the last 6 months (10 the 6 months before)
LEAVERS_6M = 7  # permanent leavers in each of the last two 6-month periods
AGENCY_LEAVERS_12M = 20
DEMO_VACANCIES_FTE = 18.0

_GENDERS = {"Male": 0.5, "Female": 0.48, "Not stated/recorded": 0.02}
_ETHNICITIES = {"WBRI": 0.72, "WOTH": 0.04, "MWBC": 0.04, "MWAS": 0.02, "MOTH": 0.02, "APKN": 0.05,
                "AIND": 0.02, "ABAN": 0.02, "BAFR": 0.03, "BCRB": 0.01, "OOTH": 0.01, "NOBT": 0.02}
_CONTACT_SOURCES = {
    "1A": "Individual \u2013 family member, relative or carer", "1C": "Individual \u2013 self",
    "2A": "Schools", "3A": "Health services \u2013 GP", "3B": "Health services \u2013 health visitor",
    "3E": "Health services \u2013 A&E", "5A": "LA services \u2013 social care", "5D": "Early help",
    "6": "Police", "8": "Other", "9": "Anonymous",
}
_CONTACT_SOURCE_WEIGHTS = [0.12, 0.03, 0.17, 0.04, 0.05, 0.04, 0.06, 0.05, 0.33, 0.08, 0.03]
_PRIMARY_NEED = {"N1": "Abuse or neglect", "N2": "Child's disability", "N3": "Parental illness or disability",
                 "N4": "Family in acute stress", "N5": "Family dysfunction", "N6": "Socially unacceptable behaviour",
                 "N8": "Absent parenting"}
_PRIMARY_NEED_WEIGHTS = [0.55, 0.08, 0.04, 0.1, 0.17, 0.03, 0.03]
_CIN_CLOSURE = {"RC7": "Services ceased for any other reason, including child no longer in need",
                "RC9": "Case closed after assessment, referred to early help",
                "RC5": "Transferred to services of another local authority"}
_ABUSE_CATEGORIES = ["Neglect", "Emotional abuse", "Physical abuse", "Sexual abuse", "Multiple"]
_ABUSE_WEIGHTS = [0.48, 0.35, 0.08, 0.04, 0.05]
_PLACEMENT_TYPES = {
    "U1": "Foster placement with relative or friend \u2013 long term fostering",
    "U3": "Foster placement with relative or friend \u2013 not long term or FFA",
    "U4": "Foster placement with other foster carer \u2013 long term fostering",
    "U5": "Foster placement with other foster carer who is also an approved adopter \u2013 FFA",
    "U6": "Foster placement with other foster carer \u2013 not long term or FFA",
    "A5": "Placed for adoption with placement order with current foster carer(s)",
    "A6": "Placed for adoption with placement order not with current foster carer(s)",
    "P1": "Placed with own parent(s) or other person(s) with parental responsibility",
    "H5": "Semi-independent living accommodation not subject to children's homes regulations",
    "K2": "Children's homes subject to children's homes regulations",
    "R1": "Residential care home",
    "S1": "All residential schools, except where dual-registered as a school and children's home",
}
# Placement type mix by age group at the snapshot (under 12, 12-15, 16-17): foster overall about 69%.
_PLACEMENT_MIX = {
    "under_12": {"U1": 0.19, "U3": 0.1, "U4": 0.3, "U6": 0.3, "P1": 0.11},
    "12_15": {"U1": 0.1, "U3": 0.05, "U4": 0.34, "U6": 0.19, "P1": 0.06, "K2": 0.22, "R1": 0.02, "S1": 0.02},
    "16_17": {"U1": 0.06, "U3": 0.04, "U4": 0.22, "U6": 0.1, "P1": 0.04, "K2": 0.18, "H5": 0.34, "S1": 0.02},
}
RESIDENTIAL_UNDER_12 = 3  # "a small number of young children in care are placed in residential homes"
_LEGAL_STATUS = {"C2": "Full care order", "V2": "Single period of accommodation under section 20",
                 "C1": "Interim care order", "E1": "Placement order granted"}
_CEASED_REASONS = {
    "E13": "Left care to live with parent(s), relative(s), or other person(s) with no parental responsibility",
    "E4A": "Returned home to live with parent(s), relative(s), or other person(s) with parental responsibility",
    "E41": "Child arrangements order granted",
    "E45": "Special guardianship order made to former foster carer(s), who were/are a relative or friend",
    "E46": "Special guardianship order made to former foster carer(s), other than relative or friend",
    "E5": "Moved into independent living arrangement and no longer looked-after",
    "E8": "Period of being looked-after ceased for any other reason",
    "E11": "Adopted \u2013 application for an adoption order unopposed",
    "E12": "Adopted \u2013 consent dispensed with by the court",
}
_CEASED_WEIGHTS = {"E13": 0.22, "E4A": 0.2, "E41": 0.1, "E45": 0.18, "E46": 0.1, "E5": 0.12, "E8": 0.08}
_PROVIDERS = {"PR1": "Own provision (by the LA)", "PR4": "Private provision", "PR5": "Voluntary/third sector provision"}
_ACTIVITY = {"F1": "Full time in higher education", "F2": "Full time in education other than higher",
             "F3": "Full time in training or employment", "P2": "Part time in education other than higher",
             "P3": "Part time in training or employment", "G4": "Not in education, employment or training "
             "due to illness or disability", "G5": "Not in education, employment or training \u2013 other",
             "G6": "Not in education, employment or training due to pregnancy or parenting"}
_EET_CODES, _EET_WEIGHTS = ["F1", "F2", "F3", "P2", "P3"], [0.15, 0.3, 0.35, 0.1, 0.1]
_NEET_CODES, _NEET_WEIGHTS = ["G4", "G5", "G6"], [0.2, 0.65, 0.15]
_IN_TOUCH = {"Yes": 0.92, "No": 0.03, "Refu": 0.02, "NREQ": 0.02, "Rhom": 0.005, "Died": 0.005}
_ACCOMMODATION = {"U": "Independent living", "D": "Semi-independent, transitional accommodation",
                  "Z": "With former foster carers", "B": "With parents or relatives", "E": "Supported lodgings",
                  "V": "Emergency accommodation", "X": "In custody"}
_ACCOMMODATION_WEIGHTS = [0.38, 0.22, 0.12, 0.14, 0.08, 0.03, 0.03]
_ELIGIBILITY = {"relevant": "Relevant child", "former": "Former relevant child"}
_HOUSEHOLD_TYPES = {"Mainstream": 0.62, "Connected person": 0.28, "Short breaks": 0.10}
_LEAVE_REASONS = ["Resignation", "Resignation", "Resignation", "Retirement", "Moved to another local authority",
                  "Career break"]

_TEXT_DATE = "%d/%m/%Y"


# ------------------------------------------------------------------------------------------ manifest

@dataclass
class ExportsManifest:
    """What ``generate_exports`` wrote, and what a correct reader should make of it."""

    directory: Path
    period_end: date  # first day of the period end month
    snapshot: date
    seed: int
    scale: float
    messy: bool
    files: list[Path] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)  # table kind -> data rows written
    child_ids: dict[str, frozenset[str]] = field(default_factory=dict)  # kind -> child ids in it
    worker_ids: frozenset[str] = frozenset()  # workforce list
    allocation_worker_ids: frozenset[str] = frozenset()  # workers named in the allocation history
    locations: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # kind -> (file, sheet or None)
    header_rows: dict[str, int] = field(default_factory=dict)  # kind -> 1-based row of the header
    headers: dict[str, list[str]] = field(default_factory=dict)  # kind -> headers exactly as written
    extra_columns: dict[str, list[str]] = field(default_factory=dict)  # kind -> headers not in the spec
    text_date_kinds: frozenset[str] = frozenset()  # kinds whose dates are dd/mm/yyyy text
    vacancies_fte: float = DEMO_VACANCIES_FTE  # what the demo settings (and the census XML) say

    @property
    def kinds(self) -> list[str]:
        return list(self.rows)


# ------------------------------------------------------------------------------------------ spec (headers)

@dataclass(frozen=True)
class _Column:
    id: str
    header: str
    type: str
    aliases: tuple[str, ...]


@lru_cache(maxsize=1)
def _spec_tables() -> tuple[dict, ...]:
    with open(resource("system_exports.toml"), "rb") as fh:
        return tuple(tomllib.load(fh)["table"])


def export_columns() -> dict[str, tuple[_Column, ...]]:
    """Table kind -> its columns, straight from resources/system_exports.toml (headers are never copied here)."""
    return {t["kind"]: tuple(_Column(c["id"], c["header"], c["type"], tuple(c.get("aliases", ())))
                             for c in t["columns"]) for t in _spec_tables()}


def export_label(kind: str) -> str:
    return next(t["label"] for t in _spec_tables() if t["kind"] == kind)


def _alias(kind: str, column: str, contains: str) -> str:
    """The alias of ``column`` containing ``contains`` (so a messy header is still one the spec knows)."""
    col = next(c for c in export_columns()[kind] if c.id == column)
    return next(a for a in col.aliases if contains.lower() in a.lower())


# ------------------------------------------------------------------------------------------ drawing helpers

def _stream(seed: int, name: str) -> np.random.Generator:
    """An independent generator per part, so changing one part's volume leaves the others as they were."""
    return np.random.default_rng([seed, zlib.crc32(name.encode())])


def _n(base: float, scale: float, minimum: int = 1) -> int:
    return max(minimum, int(round(base * scale)))


def _d(d: date) -> np.datetime64:
    return np.datetime64(d, "D")


NAT = np.datetime64("NaT", "D")


def _weekdays(rng: np.random.Generator, start: np.datetime64, end: np.datetime64, n: int) -> np.ndarray:
    """``n`` weekdays drawn uniformly from [start, end]."""
    days = np.arange(start, end + 1, dtype="datetime64[D]")
    days = days[np.is_busday(days)]
    return np.sort(rng.choice(days, n))


def _add_working_days(dates: np.ndarray, n: np.ndarray) -> np.ndarray:
    return np.busday_offset(dates, n, roll="forward")


def _pick(rng: np.random.Generator, shares: dict[str, float] | list[str], n: int,
          weights: list[float] | None = None) -> np.ndarray:
    values = list(shares)
    if weights is None:
        weights = [shares[v] for v in values] if isinstance(shares, dict) else [1.0] * len(values)
    p = np.array(weights, dtype=float)
    return rng.choice(np.array(values, dtype=object), n, p=p / p.sum())


def _exactly(rng: np.random.Generator, n: int, share: float, within: np.ndarray | None = None) -> np.ndarray:
    """A mask with exactly round(share x count) True values (among ``within``, when given), placed at random.

    Used for the rates behind headline figures, so they hold at any seed rather than drifting by chance.
    """
    pool = np.flatnonzero(within) if within is not None else np.arange(n)
    mask = np.zeros(n, bool)
    mask[rng.permutation(pool)[:int(round(share * len(pool)))]] = True
    return mask


def _days_between(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (b - a).astype("timedelta64[D]").astype(np.int64)


def _uniform_dates(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """One date per element, uniform in [lo, hi] (element-wise; hi < lo gives lo)."""
    span = np.maximum(_days_between(lo, hi), 0)
    return lo + (rng.random(len(span)) * (span + 1)).astype(np.int64).astype("timedelta64[D]")


def _years_before(d: np.datetime64, years: np.ndarray) -> np.ndarray:
    return d - np.round(years * 365.25).astype(np.int64).astype("timedelta64[D]")


def _whole_years(dob: np.ndarray, at: np.datetime64) -> np.ndarray:
    """Age in whole years at ``at`` (the measures' rule: a 29 February birthday counts on 1 March)."""
    b = pd.DatetimeIndex(dob)
    a = pd.Timestamp(at)
    before = (b.month > a.month) | ((b.month == a.month) & (b.day > a.day))
    return np.asarray(a.year - b.year - before.astype(int))


class _Children:
    """Every child in the exports: id and the characteristics every list repeats (one set per child)."""

    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.frames: list[pd.DataFrame] = []
        self.used = 0
        self._ids = rng.permutation(np.arange(1_000_000, 10_000_000, 7))  # 7 digits: never an audit reference

    def new(self, dob: np.ndarray, *, disability_share: float = 0.07) -> np.ndarray:
        n = len(dob)
        ids = self._ids[self.used:self.used + n].astype(str).astype(object)
        self.used += n
        self.frames.append(pd.DataFrame({
            "child_id": ids, "dob": pd.to_datetime(dob),
            "gender": _pick(self.rng, _GENDERS, n), "ethnicity": _pick(self.rng, _ETHNICITIES, n),
            "disability": np.where(self.rng.random(n) < disability_share, "Yes", "No").astype(object)}))
        return ids

    def table(self) -> pd.DataFrame:
        return pd.concat(self.frames, ignore_index=True).drop_duplicates("child_id").set_index("child_id")


def _dob_for_ages(rng: np.random.Generator, at: np.datetime64, ages: np.ndarray) -> np.ndarray:
    """Birth dates giving these whole-year ages at ``at``."""
    return _years_before(at, ages + rng.random(len(ages)) * 0.99)


# ------------------------------------------------------------------------------------------ the council

class _Council:
    """Anytown Council's children and staff over the period: canonical-column frames, one per table."""

    def __init__(self, period: Period, seed: int, scale: float, months: int = WINDOW_MONTHS,
                 part_scales: dict[str, float] | None = None, rows: dict[str, int] | None = None):
        self.period = period
        self.seed = seed
        self.base_scale = scale
        self.scale = scale  # the scale of the part being simulated (see build)
        self.part_scales = dict(part_scales or {})
        self.rows = dict(rows or {})  # table kind -> exact rows wanted (tables are trimmed down to it)
        self.months = months
        self.S = _d(period.snapshot)
        self.W = _d(period.months_back(months)) + 1  # first day of the Annex A window
        self.F = _d(period.months_back(months + FRONT_DOOR_LEAD_MONTHS)) + 1
        self.children = _Children(_stream(seed, "children"))
        self.tables: dict[str, pd.DataFrame] = {}
        self.involvements: list[pd.DataFrame] = []  # (child_id, start, end, area) for allocations

    def rng(self, name: str) -> np.random.Generator:
        return _stream(self.seed, name)

    def n(self, base: float, minimum: int = 1) -> int:
        return _n(base, self.scale, minimum)

    def involve(self, child_id, start, end, area) -> None:
        self.involvements.append(pd.DataFrame({"child_id": child_id, "start": start, "end": end, "area": area}))

    # -------------------------------------------------------------------- front door
    def front_door(self) -> None:
        rng = self.rng("front door")
        S, W, F = self.S, self.W, self.F
        n_contacts = self.n(CONTACTS_6M * (self.months + FRONT_DOOR_LEAD_MONTHS) / 6)
        c_date = _weekdays(rng, F, S, n_contacts)
        n_kids = int(n_contacts * 0.8)
        ages = rng.integers(0, 18, n_kids)
        kid_ids = self.children.new(_dob_for_ages(rng, S, ages))
        which = np.concatenate([np.arange(n_kids), rng.integers(0, n_kids, n_contacts - n_kids)])
        c_child = kid_ids[rng.permutation(which)]
        contacts = pd.DataFrame({"child_id": c_child, "contact_date": c_date,
                                 "contact_source": _pick(rng, list(_CONTACT_SOURCES), n_contacts,
                                                         _CONTACT_SOURCE_WEIGHTS)})
        self.tables["annex_a_list_1"] = contacts[contacts.contact_date >= W].reset_index(drop=True)

        # Referrals: a third of contacts, on the day or within two days.
        is_ref = rng.random(n_contacts) < REFERRAL_SHARE
        r_child, r_date = c_child[is_ref], np.minimum(c_date[is_ref] + rng.integers(0, 3, is_ref.sum()), S)
        r_source = contacts.contact_source.to_numpy()[is_ref]
        n_ref = len(r_child)
        nfa = rng.random(n_ref) < NFA_SHARE
        prior = rng.poisson(0.35, n_ref)
        referrals = pd.DataFrame({"child_id": r_child, "referral_date": r_date, "referral_source": r_source,
                                  "referral_nfa": np.where(nfa, "Yes", "No"), "referrals_12m": prior + 1})
        # (A referral made in the window from a contact just before it is left out, so every List 3 child
        # is in List 1.)
        in_window = (r_date >= W) & (c_date[is_ref] >= W)
        self.tables["annex_a_list_3"] = referrals[in_window].reset_index(drop=True)

        # Assessments: every referral not closed at once; 83% authorised within 45 working days.
        a_idx = np.flatnonzero(~nfa)
        n_a = len(a_idx)
        a_start = np.minimum(_add_working_days(r_date[a_idx], rng.integers(0, 3, n_a)), S)
        in_time = _exactly(rng, n_a, ASSESSMENT_IN_45WD)
        duration = np.where(in_time, rng.integers(8, 46, n_a), rng.integers(46, 91, n_a))
        a_auth = _add_working_days(a_start, duration)
        a_auth = np.where(a_auth <= S, a_auth, NAT)
        s47 = rng.random(n_a) < S47_SHARE
        needs = s47 | (rng.random(n_a) < 0.4)
        assessments = pd.DataFrame({
            "child_id": r_child[a_idx], "assessment_start": a_start, "assessment_authorised": a_auth,
            "child_seen": np.where(rng.random(n_a) < 0.96, "Yes", "No"),
            "requires_support": np.where(np.isnat(a_auth), None, np.where(needs, "Yes", "No"))})
        keep = (a_start >= W) | (a_auth >= W)
        self.tables["annex_a_list_4"] = assessments[keep].reset_index(drop=True)
        self.involve(r_child[a_idx], r_date[a_idx], a_auth, "IRT")

        # Section 47 enquiries: strategy discussion within days of the referral.
        s_idx = np.flatnonzero(s47)
        n_s = len(s_idx)
        s_child = r_child[a_idx][s_idx]
        s_start = np.minimum(_add_working_days(r_date[a_idx][s_idx], rng.integers(0, 4, n_s)), S)
        s_in_time = _exactly(rng, n_s, S47_IN_15WD)
        s_end = _add_working_days(s_start, np.where(s_in_time, rng.integers(9, 16, n_s), rng.integers(16, 31, n_s)))
        has_icpc = rng.random(n_s) < ICPC_SHARE
        i_in_time = _exactly(rng, n_s, ICPC_IN_15WD, has_icpc)
        icpc = _add_working_days(s_start, np.where(i_in_time, rng.integers(7, 16, n_s), rng.integers(16, 26, n_s)))
        icpc = np.where(has_icpc & (icpc <= S), icpc, NAT)
        s_end = np.where(s_end <= S, s_end, NAT)
        pending = np.isnat(icpc) & has_icpc  # conference not held yet at extraction
        plan = has_icpc & ~np.isnat(icpc) & (rng.random(n_s) < PLAN_SHARE)
        unnecessary = np.where(~np.isnat(icpc), "No", np.where(pending | np.isnat(s_end), None, "Yes"))
        s47s = pd.DataFrame({
            "child_id": s_child, "s47_start": s_start, "icpc_unnecessary": unnecessary, "icpc_date": icpc,
            "icpc_plan": np.where(np.isnat(icpc), None, np.where(plan, "Yes", "No")),
            "s47_12m": 1 + rng.poisson(0.15, n_s), "icpc_12m": (~np.isnat(icpc)).astype(int) + rng.poisson(0.05, n_s),
            "s47_end": s_end})
        # Enquiries started in the window, and those started before it whose conference fell in it.
        self.tables["annex_a_list_5"] = s47s[(s47s.s47_start >= W) | (s47s.icpc_date >= W)].reset_index(drop=True)
        self.involve(s_child, s_start, np.where(plan, icpc, s_end), "Family Safeguarding")
        self._plans_from_icpc = (s_child[plan], icpc[plan])

        # Children in need after assessment (no S47), from the authorisation date.
        c_idx = np.flatnonzero(~s47 & needs & ~np.isnat(a_auth) & (rng.random(n_a) < CIN_AFTER_ASSESSMENT))
        self._cin_from_assessment = (r_child[a_idx][c_idx], a_auth[c_idx])

    # -------------------------------------------------------------------- child protection and CIN
    def child_protection(self) -> None:
        rng = self.rng("child protection")
        S, W = self.S, self.W
        new_child, new_start = self._plans_from_icpc
        n_before = self.n(CP_BEFORE)
        before_ids = self.children.new(_dob_for_ages(rng, S, rng.integers(0, 17, n_before)))
        before_start = W - 1 - rng.exponential(200, n_before).astype(np.int64).astype("timedelta64[D]")
        child = np.concatenate([new_child, before_ids])
        start = np.concatenate([new_start, before_start])
        n = len(child)
        length = np.where(np.arange(n) < len(new_child), rng.lognormal(np.log(270), 0.5, n),
                          _days_between(start, W) + rng.exponential(170, n))
        end = start + length.astype(np.int64).astype("timedelta64[D]")
        # A few plans have lasted over 2 years and are still open (England: a few per cent).
        lasting = _exactly(rng, n, 0.05, np.arange(n) >= len(new_child))
        start = np.where(lasting, S - rng.integers(731, 900, n).astype("timedelta64[D]"), start)
        end = np.where(lasting, NAT, end)
        # A fifth of the plans that ended inside the front-door months ended because the child came into care.
        ended = (end <= S) & (end >= self.F)
        into_care = ended & (rng.random(n) < 0.2)
        self._care_from_cp = (child[into_care], end[into_care])
        end = np.where(end <= S, end, NAT)
        open_in_window = (start <= S) & (np.isnat(end) | (end >= W))
        previous = rng.choice([0, 1, 2], n, p=[0.8, 0.15, 0.05])
        review = start + 90
        visit_base = np.where(np.isnat(end), S, end)
        plans = pd.DataFrame({
            "child_id": child, "cp_start": start,
            "initial_category": _pick(rng, _ABUSE_CATEGORIES, n, _ABUSE_WEIGHTS),
            "last_visit": np.maximum(visit_base - rng.integers(0, 15, n), start), "seen_alone": np.where(rng.random(n) < 0.8, "Yes", "No"),
            "last_review": np.where(review <= visit_base, review, NAT), "cp_end": end,
            "epo": np.where(rng.random(n) < 0.03, "Yes", "No"), "previous_plans": previous})
        plans["latest_category"] = np.where(rng.random(n) < 0.9, plans.initial_category,
                                            _pick(rng, _ABUSE_CATEGORIES, n, _ABUSE_WEIGHTS))
        self.tables["annex_a_list_7"] = plans[open_in_window].reset_index(drop=True)
        self.involve(child, start, end, "Family Safeguarding")

    def children_in_need(self) -> None:
        rng = self.rng("children in need")
        S, W = self.S, self.W
        new_child, new_start = self._cin_from_assessment
        n_before = self.n(CIN_BEFORE)
        before_ids = self.children.new(_dob_for_ages(rng, S, rng.integers(0, 17, n_before)), disability_share=0.2)
        before_start = self.F - 1 - rng.exponential(220, n_before).astype(np.int64).astype("timedelta64[D]")
        child = np.concatenate([new_child, before_ids])
        start = np.concatenate([new_start, before_start])
        n = len(child)
        is_new = np.arange(n) < len(new_child)
        length = np.where(is_new, rng.lognormal(np.log(200), 0.5, n), _days_between(start, self.F) + rng.exponential(220, n))
        end = start + length.astype(np.int64).astype("timedelta64[D]")
        end = np.where(end <= S, end, NAT)
        keep = (start <= S) & (np.isnat(end) | (end >= W))
        seen_base = np.where(np.isnat(end), S, end)
        cin = pd.DataFrame({
            "child_id": child, "cin_start": start,
            "primary_need": _pick(rng, list(_PRIMARY_NEED), n, _PRIMARY_NEED_WEIGHTS),
            "last_seen": np.maximum(seen_base - rng.integers(0, 30, n), start), "cin_end": end,
            "closure_reason": np.where(np.isnat(end), None, _pick(rng, list(_CIN_CLOSURE), n, [0.8, 0.15, 0.05])),
            "case_status": np.where(np.isnat(end), "Child in need plan", "Closed")})
        self.tables["annex_a_list_6"] = cin[keep].reset_index(drop=True)
        disabled = self.children.table().reindex(child).disability.to_numpy() == "Yes"
        self.involve(child, start, end, np.where(disabled, "CwD", "CST"))

    # -------------------------------------------------------------------- children in care and adoption
    def children_in_care(self) -> None:
        rng = self.rng("children in care")
        S, W = self.S, self.W
        from_cp_child, from_cp_start = self._care_from_cp
        n_stay, n_ceased = self.n(CIC_AT_SNAPSHOT), self.n(CIC_CEASED_IN_WINDOW)
        n_own = max(n_stay + n_ceased - len(from_cp_child), 0)
        age_weights = np.array([4, 4, 4, 4, 4, 5, 5, 5, 5, 5, 8, 8, 8, 8, 8, 8, 9, 9], dtype=float)
        ages = rng.choice(18, n_own, p=age_weights / age_weights.sum())
        dob = _dob_for_ages(rng, S, ages)
        own_ids = self.children.new(dob, disability_share=0.1)
        in_care_days = np.minimum(rng.exponential(900, n_own), _days_between(dob, S) - 1)
        own_start = S - np.maximum(in_care_days, 1).astype(np.int64).astype("timedelta64[D]")
        child = np.concatenate([own_ids, from_cp_child])
        start = np.concatenate([own_start, from_cp_start])
        n = len(child)
        kids = self.children.table().reindex(child)
        dob = kids.dob.to_numpy().astype("datetime64[D]")
        age = _whole_years(dob, S)

        # Who ceased in the window (the rest are looked after at extraction).
        ceased = np.zeros(n, bool)
        ceased[rng.permutation(n)[:min(n_ceased, n)]] = True
        cla_end = np.where(ceased, np.minimum(_uniform_dates(rng, np.maximum(start + 1, W), np.full(n, S)), S), NAT)
        reason = np.where(ceased, _pick(rng, _CEASED_WEIGHTS, n), None)

        group = np.where(age < 12, "under_12", np.where(age < 16, "12_15", "16_17"))
        ptype = np.empty(n, dtype=object)
        for g, mix in _PLACEMENT_MIX.items():
            idx = np.flatnonzero(group == g)
            ptype[idx] = _pick(rng, mix, len(idx))
        young = np.flatnonzero((age >= 8) & (age < 12) & ~ceased)
        ptype[rng.permutation(young)[:self.n(RESIDENTIAL_UNDER_12)]] = "K2"

        # Most recent placement: the long-term cohort (under 16, in care 2 years 6 months) is 72% stable.
        ref = np.where(ceased, cla_end, S)
        long_term = (age < 16) & (start <= _d(self.period_add(-30))) & ~ceased
        two_years = _d(self.period_add(-24))
        stable = _exactly(rng, n, LONG_TERM_STABLE, long_term)
        p_start = _uniform_dates(rng, start, ref)
        p_start = np.where(long_term & stable, _uniform_dates(rng, start, np.full(n, two_years - 1)), p_start)
        p_start = np.where(long_term & ~stable, _uniform_dates(rng, np.full(n, two_years + 1), np.full(n, S)), p_start)
        recent = p_start > S - 365
        placements = np.where(recent, 1 + rng.poisson(0.8, n), 1)
        missing = np.where(rng.random(n) < 0.1, 1 + rng.poisson(1.5, n), 0)
        legal = _pick(rng, {"C2": 0.62, "V2": 0.25, "C1": 0.13}, n)
        fostered = np.char.startswith(ptype.astype(str), "U")
        cic = pd.DataFrame({
            "child_id": child, "uasc": np.where((age >= 14) & (rng.random(n) < 0.12), "Yes", "No"),
            "cla_start": start, "category_of_need": _pick(rng, list(_PRIMARY_NEED), n, _PRIMARY_NEED_WEIGHTS),
            "second_period": np.where(rng.random(n) < 0.05, "Yes", "No"),
            "legal_status_start": _uniform_dates(rng, start, ref), "legal_status": legal,
            "last_review": np.maximum(ref - rng.integers(0, 180, n), start),
            "last_visit": np.maximum(ref - rng.integers(0, 42, n), start),
            "permanence_plan": np.where(fostered, "Long-term fostering", "Return to family or other permanence"),
            "last_iro": np.maximum(ref - rng.integers(0, 120, n), start),
            "last_health": np.maximum(ref - rng.integers(0, 365, n), start),
            "last_dental": np.maximum(ref - rng.integers(0, 365, n), start),
            "placements_12m": placements, "cla_end": cla_end, "reason_ceased": reason,
            "placement_start": p_start, "placement_type": ptype,
            "placement_provider": np.where(fostered, _pick(rng, {"PR1": 0.65, "PR4": 0.35}, n),
                                           _pick(rng, {"PR4": 0.7, "PR5": 0.2, "PR1": 0.1}, n)),
            "placement_postcode": [f"AT{d} {n_}{a}{b}" for d, n_, a, b in zip(
                rng.integers(1, 20, n), rng.integers(1, 10, n), rng.choice(list("ABDEFGHJLNPQRSTUWXYZ"), n),
                rng.choice(list("ABDEFGHJLNPQRSTUWXYZ"), n))],
            "placement_urn": np.where(np.isin(ptype, ["K2", "R1", "S1"]),
                                      np.char.add("SC", rng.integers(100000, 999999, n).astype(str)), None),
            "placement_location": np.where(rng.random(n) < 0.7, "Inside LA boundary", "Outside LA boundary"),
            "missing_12m": missing, "absent_12m": np.where(rng.random(n) < 0.08, 1 + rng.poisson(1, n), 0),
            "return_offered": np.where(missing > 0, np.where(rng.random(n) < 0.9, "Yes", "No"), None),
            "return_accepted": np.where(missing > 0, np.where(rng.random(n) < 0.6, "Yes", "No"), None)})
        cic["placement_la"] = np.where(cic.placement_location == "Inside LA boundary", "Anytown", "Othertown")
        self.tables["annex_a_list_8"] = cic
        self._adoption(rng)
        cic = self.tables["annex_a_list_8"]
        disabled = self.children.table().reindex(cic.child_id).disability.to_numpy() == "Yes"
        self.involve(cic.child_id.to_numpy(), cic.cla_start.to_numpy(), cic.cla_end.to_numpy(),
                     np.where(disabled, "CwD", "CASS"))

    def period_add(self, months: int) -> date:
        return add_months(self.period.snapshot, months)

    def _adoption(self, rng: np.random.Generator) -> None:
        """List 10 from young children of List 8, whose List 8 rows follow their adoption journey."""
        S, W = self.S, self.W
        cic = self.tables["annex_a_list_8"]
        dob = cic.child_id.map(self.children.table().dob).to_numpy().astype("datetime64[D]")
        # Not the children who came into care from a CP plan: their start date is already fixed by it.
        from_cp = cic.child_id.isin(self._care_from_cp[0]).to_numpy()
        candidates = np.flatnonzero((_whole_years(dob, S) <= 5) & ~from_cp)
        n = min(self.n(ADOPTION_CHILDREN), len(candidates))
        rows = rng.permutation(candidates)[:n]
        # Stages at the snapshot: adopted in the window, placed, waiting, no longer to be placed, decision only.
        stage = np.array((["adopted"] * 10 + ["placed"] * 12 + ["waiting"] * 8 + ["no_longer"] * 4
                          + ["decision"] * 6) * (n // 40 + 1))[:n]
        stage = rng.permutation(stage)
        off = lambda lo, hi: rng.integers(lo, hi, n).astype("timedelta64[D]")  # noqa: E731
        anchor = np.where(stage == "adopted", _uniform_dates(rng, np.full(n, W), np.full(n, S)),
                          np.where(stage == "placed", S - off(10, 200), S - off(30, 400)))
        order = np.where(stage == "adopted", anchor, NAT)
        placed = np.where(stage == "adopted", anchor - off(120, 300), np.where(stage == "placed", anchor, NAT))
        matched = np.where(np.isnat(placed), NAT, placed - off(7, 30))
        po = np.where(stage == "decision", NAT, np.where(np.isnat(matched), anchor, matched - off(60, 200)))
        adm = np.where(np.isnat(po), S - off(10, 120), po - off(60, 150))
        no_longer = np.where(stage == "no_longer", _uniform_dates(rng, po + 1, np.full(n, S)), NAT)
        entered = adm - off(100, 250)
        child_dob = entered - off(0, 700)
        ffa = np.where(rng.random(n) < 0.1, entered + 5, NAT)
        families = self._adopters(rng, matched)
        ids = cic.child_id.to_numpy()[rows]
        self.tables["annex_a_list_10"] = pd.DataFrame({
            "child_id": ids, "family_id": families, "entered_care": entered, "adm_decision": adm,
            "placement_order": po, "matched": matched, "placed_for_adoption": placed, "adoption_order": order,
            "no_longer_decision": no_longer,
            "no_longer_reason": np.where(stage == "no_longer", "RD1", None), "ffa_placed": ffa})
        kids = self.children.frames
        for frame in kids:  # the children's birth dates follow their journey
            hit = frame.child_id.isin(ids)
            if hit.any():
                frame.loc[hit, "dob"] = pd.to_datetime(pd.Series(child_dob, index=ids).reindex(frame.child_id[hit]).to_numpy())
        cic = cic.copy()
        cic.loc[rows, "cla_start"] = pd.to_datetime(entered)
        cic.loc[rows, "legal_status_start"] = pd.to_datetime(np.where(np.isnat(po), entered, po))
        cic.loc[rows, "legal_status"] = np.where(np.isnat(po), "C2", "E1")
        cic.loc[rows, "permanence_plan"] = np.where(stage == "no_longer", "Long-term fostering", "Adoption")
        adopted = stage == "adopted"
        cic.loc[rows, "cla_end"] = pd.to_datetime(np.where(adopted, order, NAT))
        cic.loc[rows, "reason_ceased"] = np.where(adopted, np.where(rng.random(n) < 0.5, "E11", "E12"), None)
        in_adoptive = ~np.isnat(placed)
        cic.loc[rows, "placement_type"] = np.where(in_adoptive, np.where(rng.random(n) < 0.3, "A5", "A6"),
                                                   np.where(rng.random(n) < 0.3, "U5", "U6"))
        cic.loc[rows, "placement_start"] = pd.to_datetime(np.where(in_adoptive, placed, entered + 1))
        for col in ("last_review", "last_visit", "last_iro", "last_health", "last_dental"):
            cic.loc[rows, col] = pd.to_datetime(np.maximum(cic.loc[rows, col].to_numpy().astype("datetime64[D]"),
                                                           entered + 1))
        self.tables["annex_a_list_8"] = cic

    def _adopters(self, rng: np.random.Generator, matched: np.ndarray) -> np.ndarray:
        """List 11 (adopter families); returns the family matched with each adoption child (or None)."""
        S = self.S
        n_fam = max(self.n(ADOPTER_FAMILIES), int((~np.isnat(matched)).sum()))
        fam_ids = np.array([f"F{10000 + i * 37}" for i in range(n_fam)], dtype=object)
        child_family = np.full(len(matched), None, dtype=object)
        m_idx = np.flatnonzero(~np.isnat(matched))
        child_family[m_idx] = fam_ids[:len(m_idx)]
        fam_matched = np.full(n_fam, NAT)
        fam_matched[:len(m_idx)] = matched[m_idx]
        anchor = np.where(np.isnat(fam_matched), S - rng.integers(0, 300, n_fam).astype("timedelta64[D]"),
                          fam_matched - rng.integers(30, 120, n_fam).astype("timedelta64[D]"))
        # Families not yet matched are at some stage of the process, cut at the snapshot.
        approved = anchor
        stage2_end = approved - rng.integers(20, 40, n_fam).astype("timedelta64[D]")
        stage2_start = stage2_end - rng.integers(100, 130, n_fam).astype("timedelta64[D]")
        stage1_end = stage2_start - rng.integers(7, 30, n_fam).astype("timedelta64[D]")
        stage1_start = stage1_end - rng.integers(50, 70, n_fam).astype("timedelta64[D]")
        enquiry = stage1_start - rng.integers(14, 40, n_fam).astype("timedelta64[D]")
        left = np.isnat(fam_matched) & (rng.random(n_fam) < 0.15)
        rows = []
        for i in range(n_fam):
            for person in range(1 + (rng.random() < 0.7)):
                rows.append((f"AD{20000 + i * 11 + person}", fam_ids[i], i, person))
        idx = np.array([r[2] for r in rows])
        cut = lambda a: np.where(a[idx] <= S, a[idx], NAT)  # noqa: E731
        self.tables["annex_a_list_11"] = pd.DataFrame({
            "adopter_id": [r[0] for r in rows], "family_id": [r[1] for r in rows],
            "gender": np.where([r[3] == 0 for r in rows], "Female", _pick(rng, {"Male": 0.8, "Female": 0.2}, len(rows))),
            "ethnicity": _pick(rng, _ETHNICITIES, len(rows)), "disability": np.where(rng.random(len(rows)) < 0.04, "Yes", "No"),
            "ffa": np.where(rng.random(n_fam) < 0.15, "Yes", "No")[idx],
            "enquiry_date": cut(enquiry), "stage1_start": cut(stage1_start), "stage1_end": cut(stage1_end),
            "stage2_start": cut(stage2_start), "stage2_end": cut(stage2_end),
            "application_submitted": cut(stage2_start), "application_approved": cut(approved),
            "matched": fam_matched[idx], "placed": np.where(np.isnat(fam_matched[idx]), NAT, fam_matched[idx] + 14),
            "children_placed": np.where(np.isnat(fam_matched[idx]), None, 1),
            "adoption_order": NAT, "left_process": np.where(left[idx], S - 20, NAT),
            "left_reason": np.where(left[idx], "Withdrew", None)})
        t = self.tables["annex_a_list_11"]
        t["placed"] = pd.to_datetime(np.where(t.placed.to_numpy().astype("datetime64[D]") <= S, t.placed, NAT))
        t = t[t.enquiry_date.notna()]
        self.tables["annex_a_list_11"] = t.reset_index(drop=True)
        return child_family

    # -------------------------------------------------------------------- care leavers and early help
    def care_leavers(self) -> None:
        rng = self.rng("care leavers")
        S = self.S
        n = self.n(CARE_LEAVERS)
        ages = rng.choice([17, 18, 19, 20, 21], n, p=[0.14, 0.22, 0.22, 0.21, 0.21])
        dob = _dob_for_ages(rng, S, ages)
        ids = self.children.new(dob, disability_share=0.1)
        younger = ages <= 18
        eet = _exactly(rng, n, EET_17_18, younger) | _exactly(rng, n, EET_19_21, ~younger)
        activity = np.where(eet, _pick(rng, _EET_CODES, n, _EET_WEIGHTS), _pick(rng, _NEET_CODES, n, _NEET_WEIGHTS))
        activity = np.where(~eet & (rng.random(n) < 0.05), None, activity)  # blank counts as not EET
        in_touch = _pick(rng, _IN_TOUCH, n)
        suitable = np.where(rng.random(n) < 0.9, "Suitable", "Unsuitable")
        suitable = np.where(rng.random(n) < 0.03, None, suitable)
        self.tables["annex_a_list_9"] = pd.DataFrame({
            "child_id": ids, "uasc": np.where(rng.random(n) < 0.12, "Yes", "No"),
            "eligibility": np.where(ages == 17, "relevant", "former"),
            "pathway_review": S - rng.integers(0, 200, n).astype("timedelta64[D]"),
            "in_touch": in_touch,
            "latest_contact": np.where(in_touch == "Yes", S - rng.integers(0, 60, n).astype("timedelta64[D]"), NAT),
            "accommodation_type": _pick(rng, list(_ACCOMMODATION), n, _ACCOMMODATION_WEIGHTS),
            "accommodation_suitable": suitable, "activity": activity})
        since = np.maximum(dob + 6300, S - 1500)  # allocated to leaving care from about 17
        self.involve(ids, np.minimum(since, S - 30), np.full(n, NAT), "Leaving Care")

    def early_help(self) -> None:
        rng = self.rng("early help")
        S, W = self.S, self.W
        n = self.n(EARLY_HELP_6M * self.months / 6)
        contacts = self.tables["annex_a_list_1"].child_id.unique()
        n_known = min(int(n * 0.6), len(contacts))
        known = rng.choice(contacts, n_known, replace=False)
        new = self.children.new(_dob_for_ages(rng, S, rng.integers(0, 17, n - n_known)))
        start = _weekdays(rng, W, S, n)
        end = start + rng.integers(10, 60, n).astype("timedelta64[D]")
        self.tables["annex_a_list_2"] = pd.DataFrame({
            "child_id": rng.permutation(np.concatenate([known, new])), "eh_start": start,
            "eh_end": np.where(end <= S, end, NAT),
            "eh_organisation": _pick(rng, {"Early Help Locality 1": 0.3, "Early Help Locality 2": 0.3,
                                           "Anytown Primary School": 0.2, "Health visiting": 0.2}, n)})

    # -------------------------------------------------------------------- workforce
    def workforce(self) -> None:
        # Trimmed here, before allocations are drawn, so every allocated worker is in the list.
        self.tables["workforce"] = self._trimmed("workforce", build_workforce(self.period, self.seed, self.scale))

    # -------------------------------------------------------------------- allocations
    def allocations(self) -> None:
        """One row per child-worker allocation, contiguous within each involvement; changes at worker leaving."""
        rng = self.rng("allocations")
        S = self.S
        staff = self.tables["workforce"]
        holders = staff[staff.role.isin([4, 5])]
        far = np.datetime64("2100-01-01", "D")
        pools = {}
        for area, g in holders.groupby("service_area", sort=True):
            pools[area] = (g.worker_id.to_numpy(), g.start_date.to_numpy().astype("datetime64[D]"),
                           np.where(g.leave_date.isna(), far, g.leave_date.to_numpy().astype("datetime64[D]")))

        def pick(area: str, day: np.datetime64, avoid: str | None) -> tuple[str, np.datetime64]:
            ids, starts, leaves = pools[area]
            ok = (leaves > day) & (ids != avoid)
            preferred = ok & (starts <= day)
            choice = np.flatnonzero(preferred if preferred.any() else ok)
            i = choice[rng.integers(0, len(choice))]
            return ids[i], leaves[i]

        inv = pd.concat(self.involvements, ignore_index=True)
        inv["end"] = inv["end"].where(inv["end"].notna(), pd.NaT)
        inv = inv.sort_values(["child_id", "start"], kind="stable").reset_index(drop=True)
        child = inv.child_id.to_numpy()
        start = inv.start.to_numpy().astype("datetime64[D]")
        end = inv.end.to_numpy().astype("datetime64[D]")
        area = inv.area.to_numpy()
        history_start = _d(self.period_add(-ALLOCATION_HISTORY_MONTHS))
        out_child, out_worker, out_start, out_end = [], [], [], []
        bounds = np.flatnonzero(np.r_[True, child[1:] != child[:-1], True])
        for b in range(len(bounds) - 1):
            lo, hi = bounds[b], bounds[b + 1]
            mean_gap = 365.0 / WORKER_CHANGE_RATES[int(rng.random() < 0.5)]
            worker = None
            for k in range(lo, hi):
                s = start[k]
                e = end[k] if not np.isnat(end[k]) else far
                if k + 1 < hi and start[k + 1] <= e:  # the next involvement takes over
                    e = start[k + 1] - 1
                if e < s or s > S:
                    continue
                t = s
                while t <= min(e, S):
                    worker, leaves = pick(area[k], t, worker)
                    until = t + int(rng.exponential(mean_gap))
                    stop = min(until, leaves, e)
                    if stop >= history_start:
                        out_child.append(child[k])
                        out_worker.append(worker)
                        out_start.append(t)
                        out_end.append(stop if stop < S else NAT)  # still allocated at extraction
                    t = stop + 1
        alloc = pd.DataFrame({"child_id": out_child, "worker_id": out_worker,
                              "allocation_start": np.array(out_start, dtype="datetime64[D]"),
                              "allocation_end": np.array(out_end, dtype="datetime64[D]")})
        alloc.loc[alloc.allocation_end > S, "allocation_end"] = pd.NaT
        # A few children are co-worked (a second worker on an overlapping allocation).
        open_now = alloc[alloc.allocation_end.isna()]
        co = open_now.sample(frac=CO_WORKED_SHARE, random_state=rng.integers(0, 2**31)).copy()
        worker_area = staff.set_index("worker_id").service_area
        co["worker_id"] = [pick(worker_area[w], S, w)[0] for w in co.worker_id]
        co_start = pd.to_datetime(S - rng.integers(30, 200, len(co)).astype("timedelta64[D]"))
        co["allocation_start"] = np.maximum(co.allocation_start.to_numpy(), co_start.to_numpy())
        alloc = pd.concat([alloc, co], ignore_index=True)
        self.tables["allocations"] = alloc.sort_values(["child_id", "allocation_start", "worker_id"],
                                                      kind="stable").reset_index(drop=True)

    def allocate_lists(self) -> None:
        """Allocated Team / Worker of each Annex A row: the child's allocation at the row's latest date."""
        alloc = self.tables["allocations"]
        staff = self.tables["workforce"].set_index("worker_id")
        right = alloc.rename(columns={"allocation_start": "at"}).sort_values("at", kind="stable")
        right["at"] = right["at"].astype("datetime64[s]")
        ref_columns = {"annex_a_list_3": "referral_date", "annex_a_list_4": "assessment_authorised",
                       "annex_a_list_5": "s47_end", "annex_a_list_6": "cin_end", "annex_a_list_7": "cp_end",
                       "annex_a_list_8": "cla_end", "annex_a_list_9": None}
        S = pd.Timestamp(self.S)
        for kind, col in ref_columns.items():
            t = self.tables[kind]
            when = t[col].fillna(S) if col else pd.Series(S, index=t.index)
            left = pd.DataFrame({"child_id": t.child_id.to_numpy(), "at": pd.to_datetime(when.to_numpy()).astype(
                "datetime64[s]"), "row": np.arange(len(t))}).sort_values("at", kind="stable")
            hit = pd.merge_asof(left, right, on="at", by="child_id", direction="backward")
            hit = hit[hit.allocation_end.isna() | (hit.allocation_end >= hit["at"])].set_index("row")
            worker = hit.worker_id.reindex(np.arange(len(t)))
            t = t.copy()
            t["team"] = worker.map(staff.team).to_numpy()
            t["worker"] = worker.map(staff["name"]).to_numpy()
            if kind == "annex_a_list_9":
                t["personal_adviser"] = t["worker"]
            self.tables[kind] = t

    # -------------------------------------------------------------------- fostering
    def households(self) -> None:
        self.tables["households"] = build_households(self.period, self.seed, self.scale)

    def _trimmed(self, kind: str, frame: pd.DataFrame, keep: np.ndarray | None = None) -> pd.DataFrame:
        """``frame`` cut down to exactly the rows wanted for ``kind`` (rows drawn at random, order kept).

        ``keep`` marks rows that must stay (a List 8 child whose adoption is in List 10)."""
        wanted = self.rows.get(kind)
        if wanted is None or len(frame) <= wanted:
            return frame
        rng = self.rng(f"trim {kind}")
        keep = np.zeros(len(frame), bool) if keep is None else keep
        must = np.flatnonzero(keep)
        others = rng.permutation(np.flatnonzero(~keep))[:max(wanted - len(must), 0)]
        return frame.iloc[np.sort(np.concatenate([must, others]))].reset_index(drop=True)

    def build(self) -> dict[str, pd.DataFrame]:
        steps = {"front door": self.front_door, "child protection": self.child_protection,
                 "children in need": self.children_in_need, "children in care": self.children_in_care,
                 "care leavers": self.care_leavers, "early help": self.early_help, "workforce": self.workforce}
        for part, step in steps.items():
            # Each part may have its own scale (a large council's lists do not all grow alike).
            self.scale = self.part_scales.get(part, self.base_scale)
            step()
        self.scale = self.base_scale
        self.allocations()
        self.allocate_lists()
        self.scale = self.part_scales.get("households", self.base_scale)
        self.households()
        self.scale = self.base_scale
        if self.rows:
            self.tables["annex_a_list_10"] = self._trimmed("annex_a_list_10", self.tables["annex_a_list_10"])
            adopted = self.tables["annex_a_list_8"].child_id.isin(self.tables["annex_a_list_10"].child_id).to_numpy()
            for kind in list(self.tables):
                if kind != "annex_a_list_10":
                    self.tables[kind] = self._trimmed(kind, self.tables[kind],
                                                      adopted if kind == "annex_a_list_8" else None)
        people = self.children.table()
        for kind, frame in self.tables.items():
            if kind.startswith("annex_a") and kind != "annex_a_list_11":
                frame = frame.join(people, on="child_id")
                frame["age"] = np.where(frame.dob.isna(), np.nan, _whole_years(
                    frame.dob.fillna(pd.Timestamp("2000-01-01")).to_numpy().astype("datetime64[D]"), self.S))
                self.tables[kind] = frame
        return self.tables


def _staff_names(rng: np.random.Generator, n: int) -> list[str]:
    pool = [f"{f} {s}" for f in FIRST_NAMES for s in SURNAMES]
    pool = [pool[i] for i in rng.permutation(len(pool))]
    if n > len(pool):  # large scales: add middle initials, still unique
        pool += [f"{f} {chr(65 + k)}. {s}" for k in range(26) for f in FIRST_NAMES for s in SURNAMES]
    return pool[:n]


def build_workforce(period: Period, seed: int = 2024, scale: float = 1.0) -> pd.DataFrame:
    """Anytown's social work workforce at the snapshot (plus leavers in the 12 months before), canonical columns.

    Roles are census codes (1-6). Depends only on (period, seed, scale), so the census XML and the list match.
    """
    rng = _stream(seed, "workforce")
    S = _d(period.snapshot)
    six = _d(period.months_back(6))
    twelve = _d(period.months_back(12))
    rows: list[dict[str, Any]] = []

    def add(area: str, team: str | None, role: int, agency: bool, **extra: Any) -> None:
        rows.append({"service_area": area, "team": team, "role": role, "agency": agency, **extra})

    for area, (holders, _, agency_share) in _AREA_STAFFING.items():
        teams = TEAMS[area]
        add(area, None, 2, False)
        for team in teams:
            add(area, team, 3, rng.random() < 0.2)
            n_sp, n_sw = _n(2, scale), _n(holders, scale)
            agency = np.zeros(n_sp + n_sw, bool)
            agency[rng.permutation(n_sp + n_sw)[:int(round(agency_share * (n_sp + n_sw)))]] = True
            for i in range(n_sp + n_sw):
                add(area, team, 4 if i < n_sp else 5, bool(agency[i]))
        for _ in range(_n(1.4, scale)):
            add(area, teams[0], 6, rng.random() < 0.2)
    for i in range(_n(3, scale)):  # heads of service, each over part of the service
        add(("IRT", "Family Safeguarding", "CASS")[i % 3], None, 1, False)
    staff = pd.DataFrame(rows)
    n = len(staff)
    staff["fte"] = np.where(staff.agency, 1.0, rng.choice([1.0, 0.8, 0.6, 0.5], n, p=[0.8, 0.1, 0.05, 0.05]))
    # Before the last 12 months (starters are set below), agency workers more recently than permanent ones.
    staff["start_date"] = S - (365 * rng.exponential(np.where(staff.agency, 1.2, 5.0)) + 366).astype(
        np.int64).astype("timedelta64[D]")
    staff["leave_date"] = pd.NaT
    staff["leave_reason"] = None
    permanent_frontline = np.flatnonzero(~staff.agency.to_numpy() & staff.role.isin([4, 5]).to_numpy())
    order = rng.permutation(permanent_frontline)
    n_start6, n_start12 = _n(STARTERS_6M, scale), _n(STARTERS_6M - 1, scale)
    new6, new12 = order[:n_start6], order[n_start6:n_start6 + n_start12]
    start = staff.start_date.to_numpy().astype("datetime64[D]")
    start[new6] = _uniform_dates(rng, np.full(len(new6), six + 1), np.full(len(new6), S))
    start[new12] = _uniform_dates(rng, np.full(len(new12), twelve + 1), np.full(len(new12), six))
    staff["start_date"] = pd.to_datetime(start)
    nqsw = np.zeros(n, bool)
    candidates = np.flatnonzero(~staff.agency.to_numpy() & (staff.role == 5).to_numpy())
    recent_first = candidates[np.argsort(-start[candidates].astype(np.int64), kind="stable")]
    nqsw[recent_first[:int(round(NQSW_SHARE * len(candidates)))]] = True
    staff["nqsw"] = nqsw

    # Caseloads: per area average as wanted, newly qualified workers protected, senior practitioners lighter.
    holders = staff.role.isin([4, 5]).to_numpy()
    weight = np.where(nqsw, NQSW_CASELOAD_FACTOR, 1.0) * np.where(staff.role == 4, 0.85, 1.0)
    weight = weight * rng.normal(1.0, 0.12, n) * staff.fte.to_numpy()
    caseload = np.zeros(n)
    for area, (_, target, _) in _AREA_STAFFING.items():
        idx = np.flatnonzero(holders & (staff.service_area == area).to_numpy())
        caseload[idx] = weight[idx] * target * staff.fte.to_numpy()[idx].sum() / weight[idx].sum()
    staff["caseload"] = np.round(caseload).astype(int)

    # Leavers in the 12 months to the snapshot (kept in the list, with their leave date).
    n_leave = _n(LEAVERS_6M, scale)
    leavers = []
    for lo, hi in ((six + 1, S), (twelve + 1, six)):
        block = pd.DataFrame({"service_area": _pick(rng, {a: 1.0 for a in _AREA_STAFFING}, n_leave),
                              "role": rng.choice([4, 5], n_leave, p=[0.2, 0.8]), "agency": False,
                              "leave_date": _uniform_dates(rng, np.full(n_leave, lo), np.full(n_leave, hi))})
        leavers.append(block)
    n_agency = _n(AGENCY_LEAVERS_12M, scale)
    leavers.append(pd.DataFrame({"service_area": _pick(rng, {a: 1.0 for a in _AREA_STAFFING}, n_agency),
                                 "role": 5, "agency": True,
                                 "leave_date": _uniform_dates(rng, np.full(n_agency, twelve + 1), np.full(n_agency, S))}))
    gone = pd.concat(leavers, ignore_index=True)
    m = len(gone)
    gone["team"] = [TEAMS[a][rng.integers(0, len(TEAMS[a]))] for a in gone.service_area]
    gone["fte"] = np.where(gone.agency, 1.0, rng.choice([1.0, 0.8], m, p=[0.85, 0.15]))
    leave = gone.leave_date.to_numpy().astype("datetime64[D]")
    gone["start_date"] = pd.to_datetime(leave - (365 * rng.exponential(np.where(gone.agency, 0.8, 4.0)) + 60).astype(
        np.int64).astype("timedelta64[D]"))
    gone["leave_date"] = pd.to_datetime(leave)
    gone["leave_reason"] = np.where(gone.agency, "End of contract", _pick(rng, _LEAVE_REASONS, m))
    gone["nqsw"] = False
    gone["caseload"] = 0
    staff = pd.concat([staff, gone], ignore_index=True)
    n = len(staff)
    ids = rng.choice(np.arange(100000, 999999), n, replace=False)
    staff.insert(0, "worker_id", [f"SW{x}" for x in ids])
    staff["name"] = _staff_names(rng, n)
    staff["snapshot_date"] = pd.Timestamp(S)
    return staff


def build_households(period: Period, seed: int = 2024, scale: float = 1.0) -> pd.DataFrame:
    """Fostering households approved at the snapshot, new in the last year, and de-registered in the last 5
    years (a fostering system keeps households that left: the list reaches back over the 12 months before
    the last 12, so the 12-month counts have a Previous)."""
    rng = _stream(seed, "households")
    S = _d(period.snapshot)
    twelve = _d(period.months_back(12))
    n_old, n_new = _n(HOUSEHOLDS_APPROVED - 22, scale), _n(22, scale)
    n_dereg12, n_dereg24 = _n(12, scale), _n(8, scale)
    years = np.minimum(rng.exponential(5, n_old + n_dereg12 + n_dereg24), 20)
    approved_old = S - (365 + 365 * years).astype(np.int64).astype("timedelta64[D]")
    approved_new = _uniform_dates(rng, np.full(n_new, twelve + 1), np.full(n_new, S))
    approval = np.concatenate([approved_old, approved_new])
    n = len(approval)
    dereg = np.full(n, NAT)
    dereg[n_old:n_old + n_dereg12] = _uniform_dates(rng, np.full(n_dereg12, twelve + 1), np.full(n_dereg12, S))
    dereg[n_old + n_dereg12:n_old + n_dereg12 + n_dereg24] = _uniform_dates(
        rng, np.full(n_dereg24, _d(period.months_back(24)) + 1), np.full(n_dereg24, twelve))
    gone = ~np.isnat(dereg)  # approved at least 6 months before de-registration
    approval[gone] = np.minimum(approval[gone], dereg[gone] - 180)
    htype = _pick(rng, _HOUSEHOLD_TYPES, n)
    places = np.where(htype == "Mainstream", rng.choice([1, 2, 3], n, p=[0.3, 0.5, 0.2]), rng.choice([1, 2], n))
    refs = rng.choice(np.arange(10000, 99999), n, replace=False)
    frame = pd.DataFrame({"household_ref": [f"FH{x}" for x in refs], "household_type": htype,
                          "approval_date": approval, "deregistration_date": dereg, "approved_places": places})
    # Households that left 2 to 5 years before, drawn from their own stream so the households above stay
    # exactly as they were.
    older_rng = _stream(seed, "households-left-earlier")
    n_older = _n(24, scale)
    gone_older = _uniform_dates(older_rng, np.full(n_older, _d(period.months_back(60)) + 1),
                                np.full(n_older, _d(period.months_back(24))))
    older_approval = gone_older - (365 * (1 + np.minimum(older_rng.exponential(4, n_older), 15))).astype(
        np.int64).astype("timedelta64[D]")
    older_type = _pick(older_rng, _HOUSEHOLD_TYPES, n_older)
    free_refs = np.setdiff1d(np.arange(10000, 99999), refs)
    older = pd.DataFrame({"household_ref": [f"FH{x}" for x in older_rng.choice(free_refs, n_older, replace=False)],
                          "household_type": older_type, "approval_date": older_approval,
                          "deregistration_date": gone_older,
                          "approved_places": older_rng.choice([1, 2], n_older)})
    frame = pd.concat([frame, older], ignore_index=True)
    return frame.sort_values(["approval_date", "household_ref"], kind="stable").reset_index(drop=True)


# ------------------------------------------------------------------------------------------ layouts

@dataclass
class _Layout:
    """How one table is written: where, under which headers, with which mess."""

    kind: str
    file: str  # relative to the exports folder
    fmt: str  # "xlsx", "csv-1252", "csv-bom"
    title_rows: list[str] = field(default_factory=list)  # rows above the header (a blank one may follow)
    headers: dict[str, str] = field(default_factory=dict)  # column id -> header when not the spec's
    first: list[str] = field(default_factory=list)  # column ids moved to the front (reordering)
    extras: dict[str, str] = field(default_factory=dict)  # extra header -> name of a value source
    text_dates: bool = False
    numeric_ids: bool = False
    coded: bool = True  # "a) Yes", "U1: Foster placement..."; False: bare codes and plain Yes/No
    yes_no: tuple[str, str] = ("a) Yes", "b) No")
    skip: tuple[str, ...] = ()  # spec columns not exported


def _messy_layouts(snapshot: date, window_start: date) -> list[_Layout]:
    extracted = f"Extracted {snapshot:%d/%m/%Y} 07:45"
    book = f"Anytown exports {snapshot:%Y-%m-%d}.xlsx"
    dash = "\u2013"
    return [
        _Layout("annex_a_list_1", "Contacts export.csv", "csv-1252",
                title_rows=[f"{LA_NAME} {dash} Children\u2019s Services",
                            f"Annex A List 1: Contacts {window_start:%d/%m/%Y} {dash} {snapshot:%d/%m/%Y}", ""],
                headers={"age": "Age", "contact_date": "Date of\nContact"}, extras={"Contact ID": "serial"},
                text_dates=True, yes_no=("Y", "N")),
        _Layout("annex_a_list_2", book, "xlsx", headers={"age": "Age"}),
        _Layout("annex_a_list_3", book, "xlsx", title_rows=["Annex A List 3 - Referrals", extracted, ""],
                headers={"referral_date": "Date of Referral", "age": "Age of Child"},
                first=["child_id", "team", "worker"], extras={"Referral ID": "serial", "Locality": "locality"},
                yes_no=("Yes", "No")),
        _Layout("annex_a_list_4", book, "xlsx", title_rows=[f"{LA_NAME}: assessments"],
                headers={"assessment_start": "Continuous Assessment\nStart Date", "age": "Age",
                         "requires_support": "Was the child assessed as requiring LA children\u2019s social care "
                                             "support?"}),
        _Layout("annex_a_list_5", book, "xlsx",
                headers={"age": "Age", "icpc_date": "Date of Initial Child\nProtection Conference"}),
        _Layout("annex_a_list_6", book, "xlsx", title_rows=["Children in need", extracted],
                headers={"age": "Age"}, extras={"Locality": "locality"}, text_dates=True),
        _Layout("annex_a_list_7", book, "xlsx",
                headers={"seen_alone": "Was the Child Seen Alone",
                         "cp_start": "Child Protection Plan\u00a0Start Date"}),
        _Layout("annex_a_list_8", book, "xlsx", title_rows=["Children in care (List 8)", extracted, ""],
                headers={"age": "Age",
                         "uasc": next(c.header for c in export_columns()["annex_a_list_8"]
                                      if c.id == "uasc").replace("(Y/N)", "(Y/N))"),
                         "missing_12m": "Number of Episodes the Child has been \u2018Missing\u2019 from their "
                                        "Placement in the last 12 months",
                         "absent_12m": "Number of Episodes the Child has been \u2018Absent\u2019 from their "
                                       "Placement in the last 12 months"},
                numeric_ids=True),
        _Layout("annex_a_list_9", book, "xlsx", title_rows=["Care leavers"],
                headers={"in_touch": _alias("annex_a_list_9", "in_touch", "In Touch"),
                         "personal_adviser": _alias("annex_a_list_9", "personal_adviser", "Adviser")},
                text_dates=True),
        _Layout("annex_a_list_10", book, "xlsx", first=["child_id", "placement_order", "placed_for_adoption"],
                numeric_ids=True),
        _Layout("annex_a_list_11", book, "xlsx", yes_no=("Yes", "No")),
        _Layout("workforce", book, "xlsx", title_rows=[f"Social care workforce as at {snapshot:%d/%m/%Y}", ""],
                headers={"worker_id": _alias("workforce", "worker_id", "SWE"),
                         "caseload": _alias("workforce", "caseload", "Cases")},
                first=["worker_id"], extras={"Name": "name", "Job title": "job_title"}, yes_no=("Y", "N")),
        _Layout("households", book, "xlsx", title_rows=["Fostering households"],
                headers={"household_type": "Household Type"}),
        _Layout("allocations", "Allocation history.csv", "csv-bom",
                headers={c: _alias("allocations", c, a) for c, a in (
                    ("child_id", "CHILD"), ("worker_id", "SW_ID"), ("allocation_start", "SW_DECOM"),
                    ("allocation_end", "SW_DEC"))},
                text_dates=True),
    ]


def _clean_layouts(snapshot: date) -> list[_Layout]:
    book = f"Anytown exports {snapshot:%Y-%m-%d}.xlsx"
    kinds = [f"annex_a_list_{i}" for i in range(1, 12)] + ["workforce", "households", "allocations"]
    return [_Layout(k, book, "xlsx", coded=False, yes_no=("Yes", "No")) for k in kinds]


# ------------------------------------------------------------------------------------------ values as written

_CODE_LABELS: dict[str, dict[str, str]] = {
    "contact_source": _CONTACT_SOURCES, "referral_source": _CONTACT_SOURCES, "primary_need": _PRIMARY_NEED,
    "category_of_need": _PRIMARY_NEED, "closure_reason": _CIN_CLOSURE, "placement_type": _PLACEMENT_TYPES,
    "legal_status": _LEGAL_STATUS, "reason_ceased": _CEASED_REASONS, "placement_provider": _PROVIDERS,
    "activity": _ACTIVITY, "accommodation_type": _ACCOMMODATION,
}
# Written "a) ...", "b) ..." like the Annex A template's drop-downs, with a fixed letter per option.
_LETTERED: dict[str, list[str]] = {
    "gender": list(_GENDERS), "ethnicity": list(_ETHNICITIES), "placement_type": list(_PLACEMENT_TYPES),
    "activity": list(_ACTIVITY), "in_touch": list(_IN_TOUCH), "accommodation_suitable": ["Suitable", "Unsuitable"],
    "eligibility": list(_ELIGIBILITY.values()), "placement_location": ["Inside LA boundary", "Outside LA boundary"],
    "contact_source": list(_CONTACT_SOURCES),
}


def _lettered(values: pd.Series, options: list[str]) -> pd.Series:
    """Prefix each value with its option's letter; a value written "U1: ..." is lettered by its code."""
    letter = {o: chr(97 + i % 26) for i, o in enumerate(options)}
    return values.map(lambda v: None if v is None else f"{letter.get(str(v).split(':')[0], 'z')}) {v}")


def _column_values(frame: pd.DataFrame, column: _Column, layout: _Layout) -> list[Any]:
    s = frame[column.id] if column.id in frame else pd.Series([None] * len(frame), index=frame.index)
    if column.type == "date":
        s = pd.to_datetime(s)
        if layout.text_dates or layout.fmt != "xlsx":
            return [None if pd.isna(v) else v.strftime(_TEXT_DATE) for v in s]
        return [None if pd.isna(v) else v.date() for v in s]
    if column.id == "role":  # census codes; messy exports give the role as text
        return [ROLE_LABELS[int(v)] for v in s] if layout.coded else [int(v) for v in s]
    if column.type == "yes_no":
        yes, no = layout.yes_no
        return [yes if v in ("Yes", True) else no if v in ("No", False) else None for v in s]
    if column.type in ("int", "number"):
        return [None if pd.isna(v) else (int(v) if float(v).is_integer() else float(v)) for v in s]
    if column.id == "child_id" and layout.numeric_ids:
        return [int(v) for v in s]
    s = s.astype(object).where(s.notna(), None)
    if layout.coded and column.id in _CODE_LABELS:
        labels = _CODE_LABELS[column.id]
        s = s.map(lambda v: None if v is None else f"{v}: {labels[v]}" if v in labels else v)
    elif column.id == "eligibility":
        s = s.map(lambda v: None if v is None else _ELIGIBILITY[v])
    if layout.coded and column.id in _LETTERED:
        s = _lettered(s, _LETTERED[column.id])
    return [None if v is None or (isinstance(v, float) and np.isnan(v)) else v for v in s]


def _extra_values(frame: pd.DataFrame, source: str, kind: str) -> list[Any]:
    if source == "serial":
        prefix = {"annex_a_list_1": "CT", "annex_a_list_3": "RF"}.get(kind, "X")
        return [f"{prefix}{100000 + i}" for i in range(len(frame))]
    if source == "locality":
        return [("North", "South", "East", "West")[zlib.crc32(str(c).encode()) % 4] for c in frame.child_id]
    if source == "name":
        return list(frame["name"])
    if source == "job_title":
        return [_JOB_TITLES[int(r)] for r in frame.role]
    raise KeyError(source)


def _table_rows(frame: pd.DataFrame, layout: _Layout) -> tuple[list[str], list[str], list[list[Any]]]:
    """(headers, extra headers, rows) of one table as written."""
    columns = [c for c in export_columns()[layout.kind] if c.id not in layout.skip]
    order = [c for c in columns if c.id in layout.first]
    order.sort(key=lambda c: layout.first.index(c.id))
    order += [c for c in columns if c.id not in layout.first]
    headers = [layout.headers.get(c.id, c.header) for c in order]
    data = [_column_values(frame, c, layout) for c in order]
    extra_headers = list(layout.extras)
    extra_data = [_extra_values(frame, src, layout.kind) for src in layout.extras.values()]
    # Extra columns go at the front (an ID) or the end, as exports add them.
    front = [i for i, h in enumerate(extra_headers) if h.endswith("ID") or h == "Name"]
    back = [i for i in range(len(extra_headers)) if i not in front]
    headers = [extra_headers[i] for i in front] + headers + [extra_headers[i] for i in back]
    data = [extra_data[i] for i in front] + data + [extra_data[i] for i in back]
    rows = [list(r) for r in zip(*data)] if data else []
    return headers, extra_headers, rows


# ------------------------------------------------------------------------------------------ writing

def _stamp_file(path: Path, stamp: datetime) -> None:
    seconds = time.mktime(stamp.timetuple())
    os.utime(path, (seconds, seconds))


def _csv_bytes(title_rows: list[str], headers: list[str], rows: Iterable[list[Any]], encoding: str) -> bytes:
    buffer = io.StringIO()
    out = csv.writer(buffer, lineterminator="\r\n")
    for t in title_rows:
        out.writerow([t] if t else [])
    out.writerow(headers)
    out.writerows(["" if v is None else v for v in r] for r in rows)
    return buffer.getvalue().encode(encoding)


def calibrated_scales(rows: dict[str, int], *, period_end: date = date(2024, 9, 1), seed: int = 2024,
                      months: int = WINDOW_MONTHS, margin: float = 1.06, rounds: int = 4) -> dict[str, float]:
    """The scale of each part that gives at least ``rows`` of each table.

    A pilot at scale 1 gives each part's yield; a table short of its rows then raises its part's scale by the
    shortfall (plus a margin) and the council is simulated again. Rounds are needed because some tables are
    fed by two parts (child protection plans come from the front door's conferences as well as from plans
    open before it)."""
    period = Period(period_end)
    scales: dict[str, float] = {}
    tables = _Council(period, seed, 1.0, months).build()
    for _ in range(rounds):
        simulated = dict(scales)  # the scales ``tables`` came from
        for kind, wanted in rows.items():
            part = _TABLE_PART.get(kind)
            got = len(tables[kind])
            if part is not None and got < wanted:
                scales[part] = max(scales.get(part, 1.0), simulated.get(part, 1.0) * margin * wanted / max(got, 1))
        if scales == simulated:
            break
        tables = _Council(period, seed, 1.0, months, scales).build()
    return scales


def generate_exports(directory: str | Path, *, period_end: date = date(2024, 9, 1), seed: int = 2024,
                     scale: float = 1.0, messy: bool = True, months: int = WINDOW_MONTHS,
                     rows: dict[str, int] | None = None) -> ExportsManifest:
    """Write Anytown Council's system exports into ``directory``; returns what was written.

    ``scale`` multiplies every volume (1.0: a mid-sized council). ``months`` is the Annex A window (6, as
    Annex A asks; 12 for a year). ``rows`` asks for exact row counts per table (e.g. ``LARGE_COUNCIL_ROWS``):
    each part of the simulation is scaled to give at least that many (``calibrated_scales``) and the tables
    are then cut down to exactly that many at random, so their mix is kept (a few cross-list links, such as
    every List 3 child being in List 1, no longer hold exactly). With ``messy`` the files carry the mess of
    real exports (see the module docstring); without, one tidy workbook with the spec's headers, real dates
    and bare codes.
    """
    period = Period(period_end)
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    part_scales = calibrated_scales(rows, period_end=period_end, seed=seed, months=months) if rows else None
    council = _Council(period, seed, scale, months, part_scales, rows)
    tables = council.build()
    window_start = period.months_back(months)
    window_start = date.fromordinal(window_start.toordinal() + 1)
    layouts = _messy_layouts(period.snapshot, window_start) if messy else _clean_layouts(period.snapshot)
    manifest = ExportsManifest(directory=folder, period_end=period.end_month, snapshot=period.snapshot, seed=seed,
                               scale=scale, messy=messy)
    stamp = datetime(period.snapshot.year, period.snapshot.month, period.snapshot.day, 7, 45)
    books: dict[str, xlsxwriter.Workbook] = {}
    sheet_numbers: dict[str, int] = {}
    for layout in layouts:
        frame = tables[layout.kind]
        headers, extras, rows = _table_rows(frame, layout)
        manifest.rows[layout.kind] = len(rows)
        manifest.headers[layout.kind] = headers
        manifest.extra_columns[layout.kind] = extras
        manifest.header_rows[layout.kind] = len(layout.title_rows) + 1
        if "child_id" in frame:
            manifest.child_ids[layout.kind] = frozenset(str(c) for c in frame.child_id)
        path = folder / layout.file
        if layout.fmt.startswith("csv"):
            encoding = "cp1252" if layout.fmt == "csv-1252" else "utf-8-sig"
            path.write_bytes(_csv_bytes(layout.title_rows, headers, rows, encoding))
            manifest.locations[layout.kind] = (layout.file, None)
            manifest.files.append(path)
            _stamp_file(path, stamp)
            continue
        if layout.file not in books:
            # Text goes to the shared-strings table, as Excel writes it. XlsxWriter's constant_memory mode
            # would write every text cell inline instead: valid, but not Excel's own form, so Excel rewrites
            # the package on its first save (openxml-audit's Excel_InlineStrCells warning, one per sheet),
            # and this is the first file a new user opens from the demo. The whole workbook is held in
            # memory until it is closed: a large council's year (scripts/bench.py) takes a few hundred MB.
            wb = xlsxwriter.Workbook(str(path), {"default_date_format": "dd/mm/yyyy",
                                                 "strings_to_numbers": False, "strings_to_formulas": False,
                                                 "strings_to_urls": False})
            wb.set_properties({"title": f"{LA_NAME} exports", "author": LA_NAME, "created": stamp})
            books[layout.file] = wb
            sheet_numbers[layout.file] = 0
            manifest.files.append(path)
        wb = books[layout.file]
        sheet_numbers[layout.file] += 1
        name = f"Sheet{sheet_numbers[layout.file]}" if messy else export_label(layout.kind)[:31]
        ws = wb.add_worksheet(name)
        manifest.locations[layout.kind] = (layout.file, name)
        r = 0
        for title in layout.title_rows:
            if title:
                ws.write_string(r, 0, title)
            r += 1
        ws.write_row(r, 0, headers)
        for row in rows:
            r += 1
            ws.write_row(r, 0, row)
    for file, wb in books.items():
        wb.close()
        _stamp_file(folder / file, stamp)
    manifest.text_date_kinds = frozenset(l.kind for l in layouts if l.text_dates or not l.fmt == "xlsx")
    manifest.worker_ids = frozenset(tables["workforce"].worker_id)
    manifest.allocation_worker_ids = frozenset(tables["allocations"].worker_id)
    return manifest


def write_workforce_census_xml(path: str | Path, *, period_end: date = date(2024, 9, 1), seed: int = 2024,
                               scale: float = 1.0, vacancies_fte: float = DEMO_VACANCIES_FTE) -> Path:
    """The same workforce as ``generate_exports`` writes, as the DfE workforce census XML a council submits.

    Workers are ``<CSWWWorker>`` elements (codes for roles, 1/0 for agency, ``Cases30`` left out when 0);
    ``<LALevelVacancies>`` holds the vacancies and the agency FTE/headcount in post at the reference date.
    """
    period = Period(period_end)
    staff = build_workforce(period, seed, scale)
    snapshot = pd.Timestamp(period.snapshot)
    in_post = (staff.start_date <= snapshot) & (staff.leave_date.isna() | (staff.leave_date > snapshot))
    message = ET.Element("Message")
    header = ET.SubElement(message, "Header")
    details = ET.SubElement(header, "CollectionDetails")
    ET.SubElement(details, "Collection").text = "CSWW"
    ET.SubElement(details, "Year").text = str(period.snapshot.year)
    ET.SubElement(details, "ReferenceDate").text = period.snapshot.isoformat()
    source = ET.SubElement(header, "Source")
    ET.SubElement(source, "SourceLevel").text = "L"
    ET.SubElement(source, "LEA").text = "999"
    ET.SubElement(source, "SoftwareCode").text = "Anytown HR"
    ET.SubElement(source, "Release").text = "1.0"
    ET.SubElement(source, "SerialNo").text = "1"
    ET.SubElement(source, "DateTime").text = f"{period.snapshot.isoformat()}T17:00:00"
    vacancies = ET.SubElement(message, "LALevelVacancies")
    agency_now = staff[in_post & staff.agency]
    ET.SubElement(vacancies, "NumberOfVacancies").text = f"{vacancies_fte:.1f}"
    ET.SubElement(vacancies, "NoAgencyFTE").text = f"{agency_now.fte.sum():.1f}"
    ET.SubElement(vacancies, "NoAgencyHeadcount").text = str(len(agency_now))
    workers = ET.SubElement(message, "CSWWWorkers")
    for w in staff.itertuples(index=False):
        el = ET.SubElement(workers, "CSWWWorker")
        ET.SubElement(el, "SWENo").text = w.worker_id
        ET.SubElement(el, "AgencyWorker").text = "1" if w.agency else "0"
        ET.SubElement(el, "OrgRole").text = str(int(w.role))
        ET.SubElement(el, "RoleStartDate").text = w.start_date.date().isoformat()
        if pd.notna(w.leave_date):
            ET.SubElement(el, "RoleEndDate").text = w.leave_date.date().isoformat()
            ET.SubElement(el, "ReasonLeave").text = str(w.leave_reason)
        ET.SubElement(el, "FTE").text = f"{w.fte:.2f}"
        if w.caseload:
            ET.SubElement(el, "Cases30").text = str(int(w.caseload))
    ET.indent(message)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(ET.tostring(message, encoding="utf-8", xml_declaration=True))
    return out
