"""Which of our measures has a published counterpart in the DfE's LAIT data, and where the two differ
(resources/published_comparators.toml)."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache

from ..resources import resource


@dataclass(frozen=True)
class Pairing:
    kpi_id: str
    code: str  # LAIT's Short Desc
    publication: str  # the DfE release, in words
    differs: str  # where the published definition and ours part


@dataclass(frozen=True)
class PairingSpec:
    pairings: tuple[Pairing, ...]
    unpaired: dict[str, str]  # measure id -> why it has no counterpart

    def for_kpi(self, kpi_id: str) -> Pairing | None:
        return next((p for p in self.pairings if p.kpi_id == kpi_id), None)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(p.code for p in self.pairings)


@lru_cache(maxsize=1)
def pairing_spec() -> PairingSpec:
    with open(resource("published_comparators.toml"), "rb") as fh:
        raw = tomllib.load(fh)
    publications = raw["publications"]
    pairings = tuple(Pairing(kpi_id=p["kpi_id"], code=p["code"], publication=publications[p["publication"]],
                             differs=p["differs"]) for p in raw["pairing"])
    return PairingSpec(pairings=pairings, unpaired=dict(raw.get("unpaired", {})))
