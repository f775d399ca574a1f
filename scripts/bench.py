"""Council-scale benchmark (issue 6): `make bench`, or `python scripts/bench.py [--runs 3]`.

Generates a large council's year once (cached in out/bench-data, regenerated only when the parameters or the
generators change), then times, in fresh processes so imports count:

* the cold command line, ``pqa build``, end to end (wall and CPU time, peak memory from ``os.wait4``);
* the same build in-process through ``pipeline.build`` (per-stage seconds from ``BuildResult.timings``), and
  a re-build after adding one new return (warm, in the same process: a full re-read, and through a workspace
  where only the new file is read);
* (a) the parse floor: every input opened and read into Python values with python-calamine (CSV: the ``csv``
  module reading every row; zips and emails: attachments extracted, then parsed the same way);
* (b) a naive baseline: every return read with openpyxl ``load_workbook``, the export workbooks with
  ``pandas.read_excel(engine="openpyxl")`` and CSV with ``pandas.read_csv``.

Runs are interleaved (build, stages, floor, naive, then again) so that load from other work on the machine
falls on all of them alike; the median of ``--runs`` is reported, with CPU seconds beside wall seconds (CPU
time is what a busy machine distorts least). Then the targets, PASS or FAIL, and the UI probe
(``scripts/bench_app.py``) unless ``--no-app``.
"""
from __future__ import annotations

import argparse
import csv
import email
import email.policy
import hashlib
import io
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PERIOD_END = "2024-09"
PRODUCED = "2024-10-07"
SPREADSHEETS = (".xlsx", ".xlsm", ".xls", ".ods")
# The large council's year (issue 6, item 1). Export rows are sample_exports.LARGE_COUNCIL_ROWS.
RETURNS = {"case_file_audits": 1200, "foster_audits": 150, "edt_samples": 12}
EXPORT_MONTHS = 12
SEED = 2024

TARGET_FLOOR_RATIO = 2.0  # build <= 2x the parse floor
TARGET_NAIVE_SPEEDUP = 3.0  # build >= 3x faster than the naive baseline
TARGET_PEAK_MB = 1536.0  # < 1.5 GB
TARGET_OUTPUT_MB = 2.0
TARGET_REBUILD_S = 3.0
TARGET_P99_STALL_MS = 50.0
TARGET_STARTUP_S = 1.5

SETTINGS_TOML = """la_name = "Anytown Council"
population_0_17 = 180000
audit_key_secret = "{secret}"
"""


# ------------------------------------------------------------------------------------------ data

def data_parameters() -> dict:
    """What the cached data depends on: the volumes, and the generators' source (a change regenerates)."""
    from pqa_desktop.core import sample_data, sample_exports

    sources = hashlib.sha256()
    for module in (sample_data, sample_exports):
        sources.update(Path(module.__file__).read_bytes())
    return {"period_end": PERIOD_END, "seed": SEED, "returns": RETURNS, "export_months": EXPORT_MONTHS,
            "export_rows": sample_exports.LARGE_COUNCIL_ROWS, "generators": sources.hexdigest()}


def ensure_data(folder: Path, log) -> dict[str, Path]:
    """The bench inputs in ``folder``, generated once and reused while the parameters are the same."""
    from datetime import date

    from pqa_desktop.core.sample_data import DEMO_SECRET, generate_returns
    from pqa_desktop.core.sample_exports import LARGE_COUNCIL_ROWS, generate_exports

    paths = {"returns": folder / "returns", "exports": folder / "exports", "settings": folder / "settings.toml",
             "new_return": folder / "new-return"}
    params = data_parameters()
    stamp = folder / "parameters.json"
    if stamp.is_file() and json.loads(stamp.read_text(encoding="utf-8")) == params and all(p.exists() for p in paths.values()):
        log(f"bench data: reusing {folder}")
        return paths
    log(f"bench data: generating the large council's year in {folder} (once; a few minutes)...")
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    period_end = date(int(PERIOD_END[:4]), int(PERIOD_END[5:]), 1)
    t0 = time.perf_counter()
    generate_returns(paths["returns"], period_end=period_end, seed=SEED, messy=False, **RETURNS)
    log(f"  returns: {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    generate_exports(paths["exports"], period_end=period_end, seed=SEED, months=EXPORT_MONTHS,
                     rows=LARGE_COUNCIL_ROWS)
    log(f"  exports: {time.perf_counter() - t0:.1f} s")
    # The "one new return" of the re-build: another auditor's case file audit (another seed, so a new case).
    generate_returns(paths["new_return"], period_end=period_end, seed=SEED + 1, messy=False,
                     case_file_audits=1, foster_audits=0, edt_samples=0)
    paths["settings"].write_text(SETTINGS_TOML.format(secret=DEMO_SECRET), encoding="utf-8")
    stamp.write_text(json.dumps(params, indent=1), encoding="utf-8")
    return paths


