"""The auditor-return field spec, loaded from resources/audit_returns.toml (data, not code)."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache

from ..resources import resource

TEMPLATE_TYPES = ("case_file_audit", "foster_carer_audit", "edt_dip_sample")

# The guidance our templates write beside an input whose field has none of its own, and beside an
# evidence cell. The label reader must know every guidance text a template shows, so it is never read
# as the value of a field left blank.
DEFAULT_GUIDANCE = {
    "grade": "Pick a judgement from the list.",
    "yes_no": "Yes, No or Not applicable.",
    "list": "Pick from the list.",
    "date": "dd/mm/yyyy",
    "text": "",
}
EVIDENCE_GUIDANCE = "What you saw on the file that supports the judgement."


@dataclass(frozen=True)
class FieldSpec:
    field: str
    label: str
    type: str  # text, date, grade, yes_no, list
    section: str  # details, domains, compliance, feedback, moderation, columns
    required: bool = False
    list: tuple[str, ...] = ()  # allowed values for list / grade / yes_no fields
    aliases: tuple[str, ...] = ()
    guidance: str = ""
    default: str | None = None
    personal: str | None = None  # "child", "carer" or "staff" when the value identifies a person

    @property
    def defined_name(self) -> str:
        return f"pqa_{self.field}"

    @property
    def evidence_name(self) -> str:
        return f"pqa_{self.field}_evidence"

    @property
    def evidence_label(self) -> str:
        return f"{self.label} \u2014 evidence"

    @property
    def shown_guidance(self) -> str:
        """The guidance a template shows beside this field's input cell."""
        return self.guidance or DEFAULT_GUIDANCE.get(self.type, "")


@dataclass(frozen=True)
class ReturnSpec:
    template_type: str
    title: str
    fields: tuple[FieldSpec, ...]
    identity: tuple[str, ...]
    reference_field: str | None = None
    max_records: int = 0

    def section(self, name: str) -> tuple[FieldSpec, ...]:
        return tuple(f for f in self.fields if f.section == name)

    @property
    def domains(self) -> tuple[FieldSpec, ...]:
        """Practice domains, the overall judgement last (it is in the same section)."""
        return self.section("domains")

    def get(self, name: str) -> FieldSpec:
        for f in self.fields:
            if f.field == name and f.section != "columns":
                return f
        raise KeyError(name)


@dataclass(frozen=True)
class ReturnsSpec:
    version: str
    lists: dict[str, tuple[str, ...]] = field(default_factory=dict)
    returns: dict[str, ReturnSpec] = field(default_factory=dict)


_SECTION_TYPES = {"domains": "grade", "compliance": "yes_no"}
_SECTION_LISTS = {"domains": "grade", "compliance": "yes_no_na"}


@lru_cache(maxsize=1)
def returns_spec() -> ReturnsSpec:
    with open(resource("audit_returns.toml"), "rb") as fh:
        raw = tomllib.load(fh)
    lists = {k: tuple(v) for k, v in raw["lists"].items()}
    returns: dict[str, ReturnSpec] = {}
    for ttype in TEMPLATE_TYPES:
        block = raw[ttype]
        fields: list[FieldSpec] = []
        for section in ("details", "domains", "compliance", "feedback", "moderation", "columns"):
            for item in block.get(section, []):
                ftype = item.get("type", _SECTION_TYPES.get(section, "text"))
                list_name = item.get("list", _SECTION_LISTS.get(section))
                fields.append(FieldSpec(
                    field=item["field"], label=item["label"], type=ftype, section=section,
                    required=bool(item.get("required", False)),
                    list=lists.get(list_name, ()) if list_name else (),
                    aliases=tuple(item.get("aliases", ())), guidance=item.get("guidance", ""),
                    default=item.get("default"), personal=item.get("personal"),
                ))
        returns[ttype] = ReturnSpec(
            template_type=ttype, title=block["title"], fields=tuple(fields),
            identity=tuple(block["identity"]), reference_field=block.get("reference_field"),
            max_records=int(block.get("max_records", 0)),
        )
    return ReturnsSpec(version=str(raw["template_version"]), lists=lists, returns=returns)
