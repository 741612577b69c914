"""Notes and Transfer dialog in a real Chromium, in English and Russian, on a desktop and a
390 px phone: a note (Note button and "/note") shows in the console only, never in the
widget (live or after a reload); @boris alerts Boris; the dialog goes to Boris with a
private note, the visitor reads who continues; a transfer to an offline colleague is
refused with its reason; the sender, reading it afterwards, may still add notes."""

import re
from pathlib import Path

import pytest
from helpers import DESKTOP, PHONE, open_console, open_widget, shop_with
from playwright.sync_api import expect

from chat.models import Dialog

pytestmark = pytest.mark.browser

SCREENS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screens" / "teamwork"

WORDS = {
    "en": {
        "boris": "Boris",
        "continues": "Boris will continue the conversation",
        "mentioned": "Vera mentioned you in a note in dialog #",
        "transferred": "Vera transferred dialog #",
        "done": "was transferred to Boris.",
        "offline": "Zoe is offline: the dialog stays with you.",
        "note_label": "Internal note",
        "menu": "Transfer dialog",
        "pinned": "Vera transferred this dialog to you",
    },
    "ru": {
        "boris": "Борис",
        "continues": "Борис продолжит разговор",
        "mentioned": "Vera упомянул(а) вас в заметке в диалоге №",
        "transferred": "Vera передал(а) вам диалог №",
        "done": "передан оператору Борис.",
        "offline": "Zoe оффлайн: диалог остаётся у вас.",
        "note_label": "Заметка",
        "menu": "Передать диалог",
        "pinned": "Vera передал(а) вам этот диалог",
    },
}


