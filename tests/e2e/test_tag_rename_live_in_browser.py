"""A tag renamed and recoloured on the Tags page reaches a colleague's open console at
once: the chip on the dialog's row and in her open dialog's header show the new name and
colour without a reload
(tags.events.tag_changed_on_commit). Screenshot: test-artifacts/e2e/tags-rename-live.png."""

import pytest
from helpers import DESKTOP, dialog_of, open_console, shop_with
from playwright.sync_api import expect
from test_tags_in_browser import FLAGS, watch_errors

from tags import row_cache
from tags.models import DialogTag, Tag

pytestmark = pytest.mark.browser


def test_a_renamed_tag_changes_on_a_colleagues_rows_live(
    asgi_server, browser, screenshots, password, log_in
):
    site, (vera, olga) = shop_with(
        password, "Rename shop", "Rename shop", "rename-key",
        operators=(("vera", "Vera"), ("olga", "Olga")), language="en", operator_fields=FLAGS,
    )  # fmt: skip
    dialog = dialog_of(site, vera, 1, "blue-fox", "Do you deliver on Sunday?")
    vip = Tag.objects.create(account=site.account, name="VIP", colour="purple")
    DialogTag.objects.create(dialog=dialog, tag=vip)
    row_cache.forget_dialogs_on_commit([dialog.id])
    console = open_console(browser, asgi_server, log_in, "vera", viewport=DESKTOP, language="en")
    colleague = open_console(browser, asgi_server, log_in, "olga", viewport=DESKTOP, language="en")
    problems = watch_errors(console, colleague)

    colleague.goto(f"{asgi_server}/console/dialogs/{dialog.id}/")
    row = colleague.locator(f'.row[data-dialog="{dialog.id}"]')
    expect(row.locator(".row-tags .tag-chip")).to_have_text("VIP")

    console.goto(f"{asgi_server}/console/tags/{vip.id}/")
    console.fill("#id_name", "Gold <b>")
    console.locator(".tag-swatch", has_text="Teal").click()
    console.click("#tag-save")
    expect(console.locator("#tag-list .tag-chip", has_text="Gold <b>")).to_be_visible()

    chip = row.locator(".row-tags .tag-chip")
    expect(chip).to_have_text("Gold <b>")  # escaped: shown as text
    expect(chip).to_have_class("tag-chip tag-chip-small tag-c-teal")
    header_chip = colleague.locator("#dialog-tags .tag-chip")  # her open dialog page
    expect(header_chip).to_contain_text("Gold <b>")
    expect(header_chip).to_have_class("tag-chip tag-c-teal")
    colleague.screenshot(path=screenshots / "tags-rename-live.png")
    assert problems == []
