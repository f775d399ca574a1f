#!/usr/bin/env bash
# Smoke-test the built bundle the way a locked-down laptop runs it:
#   - as an unprivileged user (created when CI runs as root), HOME a fresh empty folder;
#   - from a copy of the bundle at a path with spaces and a non-ASCII letter, made read-only: the release
#     zip unzipped there when scripts/release.sh made one (its SHA256SUMS checked), else dist/PQA Desktop;
#   - `pqa --version` and `PQA Desktop --version` (also under the C locale);
#   - `pqa demo` and `pqa build` on the sample data, headless, from inside the bundle, outputs read back;
#   - Windows' way of starting workers: `pqa build` again with spawn forced (PQA_START_METHOD) and the pool
#     on (PQA_READ_WORKERS=2), then with the fork server: `--json` must show every input read by a worker
#     process (the frozen executable starting copies of itself through freeze_support()), no fall-back,
#     the same workbook byte for byte, no leaked-semaphore warning and no process left behind;
#   - the app started offscreen with the sample inputs (its workers spawned, as on Windows) and still
#     running after 30 s (then ended by TERM, which closes its window), its log saying workers read the
#     inputs, no leaked-semaphore warning;
#   - nothing written anywhere but HOME and the output folder (bundle listing compared before/after, and,
#     as root, a search of the whole file system for files the smoke user created).
# Also checks the bundle's contents (licences, data files, only the Qt plugins we keep, one shared Python
# archive), its size (under 150 MB, as scripts/release.sh), that Qt gives the same collation, case mapping,
# time zone and codec results with the bundle's cut ICU data as with the full (scripts/icu_data.py), and that
# every library the bundle links is either in it or on this system (the ones left to the system are listed).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
BUNDLE=${BUNDLE:-dist/PQA Desktop}
MAX_MB=${PQA_BUNDLE_MAX_MB:-150}  # as scripts/release.sh: du -m, MiB rounded up
SMOKE_USER=${SMOKE_USER:-pqa-smoke}
started=$SECONDS
fail() { echo "bundle smoke test FAILED: $*" >&2; exit 1; }
step() { echo "[$((SECONDS - started)) s] $*"; }

test -x "$BUNDLE/pqa" && test -x "$BUNDLE/PQA Desktop" || fail "no bundle at $BUNDLE (run scripts/build_bundle.sh)"
version=$("$PY" -c "import sys; sys.path.insert(0, 'scripts'); from windows_version import package_version; \
from pathlib import Path; print(package_version(Path('.')))")

# --- contents and size ---------------------------------------------------------------------------
size_mb=$(du -sm "$BUNDLE" | cut -f1)
step "bundle size ${size_mb} MB (limit ${MAX_MB} MB)"
[ "$size_mb" -le "$MAX_MB" ] || fail "bundle is ${size_mb} MB, over ${MAX_MB} MB"
for f in licences/LGPL-3.0.txt licences/GPL-3.0.txt licences/LGPL-NOTE.txt licences/THIRD-PARTY-NOTICES.txt \
         licences/bundled-packages.txt licences/ICU-NOTE.txt _internal/resources/audit_returns.toml \
         _internal/resources/icon.png "_internal/workbook_templates/Case file audit template.xlsx" \
         _internal/python-modules.pyz; do
  test -s "$BUNDLE/$f" || fail "missing from the bundle: $f"
done
# The Python modules are in the shared archive, not in each executable (build.spec): each is a bootloader.
for exe in pqa "PQA Desktop"; do
  exe_kb=$(( $(wc -c < "$BUNDLE/$exe") / 1024 ))
  [ "$exe_kb" -lt 1024 ] || fail "$exe is $exe_kb KB: the Python modules are embedded again (see build.spec)"
