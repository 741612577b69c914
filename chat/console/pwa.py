"""The installable console: its web app manifest and what its service worker precaches.

The worker (templates/chat/service-worker.js, served at /console/sw.js so its scope is the
console) keeps only these public files and the offline page, never a page or an API answer
of a logged-in operator. The cache name carries a hash of the files, so a deploy that
changes one installs a new worker, which drops the old cache on activation.
"""

import hashlib
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import get_template
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language, gettext

THEME_COLOR = "#2563eb"
BACKGROUND_COLOR = "#f4f6fa"
ICONS = [
    ("chat/icons/icon-192.png", "192x192", "any"),
    ("chat/icons/icon-512.png", "512x512", "any"),
    ("chat/icons/icon-maskable-512.png", "512x512", "maskable"),
]
SHELL_STATIC = [
    "chat/console.css",
    "chat/console.js",
    "chat/pwa.js",
    "chat/offline.css",
    "chat/offline.js",
    *(path for path, _size, _purpose in ICONS),
]
WORKER_TEMPLATE = "chat/service-worker.js"
OFFLINE_TEMPLATE = "chat/offline.html"


def manifest() -> dict:
    console = reverse("console:mine")
    return {
        "id": console,
        "name": gettext("Live chat console"),
        "short_name": gettext("Live chat"),
        "description": gettext("Answer the visitors of your websites."),
        "lang": get_language() or settings.LANGUAGE_CODE,
        "start_url": console,
        "scope": console,
        "display": "standalone",
        "theme_color": THEME_COLOR,
        "background_color": BACKGROUND_COLOR,
        "icons": [
            {"src": static(path), "sizes": size, "type": "image/png", "purpose": purpose}
            for path, size, purpose in ICONS
        ],
    }


def shell_urls() -> list[str]:
    return [static(path) for path in SHELL_STATIC] + [reverse("console:offline")]


@cache
def shell_version() -> str:
    """A hash of the precached files and of the worker and offline page templates."""
    digest = hashlib.sha256()
    files = [finders.find(path) for path in SHELL_STATIC]
    files += [get_template(name).origin.name for name in (WORKER_TEMPLATE, OFFLINE_TEMPLATE)]
    for path in files:
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()[:12]
