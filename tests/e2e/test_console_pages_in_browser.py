"""Issue 13, items 2 and 3, in a real Chromium on the stack `make run` serves: Leave dialog
goes back to the list with a toast, error pages stay inside the console, and on a phone
the tab bar shows the current tab (Leads and History sit past its right edge)."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from helpers import DESKTOP, PHONE, dialog_of, open_console, shop_with
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SIZES = {"desktop": DESKTOP, "phone": PHONE}
# (size, console language) pairs.
RUNS = [("desktop", "en"), ("phone", "ru")]
EVERY_RUN = [(size, language) for size in SIZES for language in ("en", "ru")]
LEFT = {"en": "You left dialog #41.", "ru": "Вы покинули диалог #41."}
NOT_FOUND = {"en": "Page not found", "ru": "Страница не найдена"}
BACK = {"en": "Back to conversations", "ru": "Вернуться к переписке"}


def staff(password, language):
    """Olga may neither see nor join colleagues' dialogs; Pavel may both."""
    site, (olga, pavel) = shop_with(
        password, "Shop", "Shop", f"pages-{language}", (("olga", "Olga"), ("pavel", "Pavel")),
        language=language,
    )  # fmt: skip
    pavel.can_see_others = pavel.can_join_others = True
    pavel.save()
    return site, olga, pavel


def serious_a11y_violations(page):
    """axe-core's serious and critical findings (as tests/e2e/test_accessibility.py)."""
    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def csp_violations(page):
    found = []
    page.on("console", lambda m: "Content Security Policy" in m.text and found.append(m.text))
    return found


@pytest.mark.parametrize(("size", "language"), RUNS)
def test_leaving_a_shared_dialog_goes_back_to_the_list_with_a_toast(
    asgi_server, browser, screenshots, log_in, password, size, language
):
    site, olga, pavel = staff(password, language)
    dialog = dialog_of(site, olga, 41, "blue-fox", text="Can you help?")
    dialog_of(site, olga, 42, "red-panda", text="Another question")
    from chat.models import Participant

    Participant.objects.create(dialog=dialog, operator=pavel)
    page = open_console(browser, asgi_server, log_in, "olga", viewport=SIZES[size])
    violations = csp_violations(page)
    page.goto(f"{asgi_server}/console/dialogs/{dialog.id}/")

    page.click(".dialog-foot .dialog-menu summary")
    page.click("#leave-dialog")

    # Not the dialog (she may not read a colleague's dialog now): her list, and a notice.
    expect(page).to_have_url(f"{asgi_server}/console/")
    toast = page.locator("#message-toasts .toast")
    expect(toast).to_have_attribute("role", "status")
    expect(toast).to_have_text(re.compile(re.escape(LEFT[language])))
    expect(page.locator(".topbar .tabs")).to_be_visible()
    expect(page.locator("#tab-list .row")).to_have_count(1)  # #42 is still hers
    page.screenshot(path=screenshots / f"leave-toast-{language}-{size}.png")
    toast.hover()  # it stays while the pointer is on it
    assert serious_a11y_violations(page) == []
    page.mouse.move(0, 0)
    # It goes by itself.
    expect(toast).to_have_count(0, timeout=15_000)
    assert violations == []
    page.context.close()


@pytest.mark.parametrize(("size", "language"), EVERY_RUN)
def test_error_pages_stay_in_the_console_with_a_way_back(
    asgi_server, browser, screenshots, log_in, password, size, language
):
    site, olga, pavel = staff(password, language)
    colleagues = dialog_of(site, pavel, 50, "grey-wolf", text="Hello")
    page = open_console(browser, asgi_server, log_in, "olga", viewport=SIZES[size])
    violations = csp_violations(page)

    response = page.goto(f"{asgi_server}/console/dialogs/999999/")
    assert response.status == 404
    expect(page.locator("#error-title")).to_have_text(NOT_FOUND[language])
    expect(page.locator(".topbar .tabs")).to_be_visible()
    page.screenshot(path=screenshots / f"error-404-{language}-{size}.png")
    assert serious_a11y_violations(page) == []
    page.click("#error-back")
    expect(page).to_have_url(f"{asgi_server}/console/")

    response = page.goto(f"{asgi_server}/console/dialogs/{colleagues.id}/")
    assert response.status == 403
    expect(page.locator(".error-page")).to_be_visible()
    expect(page.locator("#error-back")).to_have_text(BACK[language])
    page.screenshot(path=screenshots / f"error-403-{language}-{size}.png")
    assert violations == []
    page.context.close()


@pytest.mark.parametrize("language", ["en", "ru"])
def test_on_a_phone_the_tab_bar_shows_the_current_tab(
    asgi_server, browser, screenshots, log_in, password, language
):
    site, olga, pavel = staff(password, language)
    page = open_console(browser, asgi_server, log_in, "pavel", viewport=PHONE)
    bar = page.locator(".topbar .tabs")
    for path, name in [("/console/leads/", "leads"), ("/console/history/", "history")]:
        page.goto(asgi_server + path)
        current = bar.locator('[aria-current="page"]')
        expect(current).to_have_attribute("href", path)
        expect(current).to_have_class(re.compile(r"\bactive\b"))
        expect(current).to_be_in_viewport(ratio=1)  # scrolled into view, not cut off
        # Selected at a glance: its own colours, unlike the other tabs.
        other = bar.locator(".tab:not(.active)").first
        assert current.evaluate("e => getComputedStyle(e).backgroundColor") != other.evaluate(
            "e => getComputedStyle(e).backgroundColor"
        )
        # The page itself does not scroll sideways.
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        page.screenshot(path=screenshots / f"tabs-{name}-{language}-phone.png")

    # From Mine, Leads is one swipe and a tap away.
    page.goto(f"{asgi_server}/console/")
    expect(bar.locator('[aria-current="page"]')).to_be_in_viewport(ratio=1)
    bar.evaluate("e => { e.scrollLeft = e.scrollWidth; }")
    leads = bar.locator('a[href="/console/leads/"]')
    expect(leads).to_be_in_viewport(ratio=1)
    leads.click()
    expect(page).to_have_url(f"{asgi_server}/console/leads/")
    expect(bar.locator('[aria-current="page"]')).to_be_in_viewport(ratio=1)
    page.context.close()
