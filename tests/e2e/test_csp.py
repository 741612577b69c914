"""The Content-Security-Policy in a real Chromium: every console page, action, the widget,
the demo page and the admin work under it without a single violation, and it stops a
script that got into a page anyway (the second layer behind escaping)."""

import io

import pytest
from django.contrib.auth import get_user_model
from helpers import admin_log_in
from PIL import Image
from playwright.sync_api import expect

from chat.models import BlockedIP, Site
from leads.models import Lead
from operators.models import Account, Operator

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 800}

# Every violation in any page or frame of a context is reported to the test.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (e) {
  window.cspViolation(e.violatedDirective + " blocked " + (e.blockedURI || "inline") +
    " in " + e.documentURI + " (" + e.sourceFile + ":" + e.lineNumber + ")");
});
"""


class Watched:
    """Browser contexts whose CSP violations and console CSP errors are collected."""

    def __init__(self, browser):
        self.browser = browser
        self.violations = []

    def page(self, **options):
        context = self.browser.new_context(viewport=DESKTOP, **options)
        context.expose_binding("cspViolation", lambda _source, text: self.violations.append(text))
        context.add_init_script(REPORT_VIOLATIONS)
        page = context.new_page()
        page.on(
            "console",
            lambda m: "Content Security Policy" in m.text and self.violations.append(m.text),
        )
        return page


@pytest.fixture
def team(password):
    account = Account.objects.create(name="E2E shop")
    site = Site.objects.create(account=account, name="E2E shop", widget_key="e2e-key")
    users = get_user_model().objects
    olga = Operator.objects.create(
        user=users.create_user("olga", password=password), account=account, display_name="Olga"
    )
    pavel = Operator.objects.create(
        user=users.create_user("pavel", password=password), account=account, display_name="Pavel"
    )
    site.operators.add(olga, pavel)
    users.create_superuser("root", password=password)
    return site


# What an escaping bug would put into a page: a handler attribute, an inline script, eval.
INJECT = """() => {
  window.__refused = [];
  document.addEventListener("securitypolicyviolation", function (e) {
    window.__refused.push(e.effectiveDirective);
  });
  document.body.insertAdjacentHTML("beforeend", '<img src=x onerror="window.__xss=1">');
  const script = document.createElement("script");
  script.textContent = "window.__xss = 2";
  document.body.appendChild(script);
  setTimeout("window.__xss = 3");  // a string: compiled like eval, later, by the page
}"""


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "#2563eb").save(buffer, "PNG")
    return buffer.getvalue()


def test_nothing_breaks_under_the_policy(asgi_server, browser, screenshots, team, log_in, password):
    watched = Watched(browser)
    base = asgi_server

    # The demo page: its single-page navigation and the copy button.
    visitor = watched.page()
    visitor.goto(f"{base}/demo/?site=e2e-key&utm_source=csp")
    visitor.click(".js-spa[data-view=catalog]")
    expect(visitor.locator("#demo-view")).to_have_text("Catalogue")
    visitor.click(".js-add")
    expect(visitor.locator("#demo-cart")).to_have_text("1")
    brand = visitor.evaluate(
        "() => getComputedStyle(document.documentElement).getPropertyValue('--brand')"
    )
    assert brand.strip() == team.widget_color  # the site's colour reached the page

    # Nobody online: the offline form.
    offline_page = watched.page()
    offline_page.goto(f"{base}/demo/?site=e2e-key")
    offline_page.click("#livechat-launcher")
    offline = offline_page.frame_locator("#livechat-frame")
    form = offline.locator("#lc-offline-form")
    form.locator("[name=name]").fill("Ivan")
    form.locator("[name=phone]").fill("+7 912 345-67-89")
    form.locator("[name=message]").fill("Call me back")
    form.locator("button[type=submit]").click()
    expect(offline.locator("#lc-offline-done")).to_be_visible()
    offline_page.context.close()

    # Olga and Pavel open their consoles; the widget chats, introduces, sends a picture.
    olga = watched.page()
    log_in(olga, base, "olga")
    pavel = watched.page()
    log_in(pavel, base, "pavel")
    visitor.click("#livechat-launcher")
    widget = visitor.frame_locator("#livechat-frame")
    widget.locator("#lc-input").fill("Hello, is the chair in stock?")
    widget.locator("#lc-input").press("Enter")
    expect(widget.locator(".lc-msg-visitor:not(.lc-pending)").last).to_contain_text("in stock")
    olga.locator("#tab-list .row").first.click()
    olga.click("#connect-dialog")
    olga.fill("#composer-text", "Yes, it is.")
    olga.press("#composer-text", "Enter")
    expect(widget.locator(".lc-msg-operator").last).to_contain_text("Yes, it is.")
    introduce = widget.locator("#lc-introduce")
    introduce.locator("[name=name]").fill("Ivan")
    introduce.locator("button[type=submit]").click()
    expect(olga.locator("#dialog-title")).to_have_text("Ivan")
    widget.locator("#lc-file").set_input_files(
        files=[{"name": "chair.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    expect(olga.locator("#transcript .att-image img")).to_be_visible()
    expect(widget.locator(".lc-att-image img")).to_be_visible()
    olga.locator("#composer-file").set_input_files(
        files=[{"name": "price.txt", "mimeType": "text/plain", "buffer": b"249 EUR"}]
    )
    expect(widget.locator(".lc-att-name").last).to_have_text("price.txt")

    # The visitor card, the page the visitor moves to, the menus, an invitation.
    olga.click("#card-toggle")
    expect(olga.locator("#visitor-card")).to_be_visible()
    visitor.click(".js-spa[data-view=delivery]")
    expect(olga.locator("#card-page")).to_contain_text("Delivery")
    olga.click("details.me summary")
    expect(olga.locator("details.me .menu")).to_be_visible()
    olga.keyboard.press("Escape")
    olga.click(".dialog-menu summary")
    olga.click("#invite-menu summary")
    olga.click(".invite-choice")
    toast = pavel.locator(".toast-invitation")
    toast.locator("[data-answer=accept]").click()
    expect(pavel.locator("#composer-text")).to_be_visible()
    pavel.screenshot(path=screenshots / "csp-dialog-pavel.png")

    # Every tab and list page, the language switch and the status toggle.
    for path in ["/console/", "/console/missed/", "/console/history/", "/console/leads/"]:
        olga.goto(base + path)
        expect(olga.locator(".topbar")).to_be_visible()
    expect(olga.locator("#leads-rows .lead-row")).to_have_count(Lead.objects.count())
    olga.locator("#leads-rows .h-link").first.click()
    expect(olga.locator("#lead-facts")).to_be_visible()
    olga.click("details.me summary")
    olga.click("button[name=language][value=ru]")
    olga.click("details.me summary")
    olga.click("button[name=language][value=en]")
    olga.click("details.me summary")
    olga.click("button[name=status]")

    # Block the visitor from the dialog, then unblock him on the blocked list.
    pavel.click(".dialog-menu summary")
    pavel.click("#block-visitor summary")
    pavel.fill("#block-reason", "Test")
    pavel.click("#block-confirm")
    pavel.goto(f"{base}/console/blocked/")
    expect(pavel.locator("form[action$='/unblock/']")).to_have_count(1)
    pavel.locator("form[action$='/unblock/'] button").first.click()
    expect(pavel.locator("#message-toasts .toast")).to_be_visible()
    assert not BlockedIP.objects.exists()

    # The admin: log in, a change list, a change form saved, an action.
    admin = watched.page()
    admin_log_in(admin, base, password)
    admin.goto(f"{base}/admin/chat/site/{team.id}/change/")
    admin.fill("#id_greeting", "Hello from the admin")
    admin.click("input[name=_save]")
    expect(admin.locator(".messagelist")).to_contain_text("changed successfully")
    admin.goto(f"{base}/admin/leads/lead/")
    admin.locator("input.action-select").first.check()
    admin.select_option("select[name=action]", "delete_selected")
    admin.click("button[name=index]")
    admin.click("input[type=submit]")  # "Yes, I'm sure"
    expect(admin.locator(".messagelist")).to_contain_text("Successfully deleted")
    admin.screenshot(path=screenshots / "csp-admin.png")

    assert watched.violations == []


def test_the_policy_stops_a_script_that_got_into_the_page(asgi_server, browser, team, log_in):
    olga = browser.new_context(viewport=DESKTOP).new_page()
    log_in(olga, asgi_server, "olga")
    visitor = browser.new_context(viewport=DESKTOP).new_page()
    visitor.goto(f"{asgi_server}/demo/?site=e2e-key")
    visitor.click("#livechat-launcher")
    widget = next(f for f in visitor.frames if "/widget/" in f.url)
    expect(visitor.frame_locator("#livechat-frame").locator("#lc-input")).to_be_visible()

    for frame in (olga.main_frame, widget):
        frame.evaluate(INJECT)
        # Each of the three is refused and reported; none of them ran.
        frame.wait_for_function("() => new Set(window.__refused).size === 3", timeout=10_000)
        assert sorted(set(frame.evaluate("() => window.__refused"))) == [
            "script-src",  # setTimeout("...") (eval)
            "script-src-attr",  # onerror=""
            "script-src-elem",  # <script> without src
        ]
        assert frame.evaluate("() => window.__xss") is None
        expect(frame.locator("img[src=x]")).to_have_count(1)  # the element is there, inert