@pytest.mark.parametrize(
    "language,viewport",
    [("en", DESKTOP), ("en", PHONE), ("ru", PHONE), ("ru", DESKTOP)],
    ids=["en-desktop", "en-phone", "ru-phone", "ru-desktop"],
)
def test_notes_stay_with_operators_and_the_dialog_is_transferred(
    asgi_server, browser, password, log_in, language, viewport
):
    SCREENS.mkdir(parents=True, exist_ok=True)
    name = f"{language}-{'phone' if viewport is PHONE else 'desktop'}"
    words = WORDS[language]
    site, (vera, boris, zoe) = shop_with(
        password, "E2E teamwork", "Tea shop", "e2e-teamwork",
        [("vera", "Vera"), ("boris", words["boris"]), ("zoe", "Zoe")],
        language=language, site_language=language,
        operator_fields={"can_see_others": True},
    )  # fmt: skip
    zoe.status = "offline"
    zoe.save(update_fields=["status"])
    problems = []

    def watch(page):
        page.on("console", lambda m: m.type == "error" and problems.append(m.text))
        page.on("pageerror", lambda error: problems.append(str(error)))
        return page

    # The operators are at their consoles first: with nobody online the widget offers the
    # offline form instead of the composer.
    console = watch(open_console(browser, asgi_server, log_in, "vera", viewport=viewport))
    bob = watch(open_console(browser, asgi_server, log_in, "boris", viewport=viewport))
    visitor, widget = open_widget(browser, asgi_server, site, viewport=viewport)
    watch(visitor)
    widget.locator("#lc-input").fill("Hello, is the green tea in stock?")
    widget.locator("#lc-input").press("Enter")
    expect(widget.locator(".lc-msg-visitor").last).to_contain_text("green tea")
    expect(widget.locator(".lc-msg-visitor.lc-pending")).to_have_count(0)
    dialog = Dialog.objects.get(site=site)

    console.goto(f"{asgi_server}/console/dialogs/{dialog.id}/")
    console.click("#connect-dialog")
    composer = console.locator("#composer-text")
    expect(composer).to_be_visible()

    # Note mode by the button: yellow composer, the note drawn apart, @boris alerted.
    console.click("#composer-note")
    expect(console.locator("#composer")).to_have_class(re.compile(r"\bcomposer-note\b"))
    composer.fill("Regular customer, offer the 10% coupon @boris")
    console.screenshot(path=SCREENS / f"{name}-note-mode.png")
    composer.press("Enter")
    note = console.locator("#transcript .msg-note:not(.msg-pending)")
    expect(note).to_have_count(1)
    expect(note).to_contain_text(words["note_label"])
    expect(note.locator("mark.mention")).to_have_text("@boris")
    expect(console.locator("#composer")).not_to_have_class(re.compile(r"\bcomposer-note\b"))
    toast = bob.locator(".toast-mention")
    expect(toast).to_contain_text(words["mentioned"])
    expect(toast).to_contain_text("10% coupon")
    bob.screenshot(path=SCREENS / f"{name}-mention-toast.png")

    # "/note " switches to note mode too; nothing of it is a message.
    composer.press_sequentially("/note ")
    expect(console.locator("#composer-note")).to_have_attribute("aria-pressed", "true")
    composer.press_sequentially("He paid by card, refund only to the card")
    composer.press("Enter")
    expect(note).to_have_count(2)
    composer.fill("Yes, it is in stock.")
    composer.press("Enter")
    expect(widget.locator(".lc-msg-operator").last).to_contain_text("in stock")
    expect(console.locator("#transcript .msg-operator")).to_have_count(1)
    console.screenshot(path=SCREENS / f"{name}-notes.png")

    # The visitor never sees a note: not live, not after a reload (hello and resume).
    expect(widget.locator("body")).not_to_contain_text("coupon")
    expect(widget.locator("body")).not_to_contain_text("refund only")
    visitor.reload()
    if not visitor.locator("#livechat-frame").is_visible():  # a phone reopens it by itself
        visitor.click("#livechat-launcher")
    widget = visitor.frame_locator("#livechat-frame")
    expect(widget.locator(".lc-msg-operator").last).to_contain_text("in stock")
    expect(widget.locator("body")).not_to_contain_text("coupon")
    expect(widget.locator("body")).not_to_contain_text("refund only")

    # Transfer to an offline colleague: refused, the dialog stays.
    console.click(".dialog-menu > summary")
    console.click("#transfer-menu > summary")
    expect(console.locator("#transfer-menu .transfer-choice")).to_have_count(2)
    menu_box = console.locator("#transfer-menu").bounding_box()
    assert menu_box["x"] >= 0 and menu_box["x"] + menu_box["width"] <= viewport["width"]
    console.screenshot(path=SCREENS / f"{name}-transfer-menu.png")
    console.locator("#transfer-menu .transfer-offline").click()
    expect(console.locator(".message-toasts .toast-error")).to_contain_text(words["offline"])
    expect(composer).to_be_visible()

    # Transfer to Boris with a note only he reads.
    console.click(".dialog-menu > summary")
    console.click("#transfer-menu > summary")
    console.fill("#transfer-note", "Wants a call back at 5 pm")
    console.locator("#transfer-menu .transfer-available").click()
    expect(console).to_have_url(f"{asgi_server}/console/")
    expect(console.locator(".message-toasts")).to_contain_text(words["done"])
    toast = bob.locator(".toast-transfer")
    expect(toast).to_contain_text(words["transferred"])
    expect(toast).to_contain_text("call back at 5 pm")
    expect(bob.locator(f'#tab-list .row[data-dialog="{dialog.id}"]')).to_have_count(1)
    bob.screenshot(path=SCREENS / f"{name}-transfer-toast.png")
    toast.locator(".btn-primary").click()
    expect(bob.locator("#pinned-note")).to_contain_text(words["pinned"])
    expect(bob.locator("#pinned-note")).to_contain_text("call back at 5 pm")
    expect(bob.locator("#composer-text")).to_be_visible()
    bob.screenshot(path=SCREENS / f"{name}-received.png")
    expect(widget.locator(".lc-msg-system").last).to_contain_text(words["continues"])
    expect(widget.locator("body")).not_to_contain_text("call back")
    visitor.screenshot(path=SCREENS / f"{name}-widget.png")

    # Vera reads the dialog she gave away (she sees colleagues' dialogs): notes only.
    console.goto(f"{asgi_server}/console/dialogs/{dialog.id}/")
    expect(console.locator("#composer")).to_have_count(0)
    console.fill("#note-composer-text", "I spoke to him yesterday too")
    console.press("#note-composer-text", "Enter")
    mine = console.locator("#transcript .msg-note:not(.msg-pending)").last
    expect(mine).to_contain_text("yesterday too")
    expect(bob.locator("#transcript .msg-note").last).to_contain_text("yesterday too")
    console.screenshot(path=SCREENS / f"{name}-notes-only.png")
    expect(widget.locator("body")).not_to_contain_text("yesterday too")

    assert problems == []
    for page in (visitor, console, bob):
        page.context.close()
