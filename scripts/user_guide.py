"""The user guide as HTML and PDF, from docs/user-guide.md, with no Markdown library.

The guide uses a small part of Markdown, and this converter handles exactly that part: ATX headings,
paragraphs, bulleted and numbered lists, > notes, ``` blocks, pipe tables, images, links, **bold**,
*italic* and `code`. The HTML is self-contained (images inlined) so it can be emailed or opened from the
zip; the PDF is Qt's rendering of the same HTML (QTextDocument on QPdfWriter, images read from docs/).

Every output ends with the SHA-256 of the Markdown it came from, so anyone can tell which text a PDF shows.

Usage: python scripts/user_guide.py [--html OUT.html] [--pdf OUT.pdf]   (default: --pdf dist/user-guide.pdf)
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import html
import os
import re
import struct
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "user-guide.md"
MAX_IMAGE_WIDTH = 620  # pixels on an A4 page with the default margins

CSS = """body { font-family: 'Liberation Sans', Arial, sans-serif; font-size: 11pt; line-height: 1.4; max-width: 46em;
  margin: 1em auto; color: #1a1a1a; }
h1 { font-size: 20pt; color: #1F4E79; } h2 { font-size: 15pt; color: #1F4E79; margin-top: 1.4em; }
h3 { font-size: 12pt; } code, pre { font-family: 'Liberation Mono', Consolas, monospace; font-size: 9.5pt; }
pre { background: #f2f2f2; padding: 0.5em; } blockquote { border-left: 4px solid #1F4E79; margin-left: 0;
  padding-left: 0.8em; } table { border-collapse: collapse; } th, td { border: 1px solid #999; padding: 3px 6px;
  text-align: left; vertical-align: top; } img { border: 1px solid #ccc; } .source { color: #595959;
  font-size: 8pt; margin-top: 3em; }"""


def source_digest(markdown: str) -> str:
    return hashlib.sha256(markdown.encode("utf-8")).hexdigest()


def _png_size(path: Path) -> tuple[int, int] | None:
    head = path.read_bytes()[:24]
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    return struct.unpack(">II", head[16:24])


def _inline(text: str, image_src) -> str:
    """Inline Markdown to HTML: escape first, then code, images, links, bold, italic."""
    codes: list[str] = []

    def keep_code(m: re.Match) -> str:
        codes.append(f"<code>{html.escape(m.group(1))}</code>")
        return f"\x00{len(codes) - 1}\x00"

    text = re.sub(r"`([^`]+)`", keep_code, text)
    text = html.escape(text, quote=False)
    text = re.sub(r"!\[([^\]]*)\]\(([^)\s]+)\)", lambda m: image_src(html.unescape(m.group(2)), m.group(1)), text)
    text = re.sub(r"\[([^\]]+)\]\(([^)\s]+)\)", r'<a href="\2">\1</a>', text)
    text = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", text)
    text = re.sub(r"(?<![*\w])\*(?!\s)(.+?)(?<!\s)\*(?![*\w])", r"<em>\1</em>", text)
    return re.sub(r"\x00(\d+)\x00", lambda m: codes[int(m.group(1))], text)


def markdown_to_html(markdown: str, base: Path, inline_images: bool, title: str = "PQA Desktop user guide") -> str:
    def image_src(target: str, alt: str) -> str:
        path = (base / target).resolve()
        if not path.is_file():
            return f'<em>[picture missing: {html.escape(target)}]</em>'
        size = _png_size(path)
        width = f' width="{min(size[0], MAX_IMAGE_WIDTH)}"' if size else ""
        if inline_images:
            src = "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")
        else:
            src = path.as_uri()
        return f'<img src="{src}" alt="{alt}"{width}>'

    out: list[str] = []
    lines = markdown.splitlines()
    i = 0
    paragraph: list[str] = []

    def flush_paragraph() -> None:
        if paragraph:
            out.append(f"<p>{_inline(' '.join(paragraph), image_src)}</p>")
            paragraph.clear()

    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if not stripped:
            flush_paragraph()
            i += 1
        elif stripped.startswith("```"):
            flush_paragraph()
            block = []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith("```"):
                block.append(lines[i])
                i += 1
            out.append(f"<pre>{html.escape(chr(10).join(block))}</pre>")
            i += 1
        elif m := re.match(r"(#{1,4})\s+(.*)", stripped):
            flush_paragraph()
            level = len(m.group(1))
            anchor = re.sub(r"[^a-z0-9]+", "-", m.group(2).lower()).strip("-")
            out.append(f'<h{level} id="{anchor}">{_inline(m.group(2), image_src)}</h{level}>')
            i += 1
        elif stripped.startswith("|"):
            flush_paragraph()
            rows = []
            while i < len(lines) and lines[i].strip().startswith("|"):
                cells = [c.strip() for c in lines[i].strip().strip("|").split("|")]
                if not all(re.fullmatch(r":?-{2,}:?", c) for c in cells):
                    rows.append(cells)
                i += 1
            head, *body = rows
            out.append("<table><tr>" + "".join(f"<th>{_inline(c, image_src)}</th>" for c in head) + "</tr>")
            out += ["<tr>" + "".join(f"<td>{_inline(c, image_src)}</td>" for c in row) + "</tr>" for row in body]
            out.append("</table>")
        elif stripped.startswith(">"):
            flush_paragraph()
            quote = []
            while i < len(lines) and lines[i].strip().startswith(">"):
                quote.append(lines[i].strip()[1:].strip())
                i += 1
            out.append(f"<blockquote><p>{_inline(' '.join(quote), image_src)}</p></blockquote>")
        elif re.match(r"([-*]|\d+\.)\s+", stripped):
            flush_paragraph()
            ordered = bool(re.match(r"\d+\.", stripped))
            items: list[str] = []
            while i < len(lines):
                current = lines[i].strip()
                if m := re.match(r"([-*]|\d+\.)\s+(.*)", current):
                    items.append(m.group(2))
                elif current and lines[i].startswith((" ", "\t")) and items:
                    items[-1] += " " + current  # a wrapped continuation line of the item
                else:
                    break
                i += 1
            tag = "ol" if ordered else "ul"
            out.append(f"<{tag}>" + "".join(f"<li>{_inline(item, image_src)}</li>" for item in items) + f"</{tag}>")
        else:
            paragraph.append(stripped)
            i += 1
    flush_paragraph()
    footer = (f'<p class="source">Made from user-guide.md, SHA-256 {source_digest(markdown)}</p>')
    return ("<!DOCTYPE html>\n<html lang=\"en-GB\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body>\n"
            + "\n".join(out) + "\n" + footer + "\n</body></html>\n")


def write_pdf(markdown_path: Path, out: Path) -> Path:
    """Lay the HTML out on A4 with Qt's own text engine (QTextDocument) and QPdfWriter: QtGui only, so the
    same PySide6 that the bundle uses makes the PDF on Linux and Windows, with no LibreOffice Writer."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QMarginsF, QUrl
    from PySide6.QtGui import QGuiApplication, QPageLayout, QPageSize, QPdfWriter, QTextDocument

    app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])  # noqa: F841 (fonts need it)
    markdown = markdown_path.read_text(encoding="utf-8")
    document = QTextDocument()
    document.setBaseUrl(QUrl.fromLocalFile(str(markdown_path.parent.resolve()) + "/"))
    document.setHtml(markdown_to_html(markdown, markdown_path.parent, inline_images=False))
    out.parent.mkdir(parents=True, exist_ok=True)
    writer = QPdfWriter(str(out))
    writer.setTitle("PQA Desktop user guide")
    writer.setCreator("PQA Desktop (scripts/user_guide.py)")
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageMargins(QMarginsF(18, 16, 18, 16), QPageLayout.Unit.Millimeter)
    document.print_(writer)
    del writer  # the PDF is finished when the writer goes
    if not out.is_file() or out.stat().st_size < 1000:
        raise SystemExit(f"the PDF was not written: {out}")
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Make the user guide's HTML and PDF from docs/user-guide.md.")
    parser.add_argument("--source", type=Path, default=GUIDE)
    parser.add_argument("--html", type=Path, help="write self-contained HTML here")
    parser.add_argument("--pdf", type=Path, help="write the PDF here")
    args = parser.parse_args(argv)
    if not args.html and not args.pdf:
        args.pdf = ROOT / "dist" / "user-guide.pdf"
    if args.html:
        args.html.parent.mkdir(parents=True, exist_ok=True)
        text = markdown_to_html(args.source.read_text(encoding="utf-8"), args.source.parent, inline_images=True)
        args.html.write_text(text, encoding="utf-8")
        print(f"user guide: {args.html}")
    if args.pdf:
        print(f"user guide: {write_pdf(args.source, args.pdf)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
