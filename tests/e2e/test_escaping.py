"""Script-bearing text through every field a visitor (or an operator) controls, in a real
Chromium: it shows as text on every screen and nothing of it runs.

The server here sends its Content-Security-Policy as report-only (CSP_REPORT_ONLY), so
the browser would run an injected handler: what is tested is the escaping alone (the
policy is the second layer, tests/e2e/test_csp.py)."""

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from helpers import admin_log_in
from playwright.sync_api import expect

from chat.models import Attachment, Dialog, Site
from leads.models import Lead
from operators.models import Account, Operator

pytestmark = pytest.mark.browser

IMG = '<img src=x onerror="window.__xss=1">'
SCRIPT = "<script>window.__xss=1</script>"
SVG = '"><svg onload=window.__xss=1>'
JS_URL = "javascript:window.__xss=1"
FORMULA = '=HYPERLINK("http://evil.example","click me")'
MESSAGE = f"{IMG} {SCRIPT} {SVG} {JS_URL}"
# A quoted local part: valid for Django's EmailValidator, markup in a browser.
EMAIL = '"<img/src=x/onerror=window.__xss=1>"@example.com'

DESKTOP = {"width": 1280, "height": 800}

# Anything the hostile strings would add to the page if they were parsed as HTML.
INJECTED = (
    "[onerror], [onload], img[src='x'], svg[onload], a[href^='javascript:' i], "
    "script:not([src]):not([type='application/json'])"
)

# Browser notifications are recorded (the console asks for them only in a hidden tab).
RECORD_NOTIFICATIONS = """
window.__notes = [];
Object.defineProperty(Document.prototype, "hidden", { get: function () { return true; } });
window.Notification = function (title, options) {
  window.__notes.push({ title: title, body: options && options.body });
};
window.Notification.permission = "granted";
window.Notification.requestPermission = function () { return Promise.resolve("granted"); };
"""


def assert_nothing_ran(frame) -> None:
    """No hostile handler ran and no hostile element exists in this page or frame."""
    assert frame.evaluate("() => window.__xss") is None, frame.url
    assert frame.evaluate("s => document.querySelectorAll(s).length", INJECTED) == 0, frame.url


def widget_frame(page):
    return next(f for f in page.frames if "/widget/" in f.url)


@pytest.fixture
def asgi_server_report_only(transactional_db, monkeypatch, request):
    """The `make run` stack whose policy only reports: injected scripts would run."""
    monkeypatch.setenv("CSP_REPORT_ONLY", "1")
    return request.getfixturevalue("asgi_server")


@pytest.fixture
def hostile_shop(transactional_db, password):
    account = Account.objects.create(name=f"Shop {IMG}")
    site = Site.objects.create(
        account=account,
        name=f"Shop {SVG}",
        widget_key="e2e-key",
        widget_title=f"Chat {SCRIPT}",
        greeting=f"Hi {IMG}",
    )
    user = get_user_model().objects.create_user("olga", password=password)
    operator = Operator.objects.create(user=user, account=account, display_name=f"Olga {SVG}")
    site.operators.add(operator)
    get_user_model().objects.create_superuser("root", password=password)
    return site


def open_widget(browser, base_url, query=""):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(f"{base_url}/demo/?site=e2e-key{query}", referer=f"https://ref.example/?q={SVG}")
    page.click("#livechat-launcher")
    return page, page.frame_locator("#livechat-frame")


