"""A job that fails in an app test fails that test at once, with the job's exception, instead of hanging it.

Two ways a failing job used to hang a test: the app's "Something went wrong" dialog (``QMessageBox.critical``)
ran its own modal event loop, which nothing in an offscreen test ever closes, so the test waited forever (not
even its wait's timeout could end it); and a test that recorded the dialogs waited out its whole timeout for a
signal the failed job would never send, then failed with "timed out" and no word of the exception.

``JobGuard`` (made for every test that uses ``qtbot``, by the autouse fixture in ``tests/conftest.py``):

- records each error a job ends with that the app treats as unexpected (the ones it writes a crash report
  for: ``JobRunner`` calls ``write_crash_report``), and each exception raised in a slot that pytest-qt
  captures;
- answers every ``QMessageBox``, dialog (``QDialog.exec``) and file dialog a test has not answered itself
  (the ``message_boxes`` fixture, or its own patch), records it and returns at once, so no modal is left
  open;
- makes the test's waits (``qtbot.wait``, ``waitUntil``, ``waitSignal``, ``waitSignals``, ``waitCallback``)
  stop as soon as one of those is recorded and raise ``JobFailedInTest`` naming it, the job's exception
  chained (its traceback in the report); what is recorded after the last wait fails the test at teardown.

A test that makes a job fail on purpose asks for the ``expected_job_errors`` fixture: the job errors are then
listed there, as ``(kind, exception)``, and do not fail the test.
"""
from __future__ import annotations

import sys
import traceback
import weakref


class JobFailedInTest(Exception):
    """A job ended with an unexpected error, or a dialog nobody answered was shown, while a test waited."""


def _described(exc: BaseException) -> str:
    return "".join(traceback.format_exception_only(type(exc), exc)).strip()


