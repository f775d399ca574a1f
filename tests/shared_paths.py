"""Where the product owners' shared/ folder is: beside the repository (CI clones it there) or /work/shared."""
from pathlib import Path

import pytest

_CANDIDATES = [Path(__file__).resolve().parents[2] / "shared", Path("/work/shared")]


def shared_dir() -> Path:
    for c in _CANDIDATES:
        if (c / "spec").is_dir():
            return c
    pytest.skip("the shared/ folder (contracts, samples) is not beside the repository")


def shared_file(*parts: str) -> Path:
    return shared_dir().joinpath(*parts)
