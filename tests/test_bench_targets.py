"""`make bench` judges every target of issues 6 and 18 (issue 18, items 6 and 7): each figure is printed
with its target and PASS or FAIL, for the start method this system picks and for spawn forced, and the exit
status is 0 only when every target holds. Synthetic figures: no timing happens here."""
from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("pqa_bench", ROOT / "scripts" / "bench.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _runs(cli_wall: float, peak_mb: float = 200.0, methods=("fork", "spawn")) -> dict:
    stages = {"wall": 5.0, "cpu": 6.0, "peak_mb": 500.0,
              "timings": {"discover": 0.1, "read": 1.5, "validate": 0.05, "measure": 0.3, "write": 0.4}}
    runs = {"floor": [{"wall": 2.0, "cpu": 2.0, "seconds": 1.9, "peak_mb": 130.0, "cells": 10}] * 3,
            "naive": [{"wall": 30.0, "cpu": 30.0, "seconds": 29.0, "peak_mb": 250.0, "cells": 10}] * 3}
    for method in methods:
        runs[f"cli_{method}"] = [{"wall": cli_wall, "cpu": 4.0, "peak_mb": peak_mb, "output_bytes": 250_000,
                                  "reading": {"start_method": method}}] * 3
        runs[f"stages_{method}"] = [stages] * 3
    return runs


APP_OK = {"import_p99_ms": 20.0, "import_max_ms": 60.0, "build_p99_ms": 30.0, "build_max_ms": 80.0,
          "rebuild_p99_ms": 25.0, "rebuild_max_ms": 70.0, "p99_stall_ms": 30.0, "max_stall_ms": 80.0,
          "import_s": 3.0, "build_s": 2.0, "rebuild_s": 0.8, "startup_s": 0.7, "startup_from": "python",
          "peak_mb": 380.0}
HOST = {"cpu": "test", "cores": 2, "ram_gb": 8, "python": "3.11", "platform": "linux"}
WORKSPACE = {"fork": {"cli_workspace_s": 1.6, "cli_workspace_cpu": 1.5, "cli_workspace_peak_mb": 200.0},
             "spawn": {"cli_workspace_s": 1.9, "cli_workspace_cpu": 1.8, "cli_workspace_peak_mb": 200.0}}


def _figures(bench, cli_wall=2.8, peak_mb=200.0, app=None, workspace=None, app_skipped=False):
    app = {"fork": dict(APP_OK), "spawn": dict(APP_OK)} if app is None else app
    return bench.summarise(_runs(cli_wall, peak_mb), app, HOST, 1365, 31.6, [1.0, 1.0], 3, ["fork", "spawn"],
                           WORKSPACE if workspace is None else workspace, app_skipped=app_skipped)


def test_every_target_met_exits_zero_and_says_so(bench):
    figures = _figures(bench)
    assert bench.exit_status(figures) == 0
    text = bench.render(figures)
    assert "every target met" in text
    assert "FAIL" not in text
    # each target named with its threshold, for both start methods
    for method in ("fork", "spawn"):
        for target in ("cold build <= 1.5x parse floor", "cold build >= 3x faster than naive",
                       "command line peak memory <= 250 MB", "cold build --workspace after one new return <= 2 s",
                       "app: event loop max stall <= 100 ms", "app: p99 stall <= 50 ms in every phase",
                       "app: peak memory <= 400 MB", "app: re-build after one new return <= 1 s"):
            assert f"PASS  {target} ({method})" in text


@pytest.mark.parametrize("change", ["floor", "memory", "workspace", "stall", "p99", "app_memory", "rebuild"])
def test_one_target_missed_fails_the_run_and_shows_which(bench, change):
    app = {"fork": dict(APP_OK), "spawn": dict(APP_OK)}
    workspace = {m: dict(v) for m, v in WORKSPACE.items()}
    cli_wall, peak = 2.8, 200.0
    if change == "floor":
        cli_wall = 3.1  # 1.55x a 2 s floor: under the old 2x target, over the new 1.5x
    elif change == "memory":
        peak = 284.0
    elif change == "workspace":
        workspace["spawn"]["cli_workspace_s"] = 2.4
    elif change == "stall":
        app["spawn"]["max_stall_ms"] = 150.0
    elif change == "p99":
        app["fork"]["rebuild_p99_ms"] = 60.0  # the re-build phase alone over
    elif change == "app_memory":
        app["fork"]["peak_mb"] = 662.0
    elif change == "rebuild":
        app["spawn"]["rebuild_s"] = 1.7
    figures = _figures(bench, cli_wall, peak, app, workspace)
    assert bench.exit_status(figures) == 1
    text = bench.render(figures)
    assert "FAIL" in text and "targets not met" in text


def test_a_target_not_measured_is_not_a_pass(bench):
    app = {"fork": dict(APP_OK), "spawn": {"error": "the probe crashed"}}
    figures = _figures(bench, app=app)
    assert bench.exit_status(figures) == 1
    assert "FAIL (not measured)" in bench.render(figures)


def test_no_app_leaves_the_app_targets_out_of_the_exit_status_and_says_so(bench):
    figures = _figures(bench, app={}, app_skipped=True)
    assert bench.exit_status(figures) == 0
    text = bench.render(figures)
    assert "skip" in text and "--no-app" in text


def test_spawn_is_forced_through_the_start_method_switch_and_fork_is_left_to_the_system(bench):
    env = {"PATH": "/bin", "PQA_START_METHOD": "forkserver"}
    assert bench.method_env(env, "spawn")["PQA_START_METHOD"] == "spawn"
    assert "PQA_START_METHOD" not in bench.method_env(env, "fork")


def test_the_driver_refuses_to_measure_peaks_it_would_hide(bench, monkeypatch):
    """A child's peak from wait4 starts at the driver's own high-water mark (Linux carries it over the fork to
    the exec): a driver grown past the ceiling would report its own size as every command's peak."""
    monkeypatch.setattr(bench, "own_peak_mb", lambda: bench.MEASURABLE_PEAK_MB + 1)
    with pytest.raises(RuntimeError, match="could not be told from its own"):
        bench.run_child([sys.executable, "-c", "pass"], dict(os.environ))
    monkeypatch.setattr(bench, "own_peak_mb", lambda: bench.MEASURABLE_PEAK_MB - 1)
    assert bench.run_child([sys.executable, "-c", "pass"], dict(os.environ))["peak_mb"] > 0



def test_the_bench_data_follows_every_module_of_the_sample_council(bench, tmp_path):
    """The cached inputs are regenerated when any generator changes, the council's names and teams too."""
    from pqa_desktop.core import sample

    copy = tmp_path / "sample"
    shutil.copytree(Path(sample.__file__).parent, copy, ignore=shutil.ignore_patterns("__pycache__"))
    before = bench.generators_digest(copy)
    assert bench.generators_digest(copy) == before
    council = copy / "council.py"
    council.write_text(council.read_text(encoding="utf-8") + "\n# another team\n", encoding="utf-8")
    assert bench.generators_digest(copy) != before
