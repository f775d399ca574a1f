"""Shared test set-up: Qt offscreen, and a private app-data folder so tests never touch a real profile."""
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest


@pytest.fixture(autouse=True)
def _private_app_data(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("app-data")
    monkeypatch.setenv("PQA_DESKTOP_HOME", str(home))
    yield home


# Slow modules in which nothing starts a worker process (readers fuzzed, the package scan against its
# reference, SIGKILL during imports, speed equivalences, scaling): CI's Windows-emulation leg, which runs
# the suite again with spawn forced, leaves them out with the tests marked `once` (`-m "not once"`);
# `make test` runs them.
RUN_ONCE_MODULES = {"test_fuzz_readers.py", "test_package_scan.py", "test_workspace_kill.py",
                    "test_inspect_speed_equivalence.py", "test_lazy_reading.py", "test_scaling.py"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.path.name in RUN_ONCE_MODULES:
            item.add_marker(pytest.mark.once)