done
grep -qi "^PySide6.Essentials==" "$BUNDLE/licences/bundled-packages.txt" || fail "PySide6 not in bundled-packages.txt"
grep -qi "^defusedxml==" "$BUNDLE/licences/bundled-packages.txt" || fail "defusedxml not bundled"
qt="$BUNDLE/_internal/PySide6"
[ ! -d "$qt/Qt/translations" ] && [ ! -d "$qt/translations" ] || fail "Qt translations were bundled"
plugins=$(cd "$qt" && find . -path '*plugins/*' -type f -printf '%f\n' | sort | tr '\n' ' ')
step "Qt plugins: $plugins"
for p in $plugins; do
  case "$p" in
    libqxcb.so|libqoffscreen.so|libqminimal.so|libcomposeplatforminputcontextplugin.so) ;;
    *) fail "unexpected Qt plugin bundled: $p" ;;
  esac
done
extra_qt=$(cd "$BUNDLE/_internal" && find . -name 'libQt6*' -printf '%f\n' | grep -v -E \
  'libQt6(Core|Gui|Widgets|DBus|XcbQpa)\.so' || true)
[ -z "$extra_qt" ] || fail "unexpected Qt libraries bundled: $extra_qt"

# --- the unprivileged user, a read-only copy at an awkward path ----------------------------------
if [ "$(id -u)" -eq 0 ]; then
  id "$SMOKE_USER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$SMOKE_USER"
  run_as=(runuser -u "$SMOKE_USER" --)
else
  SMOKE_USER=$(id -un)
  run_as=()
