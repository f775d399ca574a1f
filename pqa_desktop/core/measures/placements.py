"""Children in care at the snapshot by placement type (Annex A List 8): ``tbl_placement_types``.

List 8 describes each child as at extraction, so the placement type is the child's current one; who
was looked after at the snapshot is decided by the episode dates (started on or before the snapshot,
ceased blank or later), the same rule as ``cic_count``.
"""
from __future__ import annotations

from datetime import date

import pandas as pd

from ..exports.model import ExportTable
from .grades import frame, share

PLACEMENT_TYPE_COLUMNS = ("Placement type", "Children", "Share %")
OTHER_PLACEMENT = "Other"

# measures.md "Placement type groups", in the contract's row order; codes not listed fall into Other.
PLACEMENT_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Foster placement", ("U1", "U2", "U3", "U4", "U5", "U6")),
    ("Placed for adoption", ("A3", "A4", "A5", "A6")),
    ("Placed with parents", ("P1",)),
    ("Independent or semi-independent living", ("P2", "H5")),
    ("Children's home", ("K1", "K2", "K3")),
    ("Other residential setting", ("R1", "R2", "R3", "R5", "S1")),
    (OTHER_PLACEMENT, ()),
)
_GROUP_OF_CODE = {code: label for label, codes in PLACEMENT_GROUPS for code in codes}


def placement_group(code: object) -> str:
    """The group label of a Placement Type code; blanks and unknown codes are ``Other``."""
    if code is None or (isinstance(code, float) and pd.isna(code)):
        return OTHER_PLACEMENT
    return _GROUP_OF_CODE.get(str(code).strip().upper(), OTHER_PLACEMENT)


def looked_after_at(children_in_care: pd.DataFrame, day: date) -> pd.DataFrame:
    """Rows of List 8 looked after on ``day``: started on or before it, ceased blank or after it.

    A child listed twice (two episodes, or a duplicated row) counts once: the row with the latest
    placement start is kept, as the most recent description of where the child lives.
    """
    at = pd.Timestamp(day)
    start = children_in_care["cla_start"]
    ceased = children_in_care["cla_end"] if "cla_end" in children_in_care else pd.Series(pd.NaT, index=start.index)
    open_rows = children_in_care[(start <= at) & (ceased.isna() | (ceased > at))]
    if "child_id" not in open_rows or open_rows.empty:
        return open_rows
    order = "placement_start" if "placement_start" in open_rows else "cla_start"
    ordered = open_rows.sort_values(order, na_position="first", kind="stable")
    with_id = ordered[ordered["child_id"].notna()].drop_duplicates("child_id", keep="last")
    without_id = ordered[ordered["child_id"].isna()]
    return pd.concat([with_id, without_id]).sort_index()


def placement_types_table(children_in_care: ExportTable | None, snapshot: date) -> pd.DataFrame:
    """One row per placement group, every group present, in the contract's order.

    Without List 8 the table has no rows (the report layer says which input would fill it) rather
    than a row of misleading zeros.
    """
    if children_in_care is None:
        return frame([], PLACEMENT_TYPE_COLUMNS, counts=("Children",))
    looked_after = looked_after_at(children_in_care.frame, snapshot)
    codes = looked_after["placement_type"] if "placement_type" in looked_after else [None] * len(looked_after)
    groups = [placement_group(code) for code in codes]
    total = len(groups)
    rows = [{"Placement type": label, "Children": groups.count(label), "Share %": share(groups.count(label), total)}
            for label, _ in PLACEMENT_GROUPS]
    return frame(rows, PLACEMENT_TYPE_COLUMNS, counts=("Children",))
