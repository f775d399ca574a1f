"""The command line: argument parsing and printing only. Everything else is pqa_desktop.core.

Exit status: 0 the workbook was written (findings do not change this); 1 nothing could be written;
2 a bad command line (argparse's own convention).
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from dataclasses import asdict
from datetime import date
from pathlib import Path

from . import __version__
from .core.calendar import Period, last_complete_month
from .core.findings import Finding, Severity
from .core.sending.email_draft import write_email_draft
from .core.encryption import PasswordFileError, read_input_passwords, read_password_file
from .core.sending.output_paths import draft_problem, output_problem
from .core.pipeline.run import LeakFound, BuildOptions, Cancelled, NothingToBuild, analyse, build, headline_summary
from .core.pipeline.readiness import BlankReason, blank_reasons
from .core.report.sections import read_sections_file
from .core.settings import Settings, SettingsError
from .core.values import parse_uk_date
from .core.workspace import Workspace, WorkspaceError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class Progress:
    """Progress on stderr: a bar on a terminal, plain lines otherwise."""

    def __init__(self, stream=None, quiet: bool = False):
        self.stream = stream or sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.quiet = quiet
        self._last: tuple[str, int] | None = None

    def __call__(self, stage: str, done: int, total: int, detail: str = "") -> None:
        if self.quiet:
            return
        if self.tty:
            width = 30
            filled = int(width * done / total) if total else width
            bar = "#" * filled + "-" * (width - filled)
            self.stream.write(f"\r{stage:<9} [{bar}] {done}/{total} {detail[:30]:<30}")
            if done >= total:
                self.stream.write("\n")
            self.stream.flush()
        else:
            # plain lines: one at the start and one at the end of each stage
            if done == 0 or done >= total:
                key = (stage, 0 if done == 0 else 1)
                if key != self._last:
                    state = "started" if done == 0 and total else "done"
                    extra = f" ({detail})" if detail and state == "done" else ""
                    self.stream.write(f"{stage}: {state}{extra}\n")
                    self._last = key


def _period(text: str | None) -> Period:
    if text is None:
        return Period(last_complete_month(date.today()))
    try:
        return Period.parse(text)
    except (ValueError, TypeError):
        raise argparse.ArgumentTypeError(f"--period-end must look like 2024-09, not {text!r}")


def _period_arg(text: str) -> Period:
    return _period(text)


def _date_arg(text: str) -> date:
    try:
        d = parse_uk_date(text)
    except ValueError:
        d = None
    if d is None:
        raise argparse.ArgumentTypeError(f"expected a date such as 2024-10-07, not {text!r}")
    return d


def _positive_int(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = -1
    if n <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, not {text!r}")
    return n


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pqa", description="Build the Performance & Quality Assurance workbook from audit returns and exports.")
    parser.add_argument("--version", action="version", version=f"PQA Desktop {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def common(p: argparse.ArgumentParser) -> None:
        # INPUT may be left out when --workspace is given: the workspace holds earlier imports.
        p.add_argument("inputs", nargs="*", metavar="INPUT",
                       help="files, folders, .zip archives, saved emails (optional with --workspace)")
        p.add_argument("--period-end", type=_period_arg, default=None, metavar="YYYY-MM",
                       help="period end month (default: the last complete month)")
        p.add_argument("--settings", type=Path, metavar="FILE", help="settings TOML file")
        p.add_argument("--workspace", type=Path, metavar="FILE",
                       help="workspace file keeping imported audits, corrections and commentary between runs")
        p.add_argument("--input-passwords", type=Path, metavar="FILE",
                       help="file with one password per line, each tried on every password-protected input")
        p.add_argument("--json", action="store_true", help="print a machine-readable summary on stdout")

    b = sub.add_parser("build", help="build the workbook")
    common(b)
    b.add_argument("-o", "--output", required=True, type=Path, metavar="OUT.xlsx")
    b.add_argument("--la-name", metavar="TEXT")
    b.add_argument("--population", type=_positive_int, metavar="N", help="population aged 0-17")
    b.add_argument("--commentary", type=Path, metavar="FILE", help="Markdown commentary, one '## <section>' each")
    b.add_argument("--messages", type=Path, metavar="FILE", help="Markdown key messages replacing the drafted ones")
    b.add_argument("--include-case-refs", action="store_true", default=None, help="show case references")
    b.add_argument("--include-staff-names", action="store_true", default=None, help="show staff names")
    b.add_argument("--no-feedback-text", action="store_true", help="leave feedback text out")
    b.add_argument("--produced", type=_date_arg, metavar="YYYY-MM-DD", help="date produced (default today)")
    published_options(b)
    b.add_argument("--password-file", type=Path, metavar="FILE",
                   help="file holding the password that encrypts the workbook (never typed on the command line)")
    b.add_argument("--email-draft", type=Path, metavar="OUT.eml",
                   help="also write an email draft (X-Unsent) with the workbook attached")

    v = sub.add_parser("validate", help="check the inputs and print every finding")
    common(v)

    i = sub.add_parser("inspect", help="check a workbook for hidden content and personal data from the inputs")
    i.add_argument("workbook", type=Path, metavar="WORKBOOK.xlsx")
    i.add_argument("inputs", nargs="*", metavar="INPUT", help="the inputs whose identifiers must not appear")
    i.add_argument("--password-file", type=Path, metavar="FILE", help="password of an encrypted workbook")
    i.add_argument("--la-name", metavar="TEXT", help="the LA name expected as author")
    i.add_argument("--period-end", type=_period_arg, default=None, metavar="YYYY-MM")
    i.add_argument("--include-case-refs", action="store_true", help="case references were opted in")
    i.add_argument("--include-staff-names", action="store_true", help="staff names were opted in")

    lk = sub.add_parser("lookup", help="turn an audit key back into the audit (on screen only)")
    lk.add_argument("audit_key", metavar="AUDIT_KEY")
    lk.add_argument("inputs", nargs="*", metavar="INPUT")
    lk.add_argument("--workspace", type=Path, metavar="FILE")
    lk.add_argument("--settings", type=Path, metavar="FILE")

    pg = sub.add_parser("purge", help="remove workspace data older than a number of months")
    pg.add_argument("--workspace", type=Path, metavar="FILE", required=True)
    pg.add_argument("--older-than", type=_positive_int, metavar="MONTHS", required=True)

    t = sub.add_parser("templates", help="write the three auditor templates")
    t.add_argument("directory", type=Path, metavar="DIR")

    d = sub.add_parser("demo", help="build the demo workbook from the bundled sample data")
    d.add_argument("output", type=Path, metavar="OUT.xlsx")
    d.add_argument("--produced", type=_date_arg, metavar="YYYY-MM-DD", help="date produced (default today)")
    d.add_argument("--json", action="store_true", help="print a machine-readable summary on stdout")
    published_options(d)
    return parser


def published_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--council", metavar="NAME-OR-CODE",
                   help="your council (name, 3-digit LA number or 9-character code): adds the DfE's published "
                        "figures for it, its statistical neighbours, region and England")
    p.add_argument("--benchmarks-data", metavar="PATH",
                   help="a newer published-comparators file (from scripts/build_published_comparators.py) or LAIT "
                        "download folder, instead of the one shipped")


def _apply_published(args, settings: Settings) -> None:
    """--council and --benchmarks-data over the settings file; then check them, saying which council and
    which published years the workbook will show. Raises PublishedChoiceError (exit 2) when unusable."""
    from .core.comparators import PublishedDataError, UnknownCouncil, council_comparators, load_published

    if getattr(args, "council", None):
        settings.council = args.council
    if getattr(args, "benchmarks_data", None):
        settings.benchmarks_data = args.benchmarks_data
    try:
        if settings.council:
            found = council_comparators(settings)
            sys.stderr.write(f"published comparators: {found.council_text}, latest years {found.years_text()}\n")
        elif settings.benchmarks_data:
            load_published(settings.benchmarks_data)
            sys.stderr.write("published comparators: not shown without a council (--council NAME-OR-CODE)\n")
    except (PublishedDataError, UnknownCouncil) as exc:
        raise PublishedChoiceError(str(exc)) from exc


class PublishedChoiceError(ValueError):
    """--council or --benchmarks-data (or the settings' council or file) cannot be used."""


def _load_settings(args) -> Settings:
    settings = Settings.load(args.settings) if getattr(args, "settings", None) else Settings()
    if getattr(args, "la_name", None):
        settings.la_name = args.la_name
    if getattr(args, "population", None):
        settings.population_0_17 = args.population
    if getattr(args, "include_case_refs", None):
        settings.include_case_refs = True
    if getattr(args, "include_staff_names", None):
        settings.include_staff_names = True
    if getattr(args, "no_feedback_text", False):
        settings.feedback_text = False
    return settings


# What a finding's message (written for the app too, so it names no option) means on the command line.
COMMAND_LINE_ADVICE = {
    "file.password_protected": "On the command line, put its password in a file given to --input-passwords.",
    "return.template_version": "pqa templates DIR writes the current templates.",
}


def _finding_line(f: Finding) -> str:
    where = " ".join(x for x in (f.file, f"[{f.sheet}]" if f.sheet else "", f.cell) if x)
    advice = COMMAND_LINE_ADVICE.get(f.rule)
    return f"{f.severity.value.upper():7} {f.rule:28} {where}: {f.message}" + (f" {advice}" if advice else "")


def _summarise_findings(findings: list[Finding], stream) -> None:
    counts = Counter(f.severity for f in findings)
    stream.write(f"findings: {counts[Severity.ERROR]} errors, {counts[Severity.WARNING]} warnings, "
                 f"{counts[Severity.INFO]} info\n")
    for f in findings:
        if f.severity is Severity.ERROR:
            stream.write("  " + _finding_line(f) + "\n")


def _blank_reasons_text(reasons: list[BlankReason], stream) -> None:
    """What will be blank and why (settings missing, inputs ending before the period end month)."""
    if not reasons:
        return
    stream.write(f"blank figures: {len(reasons)} reason{'s' if len(reasons) != 1 else ''}\n")
    for reason in reasons:
        stream.write(f"  {reason.what}: {reason.why} {reason.fix}\n")


def _json_summary(analysis, output: Path | None, figures=None, reasons: list[BlankReason] = ()) -> dict:
    counts = Counter(f.severity.value for f in analysis.findings)
    period = analysis.period
    return {
        "inputs": analysis.inputs_used(),
        "findings": {s.value: counts.get(s.value, 0) for s in Severity},
        "output": str(output) if output else None,
        "period_end": period.end_month.strftime("%Y-%m"),
        "period": {"end_month": period.end_month.strftime("%Y-%m"), "trend_start": period.trend_start.strftime("%Y-%m"),
                   "ytd_start": period.ytd_start.strftime("%Y-%m"), "snapshot": period.snapshot.isoformat(),
                   "text": period.description},
        # why figures will be blank: settings that would fill them, inputs ending before the period end month
        "blank_reasons": [asdict(r) for r in reasons],
        "headlines": headline_summary(figures) if figures is not None else [],
        "reading": analysis.reading.as_dict(),  # worker processes or this one; whether the pool fell back
    }


def _warn_if_pool_fell_back(analysis) -> None:
    warning = analysis.reading.warning()
    if warning:
        sys.stderr.write(f"pqa: warning: {warning}\n")


def cmd_build(args, inputs: list, output: Path, settings: Settings, period: Period, produced: date | None,
              commentary: dict, messages: dict, workspace: Workspace | None = None) -> int:
    progress = Progress()
    password = read_password_file(args.password_file) if getattr(args, "password_file", None) else None
    input_passwords = (tuple(read_input_passwords(args.input_passwords))
                       if getattr(args, "input_passwords", None) else ())
    if workspace is not None:
        # The commentary file's sections are kept for this month (and offered again next month); the
        # workspace's own text fills the sections the file does not give.
        for section, text in commentary.items():
            workspace.save_commentary(period.end_month, section, text)
        commentary = {**workspace.commentary_for(period.end_month), **commentary}
    options = BuildOptions(period=period, settings=settings, produced=produced, commentary=commentary,
                           messages=messages, password=password, input_passwords=input_passwords)
    try:
        result = build(inputs, output, options, progress=progress, workspace=workspace)
    except (NothingToBuild, LeakFound) as exc:
        sys.stderr.write(f"pqa: {exc}\n")
        return EXIT_FAILED
    except OSError as exc:
        # OutputNotWritable (report layer) is an OSError subclass with a plain message
        sys.stderr.write(f"pqa: {exc}\n")
        return EXIT_FAILED
    _summarise_findings(result.findings, sys.stderr)
    sys.stderr.write(f"period: {period.description}\n")
    reasons = blank_reasons(result.analysis, settings, period)
    _blank_reasons_text(reasons, sys.stderr)
    _warn_if_pool_fell_back(result.analysis)
    sys.stderr.write(f"wrote {result.output}\n")
    if getattr(args, "email_draft", None):
        try:
            write_email_draft(args.email_draft, result.output, la_name=settings.la_name,
                              period_label=period.label, headlines=result.figures.headlines,
                              password_protected=password is not None, produced=produced or date.today())
        except OSError as exc:
            sys.stderr.write(f"pqa: the workbook was written, but not the email draft: {exc}\n")
            return EXIT_FAILED
        sys.stderr.write(f"wrote {args.email_draft}\n")
    if args.json:
        print(json.dumps(_json_summary(result.analysis, result.output, result.figures, reasons), indent=2,
                         default=str))
    return EXIT_OK


def cmd_inspect(args) -> int:
    """Exit 1 when the workbook leaks (naming where, never the value), else 0."""
    from .core.encryption import WrongPassword, decrypt_xlsx
    from .core.inspect import WorkbookUnreadable, inspect_with
    from .core.pipeline.run import identifiers_from_inputs

    data = args.workbook.read_bytes()
    if args.password_file:
        try:
            data = decrypt_xlsx(data, read_password_file(args.password_file))
        except WrongPassword:
            sys.stderr.write("pqa: the password in the password file does not open this workbook.\n")
            return EXIT_FAILED
    period = args.period_end or _period(None)
    found = identifiers_from_inputs(args.inputs, period) if args.inputs else identifiers_from_inputs([], period)
    try:
        leaks = inspect_with(data, found, la_name=args.la_name, allow_case_refs=args.include_case_refs,
                             allow_staff_names=args.include_staff_names)
    except WorkbookUnreadable as exc:
        sys.stderr.write(f"pqa: {exc}\n")
        return EXIT_FAILED
    for leak in leaks:
        print(f"LEAK {leak.kind}: {leak.detail}")
    sys.stderr.write(f"{args.workbook.name}: {len(leaks)} leak(s) found\n")
    return EXIT_FAILED if leaks else EXIT_OK


def cmd_lookup(args) -> int:
    """Show the audit behind a key on screen (never written anywhere)."""
    key = args.audit_key.strip().lower()
    matches = []
    if args.workspace is not None:
        with Workspace.open(args.workspace) as ws:
            matches = [(m.template_type, m.reference, m.audit_date, m.file) for m in ws.lookup(key)]
    else:
        from .core.privacy import audit_key
        from .core.runtime.userdata import user_secret

        settings = Settings.load(args.settings) if args.settings else Settings()
        secret = settings.audit_key_secret or user_secret()
        analysis = analyse(args.inputs, Period(date(2100, 1, 1)))
        matches = [(a.template_type, a.reference, a.audit_date, a.source.file if a.source else "")
                   for a in analysis.records.audits
                   if audit_key(secret, a.template_type, a.reference, a.audit_date) == key]
    if not matches:
        sys.stderr.write(f"pqa: no audit has the key {key}. Check the key, and that you are using the same "
                         "workspace or settings (audit-key secret) as the build that showed it.\n")
        return EXIT_FAILED
    for template_type, reference, audit_date, file in matches:
        print(f"{key}: {template_type.replace('_', ' ')} {reference}, audit date {audit_date:%d/%m/%Y}, file {file}")
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """The command line. Run as the program itself (``argv`` None), the process then ends at once."""
    code = run(argv)
    if argv is None:
        _end_process(code)
    return code


def _end_process(code: int) -> None:
    """End the program without tearing the interpreter down object by object: after a council's year that
    took a tenth of a second, and nothing is left to do then (the workbook is written and closed, the
    workspace closed; the output is flushed here). The reading workers are stopped first: ending with a pool
    alive would orphan them for a moment and leave its semaphores for the resource tracker to report; then
    multiprocessing's own exit work runs, as at a normal exit (its fork server's folder in the temporary
    folder is removed)."""
    import os

    from .core.pipeline.reading import shutdown_pool

    shutdown_pool()
    if "multiprocessing.util" in sys.modules:
        sys.modules["multiprocessing.util"]._exit_function()  # what atexit runs; os._exit skips it
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


def parse_args(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """The command line's arguments, a command's options and inputs in any order (``pqa build -o OUT --json
    DIR`` and ``pqa build DIR -o OUT DIR2`` alike): argparse takes the inputs of a command only before or
    after its options, not both, unless the command's own parser reads them intermixed."""
    words = list(sys.argv[1:] if argv is None else argv)
    commands = next((a.choices for a in parser._actions if isinstance(a, argparse._SubParsersAction)), {})
    if words and words[0] in commands:
        args = commands[words[0]].parse_intermixed_args(words[1:])
        args.command = words[0]
        return args
    return parser.parse_args(words)


def _console_safe() -> None:
    """Any file name can be written to the console or a redirect: a Windows console (cp1252) or a redirect
    in ascii cannot encode every name, and printing one raised UnicodeEncodeError after the work was done.
    Characters the stream cannot hold are written as \\u escapes instead (as Python does on stderr)."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(errors="backslashreplace")
            except (OSError, ValueError):
                pass


def _files_read(args) -> dict[str, Path | None]:
    """The files a build reads besides its inputs, by what the user calls them: never written over."""
    return {"the settings file": getattr(args, "settings", None), "the workspace": getattr(args, "workspace", None),
            "the commentary file": getattr(args, "commentary", None),
            "the key messages file": getattr(args, "messages", None),
            "the password file": getattr(args, "password_file", None),
            "the input passwords file": getattr(args, "input_passwords", None)}


def _output_problem(args) -> str | None:
    """What is wrong with where ``build`` or ``demo`` would write, checked before anything is read."""
    if args.command == "demo":
        return output_problem(args.output)
    inputs, others = args.inputs, _files_read(args)
    problem = output_problem(args.output, inputs=inputs, other_files=others)
    if problem is None and getattr(args, "email_draft", None) is not None:
        problem = draft_problem(args.email_draft, workbook=args.output, inputs=inputs, other_files=others)
    return problem


def run(argv: list[str] | None = None) -> int:
    """The command line, returning its exit code (``main`` without ending the process)."""
    _console_safe()
    parser = make_parser()
    args = parse_args(parser, argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    if args.command in ("build", "validate") and not args.inputs and args.workspace is None:
        parser.error(f"{args.command}: give at least one INPUT, or --workspace FILE to use what it holds")
    if args.command in ("build", "demo"):
        problem = _output_problem(args)
        if problem is not None:
            sys.stderr.write(f"pqa: {problem}\n")
            return EXIT_FAILED
    workspace: Workspace | None = None
    try:
        if args.command == "templates":
            from .core.returns.templates import write_templates

            for path in write_templates(args.directory):
                sys.stderr.write(f"wrote {path}\n")
            return EXIT_OK

        if args.command == "demo":
            from .core.sample.demo import DEMO_COMMENTARY, DEMO_PERIOD_END, demo_settings, write_demo_inputs

            settings = demo_settings()
            _apply_published(args, settings)
            with tempfile.TemporaryDirectory(prefix="pqa-demo-") as tmp:
                write_demo_inputs(Path(tmp))
                return cmd_build(args, [tmp], args.output, settings, Period(DEMO_PERIOD_END), args.produced,
                                 dict(DEMO_COMMENTARY), {})

        if args.command == "inspect":
            return cmd_inspect(args)

        if args.command == "purge":
            workspace = Workspace.open(args.workspace)
            removed = workspace.purge(args.older_than, date.today())
            sys.stderr.write(f"removed {removed} import(s) older than {args.older_than} months\n")
            return EXIT_OK

        if args.command == "lookup":
            return cmd_lookup(args)

        settings = _load_settings(args)
        period = args.period_end or _period(None)
        if args.workspace is not None:
            workspace = Workspace.open(args.workspace)

        if args.command == "validate":
            # Validating never changes the workspace: new inputs are read alongside what it holds.
            passwords = read_input_passwords(args.input_passwords) if args.input_passwords else ()
            analysis = analyse(args.inputs, period, progress=Progress(), workspace=workspace, import_new=False,
                               passwords=passwords)
            # With --json, stdout holds the JSON document alone (as build --json): findings go to stderr.
            findings_stream = sys.stderr if args.json else sys.stdout
            for f in analysis.findings:
                findings_stream.write(_finding_line(f) + "\n")
            reasons = blank_reasons(analysis, settings, period)
            _blank_reasons_text(reasons, sys.stderr)
            _warn_if_pool_fell_back(analysis)
            if args.json:
                print(json.dumps(_json_summary(analysis, None, reasons=reasons), indent=2, default=str))
            return EXIT_FAILED if any(f.severity is Severity.ERROR for f in analysis.findings) else EXIT_OK

        _apply_published(args, settings)
        commentary: dict[str, str] = {}
        messages: dict[str, str] = {}
        for path, target in ((args.commentary, commentary), (args.messages, messages)):
            if path is None:
                continue
            sections, findings = read_sections_file(path)
            for f in findings:
                sys.stderr.write(_finding_line(f) + "\n")
            if any(f.severity is Severity.ERROR for f in findings):
                return EXIT_FAILED
            target.update(sections)
        return cmd_build(args, args.inputs, args.output, settings, period, args.produced, commentary, messages,
                         workspace)
    except PasswordFileError as exc:
        sys.stderr.write(f"pqa: {exc}\n")
        return EXIT_USAGE
    except WorkspaceError as exc:
        sys.stderr.write(f"pqa: {exc}\n")
        return EXIT_FAILED
    except (SettingsError, PublishedChoiceError) as exc:
        sys.stderr.write(f"pqa: {exc}\n")
        return EXIT_USAGE
    except Cancelled:
        sys.stderr.write("pqa: cancelled\n")
        return EXIT_FAILED
    except KeyboardInterrupt:
        sys.stderr.write("pqa: interrupted\n")
        return EXIT_FAILED
    finally:
        if workspace is not None:
            workspace.close()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