def input_files(roots: list[Path]) -> list[Path]:
    return sorted(p for root in roots for p in ([root] if root.is_file() else root.rglob("*")) if p.is_file())


# ------------------------------------------------------------------------------------------ references

def _csv_text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _floor_one(name: str, data: bytes) -> int:
    """Cells read from one input with python-calamine (CSV with the csv module); containers opened."""
    from python_calamine import CalamineWorkbook

    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        return sum(len(row) for row in csv.reader(io.StringIO(_csv_text(data))))
    if suffix in SPREADSHEETS:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        return sum(len(row) for sheet in wb.sheet_names for row in wb.get_sheet_by_name(sheet).to_python())
    return sum(_floor_one(member, member_data) for member, member_data in _attachments(name, data))


def _attachments(name: str, data: bytes) -> list[tuple[str, bytes]]:
    suffix = Path(name).suffix.lower()
    if suffix == ".zip":
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return [(i.filename, zf.read(i)) for i in zf.infolist() if not i.is_dir()]
    if suffix == ".eml":
        msg = email.message_from_bytes(data, policy=email.policy.default)
        return [(part.get_filename() or "", part.get_payload(decode=True) or b"") for part in msg.iter_attachments()]
    return []


def _naive_one(name: str, data: bytes, is_list: bool) -> int:
    """Cells read the naive way: openpyxl for returns, pandas(openpyxl) for lists, pandas.read_csv for CSV."""
    import openpyxl
    import pandas as pd

    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        text = _csv_text(data)
        head = list(csv.reader(io.StringIO(text)))[:10]
        skip = next((i for i, row in enumerate(head) if len(row) >= 3), 0)  # title rows above the header
        frame = pd.read_csv(io.StringIO(text), skiprows=skip)
        return frame.size
    if suffix in SPREADSHEETS:
        if is_list:
            frames = pd.read_excel(io.BytesIO(data), sheet_name=None, header=None, engine="openpyxl")
            return sum(f.size for f in frames.values())
        wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
        cells = sum(len(row) for ws in wb.worksheets for row in ws.iter_rows(values_only=True))
        _ = {name: dn.attr_text for name, dn in wb.defined_names.items()}  # the return's fields
        return cells
    return sum(_naive_one(member, member_data, is_list) for member, member_data in _attachments(name, data))


def run_reference(kind: str, returns: Path, exports: Path) -> dict:
    """(child) Read every input as the named reference does; seconds and cells read."""
    t0 = time.perf_counter()
    cells = 0
    for root, is_list in ((returns, False), (exports, True)):
        for path in input_files([root]):
            data = path.read_bytes()
            cells += _floor_one(path.name, data) if kind == "floor" else _naive_one(path.name, data, is_list)
    return {"seconds": time.perf_counter() - t0, "cells": cells}


# ------------------------------------------------------------------------------------------ in-process build

