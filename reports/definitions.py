"""docs/reports.md, where every figure of the Reports page is defined once, and its Russian
translation docs/reports.ru.md, shown in the console and the admin (the page links each
figure to its heading's anchor). A small reader for the files' own subset of Markdown:
headings, paragraphs, bullet lists, `code` and **bold**; every piece of text is escaped.

Anchors: an English heading's is GitHub's (lower case, spaces to dashes), so the same links
work on the file in the repository; a heading may name its own with a trailing `{#anchor}`
(Pandoc's and Python-Markdown's attribute syntax), which the Russian file does on every
heading so that the page's links land on the same sections in both languages."""

import re
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils.html import escape
from django.utils.safestring import mark_safe

DOCS = Path(settings.BASE_DIR) / "docs"
SOURCES = {"en": DOCS / "reports.md", "ru": DOCS / "reports.ru.md"}
DEFAULT = "en"
_OWN_ANCHOR = re.compile(r"^(.*?)\s*\{#([a-z0-9-]+)\}$")


def anchor(title: str) -> str:
    slug = re.sub(r"[^\w\- ]", "", title.strip().lower())
    return slug.replace(" ", "-")


def heading(title: str) -> tuple[str, str]:
    """(text, anchor) of a heading's title."""
    own = _OWN_ANCHOR.match(title.strip())
    if own:
        return own.group(1), own.group(2)
    return title.strip(), anchor(title)


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
        match = re.match(r"^(#{1,4}) (.+)$", line)
        if match:
            flush()
            level = len(match.group(1))
            text, slug = heading(match.group(2))
            out.append(f'<h{level} id="{escape(slug)}">{inline(text)}</h{level}>')
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


def language_of(language_code: str | None) -> str:
    """The definitions' language for a page in language_code ("ru", "ru-ru", "en-gb" …)."""
    base = (language_code or DEFAULT).split("-")[0].lower()
    return base if base in SOURCES else DEFAULT


def anchors(language: str) -> list[str]:
    """Every heading's anchor in one language's file, in order."""
    text = SOURCES[language].read_text(encoding="utf-8")
    return [heading(m)[1] for m in re.findall(r"^#{1,4} (.+)$", text, flags=re.M)]


@cache
def html(language_code: str | None = None) -> str:
    language = language_of(language_code)
    return mark_safe(render(SOURCES[language].read_text(encoding="utf-8")))
