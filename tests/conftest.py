"""Shared test set-up: Qt offscreen, and a private app-data folder so tests never touch a real profile."""
import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest


@pytest.fixture(autouse=True)
def _private_app_data(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("app-data")
    monkeypatch.setenv("PQA_DESKTOP_HOME", str(home))
    yield home


@pytest.fixture(autouse=True)
def _job_guard(request):
    """In a test that uses ``qtbot``: a job's unexpected error, a slot's exception or a message box nobody
    answered fails the test at once, naming it, instead of hanging it or waiting out a timeout
    (``tests/job_guard.py``)."""
    if "qtbot" not in request.fixturenames:
        yield None
        return
    from tests.job_guard import JobGuard

    guard = JobGuard(request.getfixturevalue("monkeypatch"), request.getfixturevalue("qtbot"), request.node,
                     expect_job_errors="expected_job_errors" in request.fixturenames)
    yield guard
    leftover = guard.leftover()
    if leftover:
        pytest.fail(leftover, pytrace=False)


@pytest.fixture
def expected_job_errors(_job_guard):
    """For a test that makes a job fail on purpose: the unexpected errors its jobs ended with, as
    ``(step, exception)``, listed here rather than failing the test."""
    return _job_guard.expected if _job_guard is not None else []


# Slow modules in which nothing starts a worker process (readers fuzzed, the package scan against its
# reference, SIGKILL during imports, speed equivalences, scaling): CI's Windows-emulation leg, which runs
# the suite again with spawn forced, leaves them out with the tests marked `once` (`-m "not once"`);
# `make test` runs them.
RUN_ONCE_MODULES = {"test_fuzz_readers.py", "test_package_scan.py", "test_workspace_kill.py",
                    "test_inspect_speed_equivalence.py", "test_lazy_reading.py", "test_scaling.py"}


# The modules holding the longest tests (`--durations`), run first so that the two workers end together rather
# than one finishing a 30-second test while the other waits (`make test` runs with --dist worksteal). Only the
# order of whole modules changes: tests are independent of order, and a module's tests stay together, so its
# module-scoped fixtures are built once.
LONGEST_FIRST = ("test_fuzz_readers.py", "test_package_scan.py", "test_workspace_kill.py",
                 "test_inspect_speed_equivalence.py", "test_workbook_quality.py", "test_scaling.py",
                 "test_lazy_reading.py", "test_libreoffice.py", "test_windows_semantics.py", "test_ooxml_valid.py",
                 "test_comparators_builder.py", "test_published_councils.py", "test_published_workbook.py")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.path.name in RUN_ONCE_MODULES:
            item.add_marker(pytest.mark.once)
    rank = {name: n for n, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: the rest keep their order


# ---------------------------------------------------------------- workbooks built once per run

DEMO_PRODUCED = "2024-10-07"


def _built_once(tmp_path_factory, name: str, make) -> Path:
    """``make(path)`` run once per test run, whichever xdist worker asks first; the others wait for it and share
    the file. The file is left read-only, so a test that writes into a shared workbook fails instead of
    changing what the next test reads."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the folder every worker's base temp sits in
    folder = root / "built-once"
    folder.mkdir(exist_ok=True)
    path = folder / name
    done = folder / (name + ".done")
    with open(folder / (name + ".lock"), "wb") as lock:
        _lock(lock)
        if not done.exists():
            make(path)
            if path.is_file():
                path.chmod(0o444)
            done.touch()
    return path


def _lock(handle) -> None:
    try:
        import fcntl
    except ImportError:  # Windows: msvcrt's lock is the same idea
        import msvcrt

        msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)
    else:
        fcntl.flock(handle, fcntl.LOCK_EX)


@pytest.fixture(scope="session")
def shared_demo(tmp_path_factory):
    """``shared_demo(council=None)``: the path of the workbook ``pqa demo --produced 2024-10-07`` writes (for a
    council with ``--council``), built once per run and shared by every module that only reads it."""
    from pqa_desktop.cli import main

    def build(council: str | None = None) -> Path:
        def make(path: Path) -> None:
            extra = ["--council", council] if council else []
            assert main(["demo", str(path), "--produced", DEMO_PRODUCED, *extra]) == 0

        return _built_once(tmp_path_factory, f"demo-{council or 'no-council'}.xlsx".replace(" ", "-"), make)

    return build


def _demo_inputs(tmp_path_factory) -> Path:
    """The folder ``write_demo_inputs`` fills, generated once per run, with its manifest pickled beside it (the
    worker that did not generate it needs the manifest too)."""
    import pickle

    from pqa_desktop.core.sample.demo import write_demo_inputs

    def make(path: Path) -> None:
        manifest = write_demo_inputs(path)
        path.with_name(path.name + ".manifest").write_bytes(pickle.dumps(manifest))

    return _built_once(tmp_path_factory, "demo-inputs", make)


@pytest.fixture(scope="session")
def demo_inputs_copy(tmp_path_factory):
    """``demo_inputs_copy(folder)``: the demo's inputs (``write_demo_inputs``), generated once per run, copied into
    ``folder`` (created; file times kept, as the pipeline reads them) for a test that needs only the folder."""
    import shutil

    source = _demo_inputs(tmp_path_factory)

    def copy(folder: Path) -> Path:
        shutil.copytree(source, folder, dirs_exist_ok=True)
        return folder

    return copy


@pytest.fixture(scope="session")
def shared_demo_inputs(tmp_path_factory):
    """The demo's inputs generated once per run, shared in place, and ``write_demo_inputs``'s manifest of them
    (``manifest.directory`` is the shared folder): for modules that only read the inputs and build from them.
    Nothing may write into this folder (a test that checks the inputs are left unchanged reads it too)."""
    import pickle

    source = _demo_inputs(tmp_path_factory)
    manifest = pickle.loads(source.with_name(source.name + ".manifest").read_bytes())
    assert Path(manifest.directory) == source
    return manifest


# The arguments of the report most modules check: the demo's inputs for September 2024, named and dated.
REPORT_ARGS = ("--period-end", "2024-09", "--la-name", "Anytown Council", "--produced", "2024-10-07")


@pytest.fixture(scope="session")
def shared_report(tmp_path_factory, shared_demo_inputs):
    """``(path, summary)``: the workbook ``pqa build <the demo's inputs> -o report.xlsx`` with ``REPORT_ARGS``
    writes, and the summary its ``--json`` prints, built once per run (read-only, like ``shared_demo``) for the
    modules that check that one report (end to end, OOXML validity, LibreOffice opening every output)."""
    import io
    import json
    from contextlib import redirect_stdout

    from pqa_desktop.cli import main

    def make(path: Path) -> None:
        stdout = io.StringIO()
        with redirect_stdout(stdout):
            status = main(["build", str(shared_demo_inputs.directory), "-o", str(path), *REPORT_ARGS, "--json"])
        assert status == 0
        path.with_name(path.name + ".json").write_text(stdout.getvalue(), encoding="utf-8")

    path = _built_once(tmp_path_factory, "report.xlsx", make)
    return path, json.loads(path.with_name(path.name + ".json").read_text(encoding="utf-8"))
