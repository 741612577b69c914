"""The installable console in a real Chromium on a phone-sized screen: Chromium accepts the
manifest and its icons, the service worker activates, keeps no operator page in its cache,
shows the offline page (in the operator's language) when the network is gone and lets the
console load again when it is back."""

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from chat.models import Dialog, Participant, Site, Visitor
from operators.models import Account, Operator

pytestmark = pytest.mark.browser

SCREENS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screens" / "replies"
PHONE = {"width": 390, "height": 844}
OFFLINE_WORDS = {
    "en": ("You are offline", "The console will reconnect when the network is back.", "Try again"),
    "ru": (
        "Нет подключения к сети",
        "Консоль подключится снова, как только появится сеть.",
        "Повторить",
    ),
}


@pytest.fixture
def operator(password, request):
    account = Account.objects.create(name="E2E PWA")
    site = Site.objects.create(account=account, name="PWA shop", widget_key="e2e-pwa")
    operator = Operator.objects.create(
        user=get_user_model().objects.create_user("vera", password=password),
        account=account,
        display_name="Vera",
        language=request.node.callspec.params["language"],
    )
    site.operators.add(operator)
    visitor = Visitor.objects.create(site=site, animal="blue-fox", name="Secret Customer")
    dialog = Dialog.objects.create(
        account=account, site=site, visitor=visitor, number=1, status=Dialog.Status.ACTIVE,
        last_message_text="my card number is 4111",
    )  # fmt: skip
    Participant.objects.create(dialog=dialog, operator=operator)
    return operator


CACHED_URLS = """async () => {
  const urls = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) urls.push(name + " " + new URL(request.url).pathname);
  }
  return urls;
}"""

ICON_CHECK = """async (icons) => Promise.all(icons.map(async (icon) => {
  const response = await fetch(icon.src, {cache: "no-store"});
  const bitmap = await createImageBitmap(await response.blob());
  return [icon.sizes, response.status, response.headers.get("content-type"),
          bitmap.width + "x" + bitmap.height];
}))"""


@pytest.mark.parametrize("language", ["en", "ru"])
def test_console_installs_works_offline_and_comes_back(
    asgi_server, disk_profile_context, operator, log_in, language
):
    SCREENS.mkdir(parents=True, exist_ok=True)
    context = disk_profile_context(viewport=PHONE, has_touch=True)
    page = context.pages[0] if context.pages else context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    log_in(page, asgi_server, "vera")

    # The worker activates and takes the console page over.
    state = page.evaluate("navigator.serviceWorker.ready.then(r => r.active.state)")
    assert state == "activated"
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    scope = page.evaluate("navigator.serviceWorker.ready.then(r => r.scope)")
    assert scope == f"{asgi_server}/console/"

    # Chromium reads the manifest without errors, and every icon loads at its size.
    cdp = context.new_cdp_session(page)
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["url"] == f"{asgi_server}/manifest.webmanifest"
    assert manifest["errors"] == []
    installability = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert installability == []
    icons = page.evaluate("fetch('/manifest.webmanifest').then(r => r.json()).then(m => m.icons)")
    for sizes, status, content_type, actual in page.evaluate(ICON_CHECK, icons):
        assert (status, content_type, actual) == (200, "image/png", sizes)

    # An operator's pages are never cached: only the shell and the offline page.
    page.click("#tab-list .row")
    expect(page.locator("#dialog-title")).to_have_text("Secret Customer")
    cached = page.evaluate(CACHED_URLS)
    paths = {entry.split(" ", 1)[1] for entry in cached}
    assert "/console/offline/" in paths and "/static/chat/console.js" in paths
    assert {p for p in paths if not p.startswith("/static/")} == {"/console/offline/"}
    assert len({entry.split(" ", 1)[0] for entry in cached}) == 1  # one cache, versioned

    # No network: the console shows the offline page, in the operator's language.
    context.set_offline(True)
    page.goto(f"{asgi_server}/console/", wait_until="domcontentloaded")
    title, text, button = OFFLINE_WORDS[language]
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    expect(page.get_by_text(text)).to_be_visible()
    expect(page.get_by_role("button", name=button)).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.get_by_text("Secret Customer")).to_have_count(0)
    page.screenshot(path=SCREENS / f"pwa-offline-{language}-phone.png")

    # The network is back: the console loads again (the page reloads by itself).
    context.set_offline(False)
    expect(page.locator("#tab-list .row")).to_contain_text("Secret Customer")
    page.screenshot(path=SCREENS / f"pwa-back-online-{language}-phone.png")

    # After logging out, no page of the operator can come back from the cache offline.
    page.click(".me summary")
    page.get_by_role("button", name="Выйти" if language == "ru" else "Log out").click()
    expect(page.locator("#id_username")).to_be_visible()
    context.set_offline(True)
    page.goto(f"{asgi_server}/console/", wait_until="domcontentloaded")
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    expect(page.get_by_text("Secret Customer")).to_have_count(0)
    context.set_offline(False)
    assert problems == []