def test_hostile_text_shows_as_text_everywhere_and_never_runs(
    asgi_server_report_only, browser, screenshots, hostile_shop, log_in, password
):
    base = asgi_server_report_only
    shots = screenshots.parent / "screens" / "csp"
    shots.mkdir(parents=True, exist_ok=True)
    console_ctx = browser.new_context(viewport=DESKTOP)
    console_ctx.add_init_script(RECORD_NOTIFICATIONS)
    console = console_ctx.new_page()
    log_in(console, base, "olga")

    # 1. Nobody online: the offline form leaves a lead with a formula for a name.
    console.click("details.me summary")
    console.click("button[name=status][value=offline]")
    console.click('a[href="/console/leads/"]')
    expect(console.locator("#leads-empty")).to_be_visible()
    offline_page, offline = open_widget(browser, base)
    form = offline.locator("#lc-offline-form")
    expect(form).to_be_visible()
    form.locator("[name=name]").fill(FORMULA)
    form.locator("[name=email]").fill(EMAIL)
    form.locator("[name=message]").fill(MESSAGE)
    form.locator("button[type=submit]").click()
    expect(offline.locator("#lc-offline-done")).to_be_visible()
    lead = Lead.objects.get()
    assert (lead.name, lead.email, lead.message) == (FORMULA, EMAIL, MESSAGE)
    row = console.locator("#leads-rows .lead-row").first
    expect(row.locator(".l-name")).to_contain_text(FORMULA)
    expect(row.locator(".l-email")).to_have_text(EMAIL)
    expect(row.locator(".l-site")).to_have_text(f"Shop {SVG}")
    assert_nothing_ran(console)
    console.screenshot(path=shots / "escaping-leads-live.png")
    row.locator(".h-link").click()
    expect(console.locator("#lead-message")).to_contain_text(MESSAGE)
    expect(console.locator("#lead-facts")).to_contain_text(EMAIL)
    assert_nothing_ran(console)
    console.screenshot(path=shots / "escaping-lead-detail.png")
    assert_nothing_ran(widget_frame(offline_page))
    offline_page.context.close()

    # The CSV export neutralises the formula (a spreadsheet shows it as text).
    export = console.request.get(f"{base}/console/leads/export.csv")
    rows = list(csv.reader(io.StringIO(export.text().lstrip("\ufeff"))))
    assert rows[1][3] == "'" + FORMULA

    # 2. Olga online: a visitor with hostile UTM values, referrer and page title writes.
    console.goto(f"{base}/console/")
    console.click("details.me summary")
    console.click("button[name=status][value=online]")
    utm = f"&utm_source={IMG}&utm_campaign={SCRIPT}"
    visitor, widget = open_widget(browser, base, utm)
    visitor.evaluate("t => { document.title = t; }", f"Catalogue {SCRIPT}")
    expect(widget.locator("#lc-title")).to_have_text(f"Chat {SCRIPT}")
    expect(widget.locator(".lc-greeting")).to_have_text(f"Hi {IMG}")
    widget.locator("#lc-input").fill(MESSAGE)
    widget.locator("#lc-input").press("Enter")
    expect(widget.locator(".lc-msg-visitor:not(.lc-pending) .lc-bubble").last).to_contain_text(
        MESSAGE
    )

    # The live row and the notification carry the text as text.
    row = console.locator("#tab-list .row").first
    expect(row.locator(".row-preview")).to_contain_text(IMG)
    expect(row.locator(".row-meta")).to_contain_text(f"Shop {SVG}")
    notes = console.evaluate("() => window.__notes")
    assert notes and notes[-1]["body"].startswith(IMG), notes
    assert_nothing_ran(console)
    console.screenshot(path=shots / "escaping-console-row.png")

    # 3. The dialog: transcript, introduce form, operator's answer, page, attachment.
    row.click()
    console.click("#connect-dialog")
    expect(console.locator("#transcript .msg-visitor .msg-text").first).to_have_text(MESSAGE)
    introduce = widget.locator("#lc-introduce")
    expect(introduce).to_be_visible()
    introduce.locator("[name=name]").fill(f"Ivan {IMG}")
    introduce.locator("[name=email]").fill(EMAIL)
    introduce.locator("button[type=submit]").click()
    expect(console.locator("#dialog-title")).to_have_text(f"Ivan {IMG}")
    expect(console.locator("#card-email")).to_have_text(EMAIL)

    console.fill("#composer-text", f"Operator says {SVG} {SCRIPT}")
    console.press("#composer-text", "Enter")
    expect(widget.locator(".lc-msg-operator .lc-bubble").last).to_contain_text(
        f"Operator says {SVG} {SCRIPT}"
    )
    expect(widget.locator("#lc-operator")).to_have_text(f"Olga {SVG}")

    console.click("#card-toggle")
    card = console.locator("#visitor-card")
    expect(card.locator("dd.card-utm")).to_have_text([SCRIPT, IMG])  # utm_campaign, utm_source
    visit = Dialog.objects.get(visitor__name=f"Ivan {IMG}").visit
    assert visit.referrer.startswith("https://ref.example/?q="), visit.referrer
    expect(card.locator(".card-url").last).to_have_text(visit.referrer)
    visitor.evaluate(
        "t => { document.title = t; history.pushState({}, '', location.search + '&view=' + t); }",
        f"Sale {SVG}",
    )
    expect(console.locator("#card-page")).to_contain_text(f"Sale {SVG}")

    widget.locator("#lc-file").set_input_files(
        files=[{"name": f"{IMG}.txt", "mimeType": "text/plain", "buffer": b"hello"}]
    )
    expect(console.locator("#transcript .att-name")).to_have_count(1)
    expect(console.locator("#transcript .att-name")).to_have_text(Attachment.objects.get().name)
    # Uploads get safe names; one stored with markup in it (an older upload, an import)
    # must still show as text on both sides.
    Attachment.objects.update(name=f"{IMG}.txt")
    console.reload()
    visitor.reload()
    if not visitor.locator("#livechat-frame").is_visible():
        visitor.click("#livechat-launcher")
    expect(console.locator("#transcript .att-name")).to_have_text(f"{IMG}.txt")
    expect(widget.locator(".lc-att-name")).to_have_text(f"{IMG}.txt")
    assert_nothing_ran(console)
    assert_nothing_ran(widget_frame(visitor))
    console.screenshot(path=shots / "escaping-console-dialog.png")
    visitor.screenshot(path=shots / "escaping-widget.png")

    # 4. History and the transcript of the ended dialog.
    console.click(".dialog-menu summary")
    console.click("#end-dialog")
    expect(console.locator(".note")).to_be_visible()
    console.goto(f"{base}/console/history/")
    history_row = console.locator("#history-table .history-row").first
    expect(history_row.locator(".h-visitor")).to_contain_text(f"Ivan {IMG}")
    expect(history_row.locator(".h-site")).to_have_text(f"Shop {SVG}")
    assert_nothing_ran(console)
    console.screenshot(path=shots / "escaping-history.png")
    history_row.locator(".h-link").click()
    expect(console.locator("#transcript .msg-visitor .msg-text").first).to_have_text(MESSAGE)
    assert_nothing_ran(console)

    # 5. The admin's lists and forms of the same records.
    admin = browser.new_context(viewport=DESKTOP).new_page()
    admin_log_in(admin, base, password)
    expect(admin.locator("#site-name")).to_be_visible()
    dialog = Dialog.objects.get()
    visitor_id = dialog.visitor_id
    message_id = dialog.messages.filter(text=MESSAGE).get().id
    for path, literal in [
        ("/admin/chat/visitor/", f"Ivan {IMG}"),
        (f"/admin/chat/visitor/{visitor_id}/change/", f"Ivan {IMG}"),
        ("/admin/chat/message/", IMG),
        (f"/admin/chat/message/{message_id}/change/", MESSAGE),
        ("/admin/leads/lead/", FORMULA),
        (f"/admin/leads/lead/{lead.id}/change/", MESSAGE),
        ("/admin/chat/visit/", ""),
        ("/admin/chat/site/", f"Shop {SVG}"),
    ]:
        admin.goto(base + path)
        expect(admin.locator("#content")).to_be_visible()
        if literal:
            _expect_text_or_value(admin, literal)
        assert_nothing_ran(admin)
        if path == "/admin/chat/message/":
            admin.screenshot(path=shots / "escaping-admin-messages.png")
    for context in (console_ctx, visitor.context, admin.context):
        context.close()


def _expect_text_or_value(page, literal: str) -> None:
    """The literal is shown as text, or is the value of a form field (change forms)."""
    shown = page.evaluate(
        """t => document.body.innerText.includes(t) ||
             [...document.querySelectorAll('input, textarea')].some(f => f.value === t)""",
        literal,
    )
    assert shown, (page.url, literal)