def run_stages(paths: dict[str, Path], out_dir: Path, rebuild: bool) -> dict:
    """(child) pipeline.build in this process: per-stage seconds, then the re-builds after one new return."""
    from datetime import date

    from pqa_desktop.core import pipeline
    from pqa_desktop.core.calendar import Period
    from pqa_desktop.core.settings import Settings

    period = Period(date(int(PERIOD_END[:4]), int(PERIOD_END[5:]), 1))
    options = pipeline.BuildOptions(period=period, settings=Settings.load(paths["settings"]),
                                    produced=date.fromisoformat(PRODUCED))
    inputs = [paths["returns"], paths["exports"]]
    t0 = time.perf_counter()
    result = pipeline.build(inputs, out_dir / "stages.xlsx", options)
    report = {"total": time.perf_counter() - t0, "timings": result.timings,
              "output_bytes": (out_dir / "stages.xlsx").stat().st_size,
              "findings": len(result.findings), "audits": len(result.analysis.records.audits)}
    if not rebuild:
        return report
    # Warm, without a workspace: every input read again with the new one (what a plain rebuild costs).
    with_new = inputs + [paths["new_return"]]
    t0 = time.perf_counter()
    again = pipeline.build(with_new, out_dir / "rebuild.xlsx", options)
    report["rebuild_full_reread"] = time.perf_counter() - t0
    report["rebuild_audits"] = len(again.analysis.records.audits)
    # Through a workspace: imported once (timed), then only the new file is read.
    try:
        from pqa_desktop.core.workspace import Workspace

        with Workspace.open(out_dir / "bench-workspace.sqlite") as ws:
            t0 = time.perf_counter()
            first = pipeline.analyse(inputs, period, workspace=ws)
            report["workspace_first_import"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            analysis = pipeline.analyse(with_new, period, workspace=ws)
            pipeline.build(with_new, out_dir / "rebuild-ws.xlsx", options, analysis=analysis)
            report["rebuild_workspace"] = time.perf_counter() - t0
            report["rebuild_workspace_audits"] = len(analysis.records.audits)
            del first
    except Exception as exc:  # the workspace is another issue's work: report, never fail the bench on it
        report["workspace_error"] = f"{type(exc).__name__}: {exc}"
    return report


# ------------------------------------------------------------------------------------------ child processes

def run_child(argv: list[str], env: dict) -> dict:
    """Run ``argv`` in a fresh process: wall seconds, CPU seconds and peak RSS (its own, from wait4)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, env=env, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, argv))} failed ({proc.returncode}):\n{stderr[-3000:]}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "peak_mb": usage.ru_maxrss / 1024,
            "stdout": stdout}


def cli_command() -> list[str]:
    script = Path(sys.executable).with_name("pqa")
    return [str(script)] if script.exists() else [sys.executable, "-m", "pqa_desktop"]


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="ascii", errors="replace").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {"cpu": cpu, "cores": os.cpu_count(), "ram_gb": round(ram_gb, 1), "python": platform.python_version(),
            "platform": platform.platform(), "load": os.getloadavg()}


# ------------------------------------------------------------------------------------------ the report

def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT / "out" / "bench-data", help="cache folder for the inputs")
    parser.add_argument("--runs", type=int, default=int(os.environ.get("BENCH_RUNS", "3")))
    parser.add_argument("--no-app", action="store_true", help="skip the UI probe (scripts/bench_app.py)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    parser.add_argument("--child", choices=("floor", "naive", "stages"), help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--rebuild", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    paths = {"returns": args.data / "returns", "exports": args.data / "exports",
             "settings": args.data / "settings.toml", "new_return": args.data / "new-return"}
    if args.child in ("floor", "naive"):
        print(json.dumps(run_reference(args.child, paths["returns"], paths["exports"])))
        return 0
    if args.child == "stages":
        print(json.dumps(run_stages(paths, args.out, args.rebuild)))
        return 0

    log = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731
    paths = ensure_data(args.data, log)
    # As installed (pip, the bundle): bytecode compiled once, not on every start. Written here explicitly
    # because a PYTHONDONTWRITEBYTECODE environment would otherwise have every run compile the package.
    import compileall

    compileall.compile_dir(str(ROOT / "pqa_desktop"), quiet=1)
    files = input_files([paths["returns"], paths["exports"]])
    input_mb = sum(p.stat().st_size for p in files) / 2**20
    work = Path(tempfile.mkdtemp(prefix="pqa-bench-"))
    env = dict(os.environ, PQA_DESKTOP_HOME=str(work / "home"), QT_QPA_PLATFORM="offscreen")
    me = [sys.executable, str(Path(__file__).resolve()), "--data", str(args.data)]
    build_argv = cli_command() + ["build", str(paths["returns"]), str(paths["exports"]), "-o",
                                  str(work / "cli.xlsx"), "--period-end", PERIOD_END, "--settings",
                                  str(paths["settings"]), "--produced", PRODUCED]
    runs: dict[str, list[dict]] = {"cli": [], "stages": [], "floor": [], "naive": []}
    loads = [os.getloadavg()[0]]
    try:
        for i in range(args.runs):
            log(f"run {i + 1} of {args.runs}: cold pqa build...")
            runs["cli"].append(run_child(build_argv, env))
            runs["cli"][-1]["output_bytes"] = (work / "cli.xlsx").stat().st_size
            log(f"run {i + 1}: in-process stages{' and re-builds' if i == 0 else ''}...")
            child = run_child(me + ["--child", "stages", "--out", str(work)] + (["--rebuild"] if i == 0 else []), env)
            child.update(json.loads(child.pop("stdout")))
            runs["stages"].append(child)
            for ref in ("floor", "naive"):
                log(f"run {i + 1}: {ref} reference...")
                child = run_child(me + ["--child", ref], env)
                child.update(json.loads(child.pop("stdout")))
                runs[ref].append(child)
            loads.append(os.getloadavg()[0])
        # The cold command line with a workspace: the year imported once, then a fresh `pqa build` with
        # one new return (only it is read; the rest comes back from the workspace).
        log("cold pqa build --workspace after one new return...")
        workspace = ["--workspace", str(work / "cli-workspace.sqlite")]
        run_child(build_argv + workspace, env)
        with_new = build_argv[:build_argv.index("-o")] + [str(paths["new_return"])] + \
            build_argv[build_argv.index("-o"):]
        cli_ws = run_child(with_new + workspace, env)
        runs["stages"][0]["rebuild_cold_cli_workspace"] = cli_ws["wall"]
        app = None
        if not args.no_app:
            log("UI probe (scripts/bench_app.py, offscreen)...")
            try:
                probe = run_child([sys.executable, str(ROOT / "scripts" / "bench_app.py"), "--data",
                                   str(args.data), "--json"], env)
                app = json.loads(probe["stdout"].strip().splitlines()[-1])
            except Exception as exc:  # report it in the table rather than lose the rest
                app = {"error": str(exc)[-2000:]}
    finally:
        shutil.rmtree(work, ignore_errors=True)

    figures = summarise(runs, app, machine(), len(files), input_mb, loads, args.runs)
    print(render(figures))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1, default=str), encoding="utf-8")
    return 0 if all(ok for _, ok in figures["targets"].values() if ok is not None) else 1


def summarise(runs: dict, app: dict | None, host: dict, n_files: int, input_mb: float, loads: list[float],
              n_runs: int) -> dict:
    cli, stages, floor, naive = runs["cli"], runs["stages"], runs["floor"], runs["naive"]
    med = lambda rows, key: _median([r[key] for r in rows])  # noqa: E731
    stage_names = ("discover", "read", "validate", "measure", "write")
    f = {
        "machine": host, "runs": n_runs, "files": n_files, "input_mb": input_mb, "load_during": loads,
        "cli_wall": med(cli, "wall"), "cli_cpu": med(cli, "cpu"), "cli_peak_mb": max(r["peak_mb"] for r in cli),
        "output_mb": med(cli, "output_bytes") / 2**20,
        "stages": {s: _median([r["timings"].get(s, float("nan")) for r in stages]) for s in stage_names},
        "stages_wall": med(stages, "wall"), "stages_cpu": med(stages, "cpu"),
        "stages_peak_mb": max(r["peak_mb"] for r in stages),
        "floor_wall": med(floor, "wall"), "floor_cpu": med(floor, "cpu"), "floor_read": med(floor, "seconds"),
        "floor_peak_mb": max(r["peak_mb"] for r in floor), "floor_cells": floor[0]["cells"],
        "naive_wall": med(naive, "wall"), "naive_cpu": med(naive, "cpu"), "naive_read": med(naive, "seconds"),
        "naive_peak_mb": max(r["peak_mb"] for r in naive), "naive_cells": naive[0]["cells"],
        "rebuild": {k: v for k, v in stages[0].items() if k.startswith(("rebuild", "workspace"))},
        "app": app or {},
    }
    peak = max(f["cli_peak_mb"], f["stages_peak_mb"])
    floor_ratio = f["cli_wall"] / f["floor_wall"]
    naive_speedup = f["naive_wall"] / f["cli_wall"]
    rebuild = f["rebuild"].get("rebuild_workspace")
    a = f["app"]
    f["ratios"] = {"floor_wall": floor_ratio, "floor_cpu": f["cli_cpu"] / f["floor_cpu"],
                   "naive_wall": naive_speedup, "naive_cpu": f["naive_cpu"] / f["cli_cpu"]}
    f["targets"] = {
        f"full build <= {TARGET_FLOOR_RATIO:g}x parse floor": (f"{floor_ratio:.2f}x",
                                                              floor_ratio <= TARGET_FLOOR_RATIO),
        f"full build >= {TARGET_NAIVE_SPEEDUP:g}x faster than naive": (f"{naive_speedup:.2f}x",
                                                                     naive_speedup >= TARGET_NAIVE_SPEEDUP),
        "peak memory < 1.5 GB": (f"{peak:.0f} MB", peak < TARGET_PEAK_MB),
        f"output < {TARGET_OUTPUT_MB:g} MB": (f"{f['output_mb']:.2f} MB", f["output_mb"] < TARGET_OUTPUT_MB),
        f"re-build after one new return < {TARGET_REBUILD_S:g} s (workspace, in-process)": (
            f"{rebuild:.2f} s" if rebuild is not None else "n/a", None if rebuild is None else rebuild < TARGET_REBUILD_S),
        f"re-build after one new return < {TARGET_REBUILD_S:g} s (running app)": (
            f"{a['rebuild_s']:.2f} s" if "rebuild_s" in a else "n/a",
            a["rebuild_s"] < TARGET_REBUILD_S if "rebuild_s" in a else None),
        f"UI p99 stall < {TARGET_P99_STALL_MS:g} ms (import + build)": (
            f"{a['p99_stall_ms']:.1f} ms (max {a['max_stall_ms']:.0f} ms)" if "p99_stall_ms" in a else "n/a",
            a["p99_stall_ms"] < TARGET_P99_STALL_MS if "p99_stall_ms" in a else None),
        f"app start to window shown < {TARGET_STARTUP_S:g} s": (
            f"{a['startup_s']:.2f} s ({a.get('startup_from', '')})" if "startup_s" in a else "n/a",
            a["startup_s"] < TARGET_STARTUP_S if "startup_s" in a else None),
    }
    return f


def render(f: dict) -> str:
    m = f["machine"]
    lines = [
        "",
        "PQA Desktop benchmark: a large council's year (issue 6)",
        f"machine: {m['cpu']}, {m['cores']} cores, {m['ram_gb']} GB RAM, Python {m['python']}, {m['platform']}",
        f"load average (1 min) before/after each run: {', '.join(f'{x:.1f}' for x in f['load_during'])}"
        " (the machine is shared: CPU seconds are the steadier figure)",
        f"inputs: {f['files']} files, {f['input_mb']:.1f} MB; median of {f['runs']} runs; every figure from a "
        "fresh process",
        "",
        f"{'':44}{'wall s':>9}{'CPU s':>9}{'peak MB':>10}",
        f"{'cold `pqa build`, end to end':44}{f['cli_wall']:9.2f}{f['cli_cpu']:9.2f}{f['cli_peak_mb']:10.0f}",
        f"{'pipeline.build in-process (process total)':44}{f['stages_wall']:9.2f}{f['stages_cpu']:9.2f}"
        f"{f['stages_peak_mb']:10.0f}",
    ]
    for stage, seconds in f["stages"].items():
        lines.append(f"{'  ' + stage:44}{seconds:9.2f}")
    lines += [
        f"{'(a) parse floor (python-calamine, csv)':44}{f['floor_wall']:9.2f}{f['floor_cpu']:9.2f}"
        f"{f['floor_peak_mb']:10.0f}   reading alone {f['floor_read']:.2f} s, {f['floor_cells']:,} cells",
        f"{'(b) naive (openpyxl, pandas.read_excel)':44}{f['naive_wall']:9.2f}{f['naive_cpu']:9.2f}"
        f"{f['naive_peak_mb']:10.0f}   reading alone {f['naive_read']:.2f} s, {f['naive_cells']:,} cells",
        "",
        f"output: {f['output_mb'] * 1024:.0f} KB",
        f"build / parse floor: {f['ratios']['floor_wall']:.2f}x wall, {f['ratios']['floor_cpu']:.2f}x CPU",
        f"naive / build:       {f['ratios']['naive_wall']:.2f}x wall, {f['ratios']['naive_cpu']:.2f}x CPU",
    ]
    r = f["rebuild"]
    if r:
        lines.append("re-build after one new return (warm, in-process): "
                     + ", ".join(f"{k.replace('_', ' ')} {v:.2f} s" if isinstance(v, float) else f"{k} {v}"
                                 for k, v in r.items()))
    a = f["app"]
    if a:
        if "error" in a:
            lines.append(f"UI probe failed: {a['error']}")
        else:
            lines.append(
                f"UI probe (offscreen, 10 ms timer): import p99 stall {a['import_p99_ms']:.1f} ms (max "
                f"{a['import_max_ms']:.0f}), build p99 {a['build_p99_ms']:.1f} ms (max {a['build_max_ms']:.0f}); "
                f"import {a['import_s']:.1f} s, build {a['build_s']:.1f} s, re-build after one new return "
                f"{a.get('rebuild_s', float('nan')):.2f} s; start to window shown {a['startup_s']:.2f} s "
                f"({a.get('startup_from', '')})")
    lines += ["", "targets:"]
    for name, (value, ok) in f["targets"].items():
        lines.append(f"  {'n/a ' if ok is None else _verdict(ok)}  {name:62} {value}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
