"""The chat frame's script is native ES modules served as static files, with no build step
(static/chat/widget.js, the entry, and static/chat/widget/). The browser resolves a
module's relative imports against the module's own URL, and Django's static storage does
not rewrite them: each import must land on the URL Django serves that file at, with
WhiteNoise's finders (`make run`) and after collectstatic (production) alike."""

import posixpath
import re
from pathlib import Path
from urllib.parse import urljoin

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.urls import reverse

ENTRY = "chat/widget.js"
MODULES_DIR = "chat/widget"
# One line each: import ... from "x"; import "x"; export ... from "x".
IMPORT_RE = re.compile(
    r"""^(?:(?:import|export)\b[^"'\n;]*?\bfrom|import)\s*["']([^"']+)["']""", re.MULTILINE
)


def source(path: str) -> str:
    found = finders.find(path)
    assert found, f"no static file {path}"
    return Path(found).read_text(encoding="utf-8")


def module_graph() -> dict[str, list[tuple[str, str]]]:
    """Every module reachable from the entry: path -> [(specifier, resolved path)]."""
    graph, todo = {}, [ENTRY]
    while todo:
        path = todo.pop()
        if path in graph:
            continue
        graph[path] = []
        for specifier in IMPORT_RE.findall(source(path)):
            assert specifier.startswith(("./", "../")), f"{path}: {specifier} is not relative"
            target = posixpath.normpath(posixpath.join(posixpath.dirname(path), specifier))
            graph[path].append((specifier, target))
            todo.append(target)
    return graph


def test_the_frame_runs_the_entry_as_a_module_between_its_classic_scripts(client, site):
    """human-size.js (window.humanSize) runs before the modules and widget-leads.js (which
    needs window.LiveWidget) after them: deferred and module scripts run in page order."""
    html = client.get(reverse("widget", args=[site.widget_key])).content.decode()
    human_size = html.index(f'<script src="{static("chat/human-size.js")}" defer></script>')
    entry = html.index(f'<script type="module" src="{static(ENTRY)}"></script>')
    leads = html.index(f'<script src="{static("leads/widget-leads.js")}" defer></script>')
    assert human_size < entry < leads


def test_every_import_lands_on_the_url_django_serves_the_file_at():
    graph = module_graph()
    for path, imports in graph.items():
        for specifier, target in imports:
            assert urljoin(static(path), specifier) == static(target), (path, specifier)


def test_every_module_of_the_folder_is_used():
    folder = Path(finders.find(MODULES_DIR))
    on_disk = {f"{MODULES_DIR}/{p.name}" for p in folder.glob("*.js")}
    assert on_disk == set(module_graph()) - {ENTRY}


@pytest.mark.django_db
def test_the_modules_are_served_as_javascript(client):
    """A browser runs a module script only with a JavaScript MIME type."""
    for path in module_graph():
        response = client.get(static(path))
        assert response.status_code == 200, path
        assert response["Content-Type"].startswith("text/javascript"), path


def test_no_widget_module_is_over_400_lines():
    for path in module_graph():
        assert source(path).count("\n") <= 400, path
