"""Auto-assignment in a real Chromium on the stack `make run` serves (Daphne, a Celery
worker with beat on Redis): a new dialog goes to one operator, the next visitor waits and
reads his place in his language, a freed slot takes him; an unanswered dialog passes to the
other operator by the beat's pass and the first is told. Desktop and a 390 px phone, EN
and RU; screenshots under test-artifacts/e2e/."""

import pytest
from helpers import DESKTOP, PHONE, open_console, open_widget, shop_with
from playwright.sync_api import expect

from chat.models import Dialog
from routing.models import OperatorRouting, RoutingSettings

pytestmark = pytest.mark.browser

TEXT = {
    "en": {
        "line": "You are 1st in line.",
        "hint": "All operators are busy.",
        "joined": "Olga joined the dialog",
        "routing": "Who gets a new dialog",
        "passed": "went to",
    },
    "ru": {
        "line": "Вы 1-й в очереди.",
        "hint": "Все операторы заняты.",
        "joined": "Olga",
        "routing": "Кому достаётся новый диалог",
        "passed": "передан оператору",
    },
}


@pytest.fixture
def asgi_server_env():
    return {"ROUTING_CHECK_SECONDS": "1"}


def auto_shop(password, language, operators, *, timeout=600, key="e2e-routing"):
    site, staff = shop_with(
        password,
        "E2E routing",
        "E2E routing",
        key,
        operators=operators,
        language=language,
        site_language=language,
        operator_fields={"can_manage_site_settings": True},
    )
    RoutingSettings.objects.create(
        site=site, mode="auto_assign", default_capacity=1, answer_timeout_seconds=timeout
    )
    for operator in staff:
        OperatorRouting.objects.create(operator=operator, capacity=1)
    return site, staff


def write(widget, text):
    widget.locator("#lc-input").fill(text)
    widget.locator("#lc-input").press("Enter")


@pytest.mark.parametrize(
    ("language", "viewport", "name"),
    [("en", DESKTOP, "desktop"), ("en", PHONE, "phone"), ("ru", DESKTOP, "desktop"),
     ("ru", PHONE, "phone")],
)  # fmt: skip
def test_the_queue_in_the_widget_and_the_console(
    asgi_server, browser, screenshots, password, log_in, language, viewport, name
):
    site, (olga,) = auto_shop(password, language, (("olga", "Olga"),))
    words = TEXT[language]
    console = open_console(browser, asgi_server, log_in, "olga", viewport=viewport)

    first, first_widget = open_widget(browser, asgi_server, site, viewport=viewport)
    write(first_widget, "Hello, is the blue one in stock?")
    # Given to Olga: her Mine lists it, the visitor reads that she joined.
    expect(console.locator("#tab-list .row")).to_have_count(1)
    expect(first_widget.locator(".lc-msg-system").last).to_contain_text(words["joined"])

    second, second_widget = open_widget(browser, asgi_server, site, viewport=viewport)
    write(second_widget, "Hi! A question about delivery")
    line = second_widget.locator("#lc-queue")
    expect(line).to_be_visible()
    expect(second_widget.locator("#lc-queue-text")).to_have_text(words["line"])
    expect(line).to_contain_text(words["hint"])
    second.screenshot(path=screenshots / f"routing-widget-queue-{language}-{name}.png")

    # The console shows the queue on the Routing page.
    console.goto(f"{asgi_server}/console/sites/{site.id}/routing/")
    expect(console.locator("#routing-mode")).to_have_text(words["routing"])
    expect(console.locator("#routing-queue-count")).to_have_text("1")
    expect(console.locator("#routing-queue-list li")).to_have_count(1)
    console.screenshot(path=screenshots / f"routing-console-{language}-{name}.png", full_page=True)

    # Olga ends the first dialog: her freed slot takes the queued visitor at once.
    first_dialog = Dialog.objects.order_by("id").first()
    console.goto(f"{asgi_server}/console/dialogs/{first_dialog.id}/")
    console.click(".dialog-menu summary")
    console.click("#end-dialog")
    # On SQLite the end, the drain and the beat's passes (every second here) queue on one
    # write lock, so under a loaded CI the hand-over can take longer than the default 10 s.
    expect(line).to_be_hidden(timeout=30_000)
    expect(second_widget.locator(".lc-msg-system").last).to_contain_text(
        words["joined"], timeout=30_000
    )
    second.screenshot(path=screenshots / f"routing-widget-given-{language}-{name}.png")
    for page in (console, first, second):
        page.context.close()


def test_an_unanswered_dialog_passes_to_the_other_operator_by_the_beat(
    asgi_server, browser, screenshots, password, log_in
):
    site, staff = auto_shop(password, "en", (("olga", "Olga"), ("pavel", "Pavel")), timeout=3)
    consoles = {
        op.id: open_console(browser, asgi_server, log_in, op.user.username, viewport=DESKTOP)
        for op in staff
    }
    visitor, widget = open_widget(browser, asgi_server, site, viewport=DESKTOP)
    write(widget, "Anybody there?")
    expect(widget.locator(".lc-msg-system")).to_have_count(1)
    dialog = Dialog.objects.get()
    first = dialog.assignment.assignee
    second = next(op for op in staff if op.id != first.id)
    # Nobody answers for 3 s: the beat's pass (every second here) gives it to the other.
    expect(widget.locator(".lc-msg-system").last).to_contain_text(
        f"{second.name} joined the dialog", timeout=20_000
    )
    expect(consoles[second.id].locator("#tab-list .row")).to_have_count(1)
    expect(consoles[first.id].locator("#tab-list .row")).to_have_count(0)
    expect(consoles[first.id].locator("#toasts .toast").last).to_contain_text(
        f"went to {second.name}: you did not answer in 3 s"
    )
    consoles[first.id].screenshot(path=screenshots / "routing-passed-on-notice-en-desktop.png")
    for page in (*consoles.values(), visitor):
        page.context.close()
