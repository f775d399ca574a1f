"""Shared test set-up: Qt offscreen, and a private app-data folder so tests never touch a real profile."""
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest


@pytest.fixture(autouse=True)
def _private_app_data(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("app-data")
    monkeypatch.setenv("PQA_DESKTOP_HOME", str(home))
    yield home
