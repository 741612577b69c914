"""docs/reports.md, where every figure of the Reports page is defined once, shown in the
console (the page links each figure to its heading's anchor). A small reader for the
file's own subset of Markdown: headings, paragraphs, bullet lists, `code` and **bold**;
every piece of text is escaped. Anchors are GitHub's (lower case, spaces to dashes), so
the same links work on the file in the repository."""

import re
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils.html import escape
from django.utils.safestring import mark_safe

SOURCE = Path(settings.BASE_DIR) / "docs" / "reports.md"


def anchor(title: str) -> str:
    slug = re.sub(r"[^\w\- ]", "", title.strip().lower())
    return slug.replace(" ", "-")


def inline(text: str) -> str:
    html = escape(text)
    html = re.sub(r"`([^`]+)`", r"<code>\1</code>", html)
    return re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", html)


def render(markdown: str) -> str:
    out, paragraph, items = [], [], []

    def flush():
        if paragraph:
            out.append(f"<p>{inline(' '.join(paragraph))}</p>")
            paragraph.clear()
        if items:
            out.append("<ul>" + "".join(f"<li>{inline(i)}</li>" for i in items) + "</ul>")
            items.clear()

    for line in markdown.splitlines():
        heading = re.match(r"^(#{1,4}) (.+)$", line)
        if heading:
            flush()
            level, title = len(heading.group(1)), heading.group(2).strip()
            out.append(f'<h{level} id="{anchor(title)}">{inline(title)}</h{level}>')
        elif line.startswith("- "):
            if paragraph:
                flush()
            items.append(line[2:].strip())
        elif line.startswith("  ") and items:
            items[-1] += " " + line.strip()
        elif not line.strip():
            flush()
        else:
            if items:
                flush()
            paragraph.append(line.strip())
    flush()
    return "\n".join(out)


@cache
def html() -> str:
    return mark_safe(render(SOURCE.read_text(encoding="utf-8")))
