"""What third-party software the bundle ships, from the build venv's own package metadata (importlib.metadata).

The list of packages is what PyInstaller actually collected: build.spec passes the top-level names of every
bundled module and file to ``distributions_of``, which maps them to installed distributions, and writes
the result to licences/bundled-packages.txt in the bundle (one ``name==version`` a line). Two outputs:

- ``notices``: THIRD-PARTY-NOTICES.txt, every bundled package's name, version, licence and the full text of
  each licence file its wheel ships, then Python's own licence. build.spec puts it in the bundle's
  licences/ folder beside the LGPL texts.
- ``sbom``: a CycloneDX 1.5 JSON software bill of materials (components with purl and licence).

Usage: python scripts/third_party.py notices OUT.txt | sbom OUT.json   [--packages bundled-packages.txt]
(without --packages: pqa-desktop's runtime requirements, followed recursively, markers evaluated here)
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Iterable

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT_DISTRIBUTION = "pqa-desktop"
# Wheels that ship no licence file: the text they are under, kept in the repository's licences/ folder.
LICENCE_TEXT_FALLBACK = {
    "pyside6-essentials": ["LGPL-3.0.txt", "GPL-3.0.txt"],
    "shiboken6": ["LGPL-3.0.txt", "GPL-3.0.txt"],
}
_NOT_SPDX = {"BSD", "PSFL", "GPL", "LGPL", "Apache", "PSF"}
_LICENCE_FILE = re.compile(r"(LICEN[CS]E|COPYING|NOTICE|AUTHORS)", re.IGNORECASE)


@dataclass
class Package:
    name: str
    version: str
    licence: str
    homepage: str
    licence_texts: list[tuple[str, str]] = field(default_factory=list)  # (file name, text)

    @property
    def purl(self) -> str:
        return f"pkg:pypi/{canonicalize_name(self.name)}@{self.version}"


def _licence_of(meta) -> str:
    """The declared licence: the SPDX expression, else the License field (first line), else the classifiers."""
    expression = meta.get("License-Expression")
    if expression:
        return expression.strip()
    declared = (meta.get("License") or "").strip()
    if declared and len(declared) < 100 and "\n" not in declared:
        return declared
    classifiers = [c.split("::")[-1].strip() for c in meta.get_all("Classifier") or [] if c.startswith("License ::")]
    return "; ".join(classifiers) or (declared.splitlines()[0] if declared else "see licence text")


def _homepage(meta) -> str:
    if meta.get("Home-page"):
        return meta["Home-page"]
    for url in meta.get_all("Project-URL") or []:
        label, _, link = url.partition(",")
        if label.strip().lower() in {"homepage", "home", "source", "source code", "repository"}:
            return link.strip()
    return ""


def _licence_texts(dist: metadata.Distribution) -> list[tuple[str, str]]:
    texts = []
    for entry in dist.files or []:
        parts = entry.parts
        in_metadata = parts and parts[0].endswith(".dist-info")
        if in_metadata and (_LICENCE_FILE.search(entry.name) or "licenses" in parts[1:-1]):
            path = Path(dist.locate_file(entry))
            if path.is_file():
                texts.append(("/".join(parts[1:]), path.read_text(encoding="utf-8", errors="replace")))
    return sorted(texts)


def distributions_of(import_names: Iterable[str]) -> list[str]:
    """Installed distributions providing these top-level import names (stdlib names map to none), sorted."""
    providers = metadata.packages_distributions()
    found = {canonicalize_name(d) for name in import_names for d in providers.get(name, [])}
    found.discard(canonicalize_name(ROOT_DISTRIBUTION))
    return sorted(found)


def package(name: str) -> Package:
    dist = metadata.distribution(name)
    meta = dist.metadata
    return Package(meta["Name"], dist.version, _licence_of(meta), _homepage(meta), _licence_texts(dist))


def packages_named(names: Iterable[str]) -> list[Package]:
    return [package(n) for n in sorted({canonicalize_name(n) for n in names})]


def read_package_list(path: Path) -> list[str]:
    """Names from a bundled-packages.txt (``name==version`` lines)."""
    return [line.split("==")[0].strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def package_list_text(packages: list[Package]) -> str:
    return "".join(f"{p.name}=={p.version}\n" for p in packages)


def required_packages(root: str = ROOT_DISTRIBUTION) -> list[Package]:
    """pqa-desktop's runtime requirements, recursively, each once, sorted by name (pqa-desktop itself left out)."""
    environment = default_environment()
    seen: dict[str, metadata.Distribution] = {}
    queue = [root]
    while queue:
        name = canonicalize_name(queue.pop())
        if name in seen:
            continue
        dist = metadata.distribution(name)
        seen[name] = dist
        for text in dist.requires or []:
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate({**environment, "extra": ""}):
                queue.append(requirement.name)
    return packages_named(name for name in seen if name != canonicalize_name(root))


