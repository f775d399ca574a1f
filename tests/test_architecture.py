"""The architecture as tests: no Qt outside pqa_desktop/app (napari-style), the import rules of .importlinter
(each shown able to fail), no private names taken across modules, and docs/architecture.md true to the tree."""
import ast
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import grimp
import pytest
from importlinter.adapters.building import GraphBuilder
from importlinter.application import use_cases
from importlinter.application.app_config import settings
from importlinter.configuration import configure

import pqa_desktop

ROOT = Path(pqa_desktop.__file__).parent


def test_no_qt_import_outside_app():
    offenders = []
    for path in ROOT.rglob("*.py"):
        if "app" in path.relative_to(ROOT).parts[:1]:
            continue
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            stripped = line.strip()
            if stripped.startswith(("import PySide6", "from PySide6", "import shiboken6", "from shiboken6")):
                offenders.append(f"{path.relative_to(ROOT)}:{lineno}")
    assert not offenders, offenders


def test_core_and_cli_import_without_loading_qt():
    modules = [m.name for m in pkgutil.walk_packages([str(ROOT / "core")], "pqa_desktop.core.")]
    code = ("import sys, importlib\n"
            f"for m in {modules!r} + ['pqa_desktop.cli']: importlib.import_module(m)\n"
            "assert not [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))], 'Qt loaded'\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


# --- the import rules (.importlinter), checked by import-linter -----------------------------------------

REPO = ROOT.parent
CONTRACTS = REPO / ".importlinter"


def _lint(capsys, extra_imports: tuple[tuple[str, str], ...] = (), contract: str | None = None) -> tuple[bool, str]:
    """Whether .importlinter's contracts (only ``contract`` when given) hold on the real import graph with
    ``extra_imports`` (importer, imported) added to it as if the code had them, and import-linter's report."""

    class Planted(GraphBuilder):
        def build(self, *args, **kwargs) -> grimp.ImportGraph:
            graph = super().build(*args, **kwargs)
            for importer, imported in extra_imports:
                graph.add_import(importer=importer, imported=imported, line_number=1, line_contents="planted")
            return graph

    configure()
    settings.configure(GRAPH_BUILDER=Planted())
    try:
        capsys.readouterr()
        passed = use_cases.lint_imports(str(CONTRACTS), limit_to_contracts=(contract,) if contract else (),
                                        cache_dir=None, no_logo=True)
        return passed, capsys.readouterr().out
    finally:
        configure()


def test_the_import_contracts_hold(capsys):
    passed, report = _lint(capsys)
    assert passed, report
    assert "Contracts: 6 kept, 0 broken." in report, report


@pytest.mark.parametrize("contract, importer, imported", [
    ("core-without-qt", "pqa_desktop.core.calendar", "PySide6"),
    ("core-without-qt", "pqa_desktop.core.report.writer", "pqa_desktop.app.main_window"),
    ("core-without-qt", "pqa_desktop.core.pipeline.run", "pqa_desktop.cli"),
    ("cli-without-qt", "pqa_desktop.cli", "shiboken6"),
    ("measures-read-records", "pqa_desktop.core.measures.audits", "pqa_desktop.core.report.writer"),
    ("measures-read-records", "pqa_desktop.core.measures.kpis", "pqa_desktop.core.pipeline.reading"),
    ("measures-read-records", "pqa_desktop.core.measures.workforce", "pqa_desktop.core.exports.reader"),
    ("measures-read-records", "pqa_desktop.core.measures.audit_lists", "pqa_desktop.core.inputs.tables"),
    ("report-reads-measures", "pqa_desktop.core.report.spec", "pqa_desktop.core.returns.template_reader"),
    ("report-reads-measures", "pqa_desktop.core.report.cover", "pqa_desktop.core.inputs.discover"),
    ("report-reads-measures", "pqa_desktop.core.report.kpi_sheets", "pqa_desktop.core.exports.sheet_reader"),
    ("core-layers", "pqa_desktop.core.workspace.store", "pqa_desktop.core.inspect.matching"),
    ("core-layers", "pqa_desktop.core.returns.spec", "pqa_desktop.core.exports.spec"),
    ("core-layers", "pqa_desktop.core.values", "pqa_desktop.core.inputs.tables"),
    ("no-cycles", "pqa_desktop.core.values", "pqa_desktop.core.calendar"),
    ("no-cycles", "pqa_desktop.core.inspect.sources", "pqa_desktop.core.pipeline.run"),
    ("no-cycles", "pqa_desktop.core.report.build", "pqa_desktop.core.report.writer"),
])
def test_a_planted_import_breaks_its_contract(capsys, contract, importer, imported):
    """Each contract can fail: the same check on the real graph with one forbidden import added."""
    assert _lint(capsys, contract=contract)[0]
    passed, report = _lint(capsys, ((importer, imported),), contract=contract)
    assert not passed, report
    assert "BROKEN" in report and "1 broken" in report, report


def test_no_module_imports_another_modules_private_names():
    """Shared helpers go under public names into a module both sides import (a leading underscore means
    "this module's own")."""
    offenders = []
    for path in sorted(ROOT.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                private = [a.name for a in node.names if a.name.startswith("_") and not a.name.startswith("__")]
                if private:
                    offenders.append(f"{path.relative_to(REPO)}:{node.lineno} {private}")
    assert not offenders, offenders


def _architecture_doc_names() -> set[str]:
    text = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    block = text.split("<!-- core-tree -->")[1]
    return set(re.findall(r"^  ([a-z_]+)(?:/|\.py) ", block, re.M))  # an entry; its continuation lines sit deeper


def test_the_architecture_doc_names_every_package_and_basic_of_the_core():
    """docs/architecture.md's tree of core/ is the tree: every package and top-level module, nothing else."""
    core = ROOT / "core"
    on_disk = {p.name for p in core.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    on_disk |= {p.stem for p in core.glob("*.py") if p.stem != "__init__"}
    assert _architecture_doc_names() == on_disk


def test_the_architecture_doc_draws_the_layers_of_the_contract():
    """The diagram's floors are the contract's: each floor of .importlinter's core-layers, in order."""
    contract = CONTRACTS.read_text(encoding="utf-8").split("[importlinter:contract:core-layers]")[1]
    floors = [re.split(r"\s*[|:]\s*", line.strip())
              for line in contract.split("layers =")[1].split("\n\n")[0].strip().splitlines()]
    text = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    diagram = text.split("```mermaid")[1].split("```")[0]
    drawn = [re.findall(r"[a-z_]+", m.group(1)) for m in re.finditer(r'^\s*F\d+\["([^"]*)"\]\s*$', diagram, re.M)]
    assert [sorted(f) for f in drawn] == [sorted(f) for f in floors]