fi
work=$(mktemp -d "/tmp/PQA test ü.XXXXXX")
cleanup() { chmod -R u+w "$work" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
chmod 755 "$work"
app_dir="$work/PQA Desktop"
zip=$(ls -t dist/release/PQA-Desktop-*-linux-x64.zip 2>/dev/null | head -1 || true)
if [ -n "$zip" ] && [ "$zip" -nt "$BUNDLE/pqa" ]; then
  (cd dist/release && sha256sum -c --quiet SHA256SUMS) || fail "SHA256SUMS does not match the release files"
  "$PY" scripts/zip_folder.py extract "$zip" "$work" >/dev/null
  for f in "User guide.pdf" "User guide.html" "Auditor templates/EDT dip sample template.xlsx" licences/sbom.cdx.json; do
    test -s "$app_dir/$f" || fail "missing from the release zip: $f"
  done
  step "testing the release zip $(basename "$zip") ($(du -h "$zip" | cut -f1))"
else
  cp -a "$BUNDLE" "$app_dir"
fi
chmod -R a-w "$app_dir"

# --- what the shipped folder links: in it, or on this system ------------------------------------------
# Qt's system libraries (X11, XCB, GLib, fontconfig, FreeType, D-Bus...) are left to the system, as the
# PySide6 wheel leaves them (build.spec); everything else the bundle links must be in it.
"$PY" - "$app_dir" <<'PYEOF' || fail "libraries missing (above)"
import os, re, subprocess, sys
from pathlib import Path
app = Path(sys.argv[1]).resolve()
internal = app / "_internal"
env = dict(os.environ, LD_LIBRARY_PATH=str(internal))
missing, from_system = set(), set()
for path in sorted(p for p in app.rglob("*") if p.is_file() and not p.is_symlink()):
    with open(path, "rb") as f:
        if f.read(4) != b"\x7fELF":
            continue
    listing = subprocess.run(["ldd", str(path)], capture_output=True, text=True, env=env).stdout
    for name, target in re.findall(r"^\s*(\S+) => (.+?)(?: \(0x[0-9a-f]+\))?$", listing, re.MULTILINE):
        if target == "not found":
            missing.add(f"{name} (for {path.relative_to(app)})")
        elif not Path(target).resolve().is_relative_to(app):
            from_system.add(name)
print(f"  from the system: {' '.join(sorted(from_system))}")
for entry in sorted(missing):
    print(f"  not found: {entry}", file=sys.stderr)
sys.exit(1 if missing else 0)
PYEOF
step "every library the bundle links is in it or on this system"

# --- Qt's ICU data: the cut the bundle ships gives Qt the same results as the full data -------------
icu=$(ls "$app_dir"/_internal/PySide6/Qt/lib/libicudata.so.* 2>/dev/null | head -1 || true)
if [ -n "$icu" ]; then
  "$PY" scripts/icu_data.py check "$icu" || fail "Qt behaves differently with the bundle's ICU data"
  step "ICU data: $(( $(wc -c < "$icu") / 1024 )) KB, same results as the full data"
fi
home="$work/home"; out="$work/out ü"; inputs="$work/sample inputs"
mkdir -p "$home/.runtime" "$out"
"$PY" -c "import sys; from pqa_desktop.core.sample.demo import write_demo_inputs; write_demo_inputs(sys.argv[1])" \
  "$inputs"
chmod -R a+rX "$inputs"
chmod 700 "$home/.runtime"
if [ "$(id -u)" -eq 0 ]; then chown -R "$SMOKE_USER" "$home" "$out"; fi
listing() { (cd "$app_dir" && find . -printf '%p %s %T@ %m\n' | sort); }
listing > "$work/before.txt"
marker="$work/marker"; touch "$marker"; sleep 1

# A clean environment: no variables from the build shell leak into the test.
run() {
  "${run_as[@]}" env -i HOME="$home" PATH=/usr/bin:/bin LANG="${SMOKE_LANG:-C.UTF-8}" \
    XDG_RUNTIME_DIR="$home/.runtime" QT_QPA_PLATFORM=offscreen "$@"
}

# --- the executables -------------------------------------------------------------------------------
expected="PQA Desktop $version"
[ "$(run "$app_dir/pqa" --version)" = "$expected" ] || fail "pqa --version is not '$expected'"
[ "$(SMOKE_LANG=C run "$app_dir/pqa" --version)" = "$expected" ] || fail "pqa --version fails under LANG=C"
[ "$(run timeout 20 "$app_dir/PQA Desktop" --version)" = "$expected" ] || fail "PQA Desktop --version"
step "--version: $expected (both executables)"

run "$app_dir/pqa" demo "$out/demo.xlsx" --produced 2024-10-07 >/dev/null 2> "$work/demo.err" \
  || { cat "$work/demo.err" >&2; fail "pqa demo failed"; }
step "pqa demo: $(du -h "$out/demo.xlsx" | cut -f1)"
run "$app_dir/pqa" build "$inputs" -o "$out/report ü.xlsx" --period-end 2024-09 --la-name "Anytown Council" \
  --produced 2024-10-07 --json > "$out/build.json" 2> "$work/build.err" \
  || { cat "$work/build.err" >&2; fail "pqa build failed"; }
step "pqa build: $(du -h "$out/report ü.xlsx" | cut -f1)"
"$PY" - "$out/demo.xlsx" "$out/report ü.xlsx" "$out/build.json" <<'PYEOF'
import json, sys
from openpyxl import load_workbook
for path in sys.argv[1:3]:
    wb = load_workbook(path)
    tables = {name for ws in wb.worksheets for name in ws.tables}
    assert {"tbl_overall_by_month", "tbl_audits", "tbl_kpis"} <= tables, (path, sorted(tables))
    print(f"  {path.rsplit('/', 1)[-1]}: {len(wb.sheetnames)} sheets, {len(tables)} tables")
summary = json.load(open(sys.argv[3], encoding="utf-8"))
assert summary, "pqa build --json printed nothing"
PYEOF

# --- Windows' way of starting workers, in the frozen executable ------------------------------------------
inputs_count=$("$PY" -c "import json, sys; r = json.load(open(sys.argv[1], encoding='utf-8'))['reading']; \
print(r['read_in_workers'] + r['read_in_reading_process'] + r['read_in_process'])" "$out/build.json")
for method in spawn forkserver; do
  run env PQA_START_METHOD=$method PQA_READ_WORKERS=2 "$app_dir/pqa" build "$inputs" -o "$out/report $method.xlsx" \
    --period-end 2024-09 --la-name "Anytown Council" --produced 2024-10-07 --json > "$out/$method.json" \
    2> "$work/$method.err" || { cat "$work/$method.err" >&2; fail "pqa build with $method workers failed"; }
  if grep -q -i -E "traceback|leaked|resource_tracker|pqa: warning" "$work/$method.err"; then
    cat "$work/$method.err" >&2; fail "pqa build with $method workers: a warning or an error on stderr"
  fi
  "$PY" - "$out/$method.json" "$method" "$inputs_count" <<'PYEOF' || fail "the $method workers did not read the inputs"
import json, sys
reading = json.load(open(sys.argv[1], encoding="utf-8"))["reading"]
method, count = sys.argv[2], int(sys.argv[3])
assert reading["start_method"] == method and reading["workers"] == 2, reading
assert reading["read_in_workers"] == count and reading["read_in_reading_process"] == reading["read_in_process"] == 0, reading
assert reading["pool_fell_back"] is False, reading
PYEOF
  cmp -s "$out/report ü.xlsx" "$out/report $method.xlsx" || fail "the workbook built by $method workers differs"
  if [ "$(id -u)" -eq 0 ]; then
    # Nothing of the smoke user's may still run: multiprocessing's helpers (resource tracker, fork server)
    # end within moments of seeing the command gone; an ended process not yet reaped (Z) is not running.
    left=""
    for _ in $(seq 20); do
      left=$(ps -u "$SMOKE_USER" -o pid=,stat=,args= | awk '$2 !~ /^Z/' || true)
      [ -z "$left" ] && break
      sleep 0.5
    done
    [ -z "$left" ] || fail "processes left behind by pqa build with $method workers: $left"
  fi
  step "pqa build, $method workers: all $inputs_count inputs read by 2 worker processes, same workbook, clean exit"
done

# --- the app, started for real -------------------------------------------------------------------
set +e
# 30 s: the spawned workers of a busy CI machine take up to 10 s to start and read the sample.
run env PQA_START_METHOD=spawn PQA_READ_WORKERS=2 timeout -s TERM 30 "$app_dir/PQA Desktop" "$inputs" \
  > "$work/app.out" 2> "$work/app.err"
status=$?
set -e
if grep -q -i -E "traceback|fatal|could not load the qt platform plugin|error while loading shared|leaked" \
     "$work/app.err"; then
  cat "$work/app.err" >&2; fail "the app reported an error on start"
fi
[ "$status" -eq 124 ] || { cat "$work/app.err" >&2; fail "the app exited with $status before 30 s (expected to be running)"; }
app_log="$home/.config/pqa-desktop/pqa-desktop.log"
grep -q -E "check: [0-9]+ inputs; read in workers [1-9][0-9]*; read in the reading process 0; read in the app 0; workers 2 \(spawn" "$app_log" \
  || { cat "$app_log" >&2 2>/dev/null; cat "$work/app.err" >&2; fail "the app's spawned workers did not read the inputs"; }
step "app: started offscreen with the sample inputs, read by spawned workers, running at 30 s, ended by TERM"

# --- nothing written outside HOME and the output folder -----------------------------------------
listing > "$work/after.txt"
diff -q "$work/before.txt" "$work/after.txt" >/dev/null || fail "the bundle folder changed while running"
if [ "$(id -u)" -eq 0 ]; then
  stray=$(find / -xdev \( -path /proc -o -path /sys -o -path /dev -o -path "$home" -o -path "$out" \) -prune \
            -o -user "$SMOKE_USER" -newer "$marker" -print 2>/dev/null || true)
  for fs in /tmp /var/tmp /dev/shm /run; do
    [ -d "$fs" ] && stray+=$(find "$fs" -xdev \( -path "$home" -o -path "$out" \) -prune \
                               -o -user "$SMOKE_USER" -newer "$marker" -print 2>/dev/null || true)
  done
  [ -z "$stray" ] || fail "files written outside HOME and the output folder: $stray"
  step "no files written outside HOME and the output folder"
fi
step "bundle smoke test passed (${size_mb} MB, $((SECONDS - started)) s)"