def python_licence() -> str:
    """CPython's own licence text (the interpreter and standard library are in the bundle)."""
    base = Path(sys.base_prefix)
    for candidate in (base / "LICENSE.txt",
                      base / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "LICENSE.txt"):
        if candidate.is_file():
            return candidate.read_text(encoding="utf-8", errors="replace")
    return ("Python is distributed under the Python Software Foundation License Version 2; "
            "see https://docs.python.org/3/license.html\n")


def notices_text(packages: list[Package], licences_dir: Path) -> str:
    rule = "=" * 78
    out = ["PQA Desktop: third-party software notices", "",
           "PQA Desktop itself is MIT-licensed. It ships the packages below, each under its own licence.",
           "Qt and PySide6 are used under the GNU LGPL v3: see LGPL-NOTE.txt for how to replace them.",
           "The executables' start-up code is the PyInstaller bootloader (GPL-2.0 with an exception that",
           "allows distributing it with any program).", ""]
    out += [f"  {p.name} {p.version}  ({p.licence})" for p in packages]
    out += [f"  Python {sys.version.split()[0]}  (PSF-2.0)", ""]
    for p in packages:
        out += [rule, f"{p.name} {p.version}", f"Licence: {p.licence}"]
        if p.homepage:
            out.append(f"Home page: {p.homepage}")
        texts = p.licence_texts or [(f, (licences_dir / f).read_text(encoding="utf-8"))
                                    for f in LICENCE_TEXT_FALLBACK.get(canonicalize_name(p.name), [])]
        for file_name, text in texts:
            out += ["", f"--- {file_name} ---", text.rstrip()]
        out.append("")
    out += [rule, f"Python {sys.version.split()[0]}", "Licence: PSF-2.0", "", python_licence().rstrip(), ""]
    return "\n".join(out)


def cyclonedx(packages: list[Package], product_version: str, timestamp: datetime | None = None) -> dict:
    """A CycloneDX 1.5 SBOM: the product as metadata.component, every bundled package as a library component."""
    if timestamp is None:  # SOURCE_DATE_EPOCH makes the SBOM reproducible, as for the other build outputs
        epoch = os.environ.get("SOURCE_DATE_EPOCH")
        timestamp = datetime.fromtimestamp(int(epoch), timezone.utc) if epoch else datetime.now(timezone.utc)
    stamp = timestamp.replace(microsecond=0)

    def licences(expression: str) -> list[dict]:
        # An SPDX expression ("MIT", "LGPL-3.0-only OR GPL-3.0-only") goes in "expression"; a free-text
        # licence name that is not an SPDX identifier ("BSD", "PSFL") in license.name.
        spdx = re.fullmatch(r"[A-Za-z0-9.+\-]+( (AND|OR) [A-Za-z0-9.+\-]+)*", expression)
        return [{"expression": expression}] if spdx and expression not in _NOT_SPDX else [
            {"license": {"name": expression}}]

    components = [{
        "type": "library", "bom-ref": p.purl, "name": p.name, "version": p.version, "purl": p.purl,
        "licenses": licences(p.licence),
        **({"externalReferences": [{"type": "website", "url": p.homepage}]} if p.homepage else {}),
    } for p in packages]
    python = f"{sys.version_info.major}.{sys.version_info.minor}.{sys.version_info.micro}"
    components.append({"type": "platform", "bom-ref": f"pkg:generic/python@{python}", "name": "python",
                       "version": python, "licenses": [{"license": {"id": "PSF-2.0"}}]})
    product_ref = f"pkg:pypi/pqa-desktop@{product_version}"
    return {
        "bomFormat": "CycloneDX", "specVersion": "1.5",
        "serialNumber": f"urn:uuid:{uuid.uuid4()}", "version": 1,
        "metadata": {
            "timestamp": stamp.isoformat().replace("+00:00", "Z"),
            "tools": {"components": [{"type": "application", "name": "scripts/third_party.py"}]},
            "component": {"type": "application", "bom-ref": product_ref, "name": "PQA Desktop",
                          "version": product_version, "purl": product_ref,
                          "licenses": [{"license": {"id": "MIT"}}]},
        },
        "components": components,
        "dependencies": [{"ref": product_ref, "dependsOn": [c["bom-ref"] for c in components]}],
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["notices", "sbom"])
    parser.add_argument("out", type=Path)
    parser.add_argument("--packages", type=Path, help="bundled-packages.txt written by build.spec")
    args = parser.parse_args(argv)
    root = Path(__file__).resolve().parents[1]
    out = args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    packages = packages_named(read_package_list(args.packages)) if args.packages else required_packages()
    if args.what == "notices":
        out.write_text(notices_text(packages, root / "licences"), encoding="utf-8")
    else:
        sys.path.insert(0, str(root / "scripts"))
        from windows_version import package_version
        out.write_text(json.dumps(cyclonedx(packages, package_version(root)), indent=2) + "\n", encoding="utf-8")
    print(f"{args.what}: {len(packages)} packages -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