class JobGuard:
    def __init__(self, monkeypatch, qtbot, item, *, expect_job_errors: bool):
        """``monkeypatch``: the test's own, so that what the test patches over the guard (its answers to the
        message boxes) is undone before the guard's patches, in one order."""
        self.expected: list[tuple[str, BaseException]] = []  # the job errors a test asked for
        self.problems: list[tuple[str, BaseException | None]] = []  # what fails the test: (what, exception)
        self._reported = 0
        self._expect = expect_job_errors
        self._blockers: weakref.WeakSet = weakref.WeakSet()  # the waits of this test that may be running
        self._capture = getattr(item, "qt_exception_capture_manager", None)
        self._captured = 0  # slot exceptions pytest-qt had captured when last looked at
        self._patch_crash_reports(monkeypatch)
        self._patch_message_boxes(monkeypatch)
        self._patch_waits(monkeypatch, qtbot)
        if self._capture is not None:  # a slot's exception: told at once, pytest-qt still reports it
            hook = sys.excepthook

            def excepthook(*args, _hook=hook):
                _hook(*args)
                self._stop_waits()

            monkeypatch.setattr(sys, "excepthook", excepthook)

    # ------------------------------------------------------------------ what is recorded
    def _patch_crash_reports(self, monkeypatch) -> None:
        from pqa_desktop.app import job_runner

        real = job_runner.write_crash_report

        def write_crash_report(exc, context=None, *args, **kwargs):
            kind = str((context or {}).get("Step", "job"))
            if self._expect:
                self.expected.append((kind, exc))
            else:
                self._problem(f"the {kind} job failed with {_described(exc)}", exc)
            return real(exc, context, *args, **kwargs)

        monkeypatch.setattr(job_runner, "write_crash_report", write_crash_report)

    def _patch_message_boxes(self, monkeypatch) -> None:
        """Every modal the app can open, answered (No, Cancel, nothing chosen) and recorded: a test that expects
        one answers it itself, by a fixture or its own patch, which takes the place of this one."""
        from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox

        answers = {"question": QMessageBox.StandardButton.No}
        for kind in ("warning", "critical", "information", "question"):
            def unanswered(parent, title, text, *args, _kind=kind, **kwargs):
                self._problem(f"a {_kind} message box nobody answered was shown: {title!r}: {text!r}", None)
                return answers.get(_kind, QMessageBox.StandardButton.Ok)

            monkeypatch.setattr(QMessageBox, kind, staticmethod(unanswered))

        def exec_unanswered(dialog, *args, **kwargs):
            self._problem(f"a dialog nobody answered was shown: {type(dialog).__name__} "
                          f"{dialog.windowTitle()!r}", None)
            return QDialog.DialogCode.Rejected

        monkeypatch.setattr(QDialog, "exec", exec_unanswered)
        monkeypatch.setattr(QMessageBox, "exec", exec_unanswered)
        for name, nothing in (("getOpenFileName", ("", "")), ("getOpenFileNames", ([], "")),
                              ("getSaveFileName", ("", "")), ("getExistingDirectory", "")):
            def choose_nothing(*args, _name=name, _nothing=nothing, **kwargs):
                self._problem(f"a file dialog nobody answered was shown: QFileDialog.{_name}", None)
                return _nothing

            monkeypatch.setattr(QFileDialog, name, staticmethod(choose_nothing))

    def _problem(self, what: str, exc: BaseException | None) -> None:
        self.problems.append((what, exc))
        self._stop_waits()

    def _stop_waits(self) -> None:
        for blocker in list(self._blockers):
            loop = getattr(blocker, "_loop", None)
            if loop is not None and loop.isRunning():
                blocker._quit_loop_by_timeout()  # noqa: SLF001 - what its own timeout calls

    # ------------------------------------------------------------------ the waits
    def check(self) -> None:
        """Raise ``JobFailedInTest`` for the first problem not yet raised (a job's error chained to it)."""
        captured = getattr(self._capture, "exceptions", ())
        for _type, value, _tb in captured[self._captured:]:
            self.problems.append((f"a slot raised {_described(value)}", value))
        self._captured = len(captured)
        if self._reported < len(self.problems):
            new, self._reported = self.problems[self._reported:], len(self.problems)
            cause = next((exc for _, exc in new if exc is not None), None)
            raise JobFailedInTest("; then ".join(what for what, _ in new)) from cause

    def _patch_waits(self, monkeypatch, qtbot) -> None:
        guard = self
        wait_until = qtbot.waitUntil

        def guarded_wait(ms):  # as qtbot.wait, its blocker known here so that a job's error ends it
            __tracebackhide__ = True
            from pytestqt.wait_signal import MultiSignalBlocker

            guard.check()
            blocker = MultiSignalBlocker(timeout=ms, raising=False)
            guard._blockers.add(blocker)
            blocker.wait()
            guard.check()

        def guarded_wait_until(callback, *, timeout=5000):
            __tracebackhide__ = True

            def checked():
                guard.check()  # not an AssertionError: waitUntil passes it on at once
                return callback()

            wait_until(checked, timeout=timeout)

        monkeypatch.setattr(qtbot, "wait", guarded_wait)
        monkeypatch.setattr(qtbot, "waitUntil", guarded_wait_until)
        monkeypatch.setattr(qtbot, "wait_until", guarded_wait_until)
        for name in ("waitSignal", "waitSignals", "waitCallback"):
            make = getattr(qtbot, name)
            guarded = self._guarded_blocker(make)
            monkeypatch.setattr(qtbot, name, guarded)
            monkeypatch.setattr(qtbot, {"waitSignal": "wait_signal", "waitSignals": "wait_signals",
                                        "waitCallback": "wait_callback"}[name], guarded)

    def _guarded_blocker(self, make):
        guard = self

        def guarded(*args, **kwargs):
            blocker = make(*args, **kwargs)
            # held weakly, here and in its own wait: a test may let go of a blocker (and the job's result in
            # its args) and check that it is freed, and the app freezes what is alive after each job
            # (gc.freeze), so a reference cycle through the blocker would never be collected
            guard._blockers.add(blocker)
            ref = weakref.ref(blocker)

            def wait():
                __tracebackhide__ = True
                guard.check()  # a job that failed before the wait began
                try:
                    type(ref()).wait(ref())
                except Exception:
                    guard.check()  # a wait stopped for a job's error says that, not "timed out"
                    raise
                guard.check()

            blocker.wait = wait  # __exit__ of the context manager calls self.wait()
            return blocker

        return guarded

    def leftover(self) -> str | None:
        """What was recorded and never raised by a wait (the test went on without waiting again)."""
        try:
            self.check()
        except JobFailedInTest as exc:
            cause = exc.__cause__
            detail = "".join(traceback.format_exception(cause)) if cause is not None else ""
            return f"{exc}\n{detail}"
        return None
