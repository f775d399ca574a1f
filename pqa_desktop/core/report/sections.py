"""Report sections and the Markdown files that carry commentary and replacement key messages.

A commentary or messages file has one ``## <section>`` heading per report section with the QA
officer's text under it. Headings are matched leniently (case, spacing, punctuation); an unknown
heading is a finding, not an error that stops the build.
"""
from __future__ import annotations

import re
from pathlib import Path

from ..findings import Finding, FindingSink, register_rule
from ..values import label_key

SECTIONS = (
    "Summary",
    "Audit activity",
    "Overall judgements",
    "Practice domains",
    "Compliance",
    "Identification of harm",
    "Assessment",
    "Child protection",
    "Plans and children in care",
    "Care leavers",
    "Workforce",
    "Fostering",
    "EDT dip sampling",
    "Feedback",
)

RULE_UNKNOWN_SECTION = register_rule(
    "text.unknown_section", "A commentary or messages file has a heading that is not a report section.")
RULE_TEXT_UNREADABLE = register_rule(
    "text.unreadable", "A commentary or messages file could not be read as text.")

_BY_KEY = {label_key(s): s for s in SECTIONS}


def parse_sections(text: str, sink: FindingSink) -> dict[str, str]:
    """Split Markdown into {section: text}. Text before the first heading is ignored with a finding."""
    sections: dict[str, list[str]] = {}
    current: str | None = None
    preamble = False
    for lineno, line in enumerate(text.splitlines(), start=1):
        m = re.match(r"^\s*##\s+(.+?)\s*#*\s*$", line)
        if m:
            name = _BY_KEY.get(label_key(m.group(1)))
            if name is None:
                sink.warning(RULE_UNKNOWN_SECTION,
                             f'"{m.group(1).strip()}" is not a report section, so the text under it is not used. '
                             f"Use one of: {', '.join(SECTIONS)}.", cell=f"line {lineno}")
            current = name
            if name is not None:
                sections.setdefault(name, [])
            continue
        if current is not None:
            sections[current].append(line)
        elif line.strip() and not line.lstrip().startswith("# "):
            preamble = True
    if preamble:
        sink.info(RULE_UNKNOWN_SECTION, "Text before the first '## <section>' heading is not used.")
    return {k: "\n".join(v).strip() for k, v in sections.items() if "\n".join(v).strip()}


def read_sections_file(path: str | Path) -> tuple[dict[str, str], list[Finding]]:
    path = Path(path)
    sink = FindingSink(path.name)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        sink.error(RULE_TEXT_UNREADABLE, f"The file could not be read ({exc.strerror or exc}). Check the path.")
        return {}, sink.findings
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes almost anything
        sink.error(RULE_TEXT_UNREADABLE, "The file is not text. Save it as plain text (UTF-8) Markdown.")
        return {}, sink.findings
    return parse_sections(text, sink), sink.findings


def message_lines(text: str) -> list[str]:
    """Replacement key messages: one message per non-empty line, list bullets removed."""
    out = []
    for line in text.splitlines():
        line = re.sub(r"^\s*(?:[-*\u2022]|\d+[.)])\s+", "", line).strip()
        if line:
            out.append(line)
    return out
