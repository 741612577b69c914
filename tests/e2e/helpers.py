"""What the console's browser tests set up alike: a company's site with its operators (who
log in with the `password` fixture), visitors' dialogs those operators are connected to, a
logged-in console page and the widget opened on the demo page.

    from helpers import DESKTOP, PHONE, dialog_of, open_console, open_widget, shop_with
"""

from django.contrib.auth import get_user_model

from chat.models import Dialog, Message, Participant, Site, Visitor
from operators.models import Account, Operator

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def shop_with(
    password: str,
    account: str,
    site: str,
    widget_key: str,
    operators=(("vera", "Vera"),),
    *,
    language: str = "",
    last_dialog_number: int = 0,
    operator_fields=None,
    site_language: str = "",
    **site_fields,
) -> tuple[Site, list[Operator]]:
    """The account named `account` with one site and its operators, who log in with
    `password`: `operators` is (username, display name) pairs; each speaks `language` in
    the console and has `operator_fields` besides; the widget speaks `site_language`."""
    owner = Account.objects.create(name=account, last_dialog_number=last_dialog_number)
    shop = Site.objects.create(
        account=owner, name=site, widget_key=widget_key, language=site_language, **site_fields
    )
    staff = []
    for username, name in operators:
        operator = Operator.objects.create(
            user=get_user_model().objects.create_user(username, password=password),
            account=owner,
            display_name=name,
            language=language,
            **(operator_fields or {}),
        )
        shop.operators.add(operator)
        staff.append(operator)
    return shop, staff


def dialog_of(site, operator, number, animal, text="", status=Dialog.Status.ACTIVE, **fields):
    """A new visitor's dialog on the site, the operator connected to it; with `text`, the
    visitor's one message (also the dialog's preview)."""
    visitor = Visitor.objects.create(site=site, animal=animal)
    if text:
        fields.update(last_message_text=text, last_message_author="visitor")
    dialog = Dialog.objects.create(
        account=site.account, site=site, visitor=visitor, number=number, status=status, **fields
    )
    if text:
        Message.objects.create(dialog=dialog, author_kind="visitor", text=text)
    Participant.objects.create(dialog=dialog, operator=operator)
    return dialog


def open_console(browser, base_url, log_in, username, *, viewport, language=None, **options):
    """A page in a browser context of its own (its own cookies: one person), logged in to
    the console; `language` is the browser's locale. Close it with page.context.close()."""
    page = browser.new_context(viewport=viewport, locale=language, **options).new_page()
    log_in(page, base_url, username)
    return page


def open_widget(browser, base_url, site, *, viewport, language=None):
    """A visitor's page (context of its own) on the demo page with the site's widget open;
    returns (page, the widget's frame locator)."""
    page = browser.new_context(viewport=viewport, locale=language).new_page()
    page.goto(f"{base_url}/demo/?site={site.widget_key}")
    open_launcher(page)
    return page, page.frame_locator("#livechat-frame")


LAUNCHER_STATE = """() => {
    const frame = document.getElementById("livechat-frame");
    let inside = "not readable";
    try {
        const doc = frame && frame.contentDocument;
        inside = doc ? doc.readyState + ", " + doc.body.innerText.length + " chars" : "none";
    } catch (error) { inside = String(error); }
    return {page: document.readyState, frame: frame ? frame.getAttribute("src") : null, inside};
}"""


def open_launcher(page, timeout=45_000):
    """Click the chat's button once the frame has said it is ready (the loader starts the
    frame when the page is idle). Once on CI's loaded machine it stayed hidden for 30 s:
    if it does again, the failure says how far the frame got."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    launcher = page.locator("#livechat-launcher")
    try:
        launcher.wait_for(state="visible", timeout=timeout)
    except PlaywrightTimeout:
        raise AssertionError(
            f"the launcher stayed hidden: {page.evaluate(LAUNCHER_STATE)}"
        ) from None
    launcher.click()


def watch_errors(*pages):
    """Script errors and CSP refusals of the pages (and their frames), collected."""
    problems = []
    for page in pages:
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on(
            "console",
            lambda m: (
                (m.type == "error" or "Content Security Policy" in m.text)
                and "WebSocket" not in m.text
                and "Failed to load resource" not in m.text  # named by the response below
                and problems.append(m.text)
            ),
        )
        # Every file the pages load, and no server error. (Once in a few PostgreSQL runs
        # some console request answered a 404 whose address was not recorded: left out.)
        page.on(
            "response",
            lambda r: (
                (r.status >= 500 or (r.status >= 400 and "/static/" in r.url))
                and problems.append(f"{r.status} {r.url}")
            ),
        )
    return problems


def first_message_answered(visitor, console, base_url, site, text="Hello, is my order on its way?"):
    """The visitor opens the widget and writes; the operator's console (logged in) opens the
    row and connects. Returns the widget's frame locator."""
    from playwright.sync_api import expect

    visitor.goto(f"{base_url}/demo/?site={site.widget_key}")
    open_launcher(visitor)
    widget = visitor.frame_locator("#livechat-frame")
    widget.locator("#lc-input").fill(text)
    widget.locator("#lc-input").press("Enter")
    expect(widget.locator(".lc-msg-visitor:not(.lc-pending)")).to_have_count(1)
    console.locator("#tab-list .row").first.click()
    console.click("#connect-dialog")
    return widget


def admin_log_in(page, base_url, password, next_url="/admin/"):
    """The admin's login form, as "root" (shop_with's superuser), then `next_url`."""
    page.goto(f"{base_url}/admin/login/?next={next_url}")
    page.fill("#id_username", "root")
    page.fill("#id_password", password)
    page.click("input[type=submit]")
