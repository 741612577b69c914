"""The installable console: the web app manifest, the service worker's script and headers,
the offline page, and the links every console page carries."""

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from PIL import Image

pytestmark = pytest.mark.django_db


def worker_config(response):
    found = re.search(r"var CONFIG = (\{.*?\});", response.content.decode())
    assert found, "the worker has no CONFIG"
    return json.loads(found.group(1))


def test_manifest_makes_the_console_installable(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["start_url"] == manifest["scope"] == manifest["id"] == "/console/"
    assert manifest["display"] == "standalone"
    assert manifest["name"] and manifest["short_name"]
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["theme_color"])
    purposes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= purposes


def test_manifest_icons_are_pngs_of_the_stated_size(client):
    manifest = json.loads(client.get("/manifest.webmanifest").content)
    for icon in manifest["icons"]:
        path = finders.find(icon["src"].removeprefix("/static/"))
        assert path, icon["src"]
        with Image.open(path) as image:
            assert image.format == "PNG" and icon["type"] == "image/png"
            assert f"{image.width}x{image.height}" == icon["sizes"]


def test_manifest_speaks_the_browsers_language(client):
    manifest = json.loads(
        client.get("/manifest.webmanifest", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    )
    assert manifest["lang"] == "ru"
    assert manifest["name"] == "Консоль онлайн-чата"


def test_service_worker_is_served_fresh_as_javascript_under_the_console(client):
    url = reverse("console:service_worker")
    # Its scope can be at most the folder it is served from: it must be the console's.
    assert url.startswith("/console/") and url.count("/") == 2
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/javascript")
    assert "no-cache" in response.headers["Cache-Control"]
    assert "Service-Worker-Allowed" not in response.headers  # not needed at this path


def test_service_worker_precaches_only_public_files_and_the_offline_page(client):
    config = worker_config(client.get(reverse("console:service_worker")))
    offline = reverse("console:offline")
    assert config["offline"] == offline and offline in config["shell"]
    assert "/static/chat/console.css" in config["shell"]
    assert "/static/chat/console.js" in config["shell"]
    assert "/static/chat/icons/icon-512.png" in config["shell"]
    # No page or answer that belongs to a logged-in operator.
    private = [url for url in config["shell"] if url != offline and not url.startswith("/static/")]
    assert private == []


def test_every_precached_file_exists(client):
    for url in worker_config(client.get(reverse("console:service_worker")))["shell"]:
        assert client.get(url).status_code == 200, url


def test_cache_name_is_versioned_by_the_shell(client):
    config = worker_config(client.get(reverse("console:service_worker")))
    assert re.fullmatch(r"console-shell-[0-9a-f]{12}", config["cache"])


def test_offline_page_is_public_in_every_language_and_holds_no_session_data(client):
    response = client.get(reverse("console:offline"), HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 200
    html = response.content.decode()
    assert "You are offline" in html and "Нет подключения к сети" in html
    assert "The console will reconnect when the network is back." in html
    assert "Консоль подключится снова, как только появится сеть." in html
    assert html.count('class="btn btn-primary offline-retry"') == 2
    # The Russian text shows without script for a Russian browser.
    assert re.search(r'<section class="offline-text" lang="ru" data-language="ru">', html)
    assert "csrfmiddlewaretoken" not in html
    assert "sessionid" not in response.cookies and "csrftoken" not in response.cookies


def test_console_pages_link_the_manifest_and_register_the_worker(client, make_operator):
    operator = make_operator()
    client.force_login(operator.user)
    html = client.get(reverse("console:mine")).content.decode()
    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert '<meta name="theme-color" content="#2563eb">' in html
    assert re.search(
        r'<script src="/static/chat/pwa\.js" data-worker="/console/sw\.js" '
        r'data-scope="/console/" defer></script>',
        html,
    )
