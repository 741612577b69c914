"""Tags in a real Chromium: a manager creates tags on the Tags page; an operator puts one on
a dialog from its header (type-to-filter) and takes it off; a colleague watching the same
dialog sees the header and the row change live; History filters by tag. In English on a
desktop and in Russian on a 390 px phone. Screenshots: test-artifacts/e2e/tags-*.png."""

import pytest
from helpers import DESKTOP, PHONE, dialog_of, open_console, shop_with, watch_errors
from playwright.sync_api import expect

from tags.models import DialogTag, Tag

pytestmark = pytest.mark.browser

FLAGS = {"can_see_others": True, "can_manage_site_settings": True}


def test_tags_created_put_on_seen_live_and_filtered_in_english(
    asgi_server, browser, screenshots, password, log_in
):
    site, (vera, olga) = shop_with(
        password, "Tag shop", "Tag shop", "tag-key",
        operators=(("vera", "Vera"), ("olga", "Olga")), language="en", operator_fields=FLAGS,
    )  # fmt: skip
    dialog = dialog_of(site, vera, 1, "blue-fox", "Do you deliver on Sunday?")
    Tag.objects.create(account=site.account, name="<i>Wholesale</i>", colour="orange")
    console = open_console(browser, asgi_server, log_in, "vera", viewport=DESKTOP, language="en")
    colleague = open_console(browser, asgi_server, log_in, "olga", viewport=DESKTOP, language="en")
    problems = watch_errors(console, colleague)

    # The Tags page: from the operator menu, add "VIP" in purple.
    console.click(".me summary")
    console.click("#tags-link")
    expect(console.locator("#tags-title")).to_have_text("Tags")
    console.click("#tag-add")
    console.fill("#id_name", "VIP")
    console.locator(".tag-swatch", has_text="Purple").click()
    console.screenshot(path=screenshots / "tags-en-desktop-1-new-tag.png")
    console.click("#tag-save")
    expect(console.locator("#tag-list .tag-chip", has_text="VIP")).to_have_class(
        "tag-chip tag-c-purple"
    )
    expect(console.locator("#tag-list")).to_contain_text("<i>Wholesale</i>")  # as text
    console.screenshot(path=screenshots / "tags-en-desktop-2-tags-page.png")

    # Both open the dialog; Vera tags it from the header.
    colleague.goto(f"{asgi_server}/console/dialogs/{dialog.id}/")
    console.goto(f"{asgi_server}/console/dialogs/{dialog.id}/")
    expect(colleague.locator("#viewers")).to_contain_text("Vera")  # both sockets joined
    console.click(".tag-add-button")
    search = console.locator(".tag-search")
    expect(search).to_be_focused()
    search.fill("vi")
    expect(console.locator(".tag-options li:visible")).to_have_count(1)
    console.screenshot(path=screenshots / "tags-en-desktop-3-picker.png")
    search.press("Enter")
    chip = console.locator("#dialog-tags .tag-chip", has_text="VIP")
    expect(chip).to_be_visible()
    assert DialogTag.objects.filter(dialog=dialog, tag__name="VIP").exists()

    # Olga sees it live: the header and her list's row.
    expect(colleague.locator("#dialog-tags .tag-chip", has_text="VIP")).to_be_visible()
    row = colleague.locator(f'.row[data-dialog="{dialog.id}"]')
    expect(row.locator(".row-tags")).to_have_text("VIP")
    colleague.screenshot(path=screenshots / "tags-en-desktop-4-colleague-live.png")

    # Vera adds the escaped one too, then removes VIP with its ×.
    console.click(".tag-add-button")
    console.locator(".tag-option", has_text="<i>Wholesale</i>").click()
    expect(console.locator("#dialog-tags .tag-chip")).to_have_count(2)
    console.click('#dialog-tags button[aria-label="Remove tag VIP"]')
    expect(console.locator("#dialog-tags .tag-chip")).to_have_count(1)
    expect(colleague.locator("#dialog-tags .tag-chip")).to_have_text(["<i>Wholesale</i>×"])
    expect(row.locator(".row-tags")).to_have_text("<i>Wholesale</i>")
    console.screenshot(path=screenshots / "tags-en-desktop-5-header.png")

    # History: the Tags column and the filter.
    console.goto(f"{asgi_server}/console/history/?date_from=&date_to=")
    expect(console.locator(".h-tags").first).to_have_text("<i>Wholesale</i>")
    # (on a desktop the filter form is always open)
    console.select_option("#id_tag", label="VIP")
    console.click("#history-filter button[type=submit]")
    expect(console.locator(".h-tags")).to_have_count(0)
    console.select_option("#id_tag", label="<i>Wholesale</i>")
    console.click("#history-filter button[type=submit]")
    expect(console.locator(".h-tags")).to_have_count(1)
    console.screenshot(path=screenshots / "tags-en-desktop-6-history.png", full_page=True)
    assert problems == []


def test_tags_on_a_phone_in_russian(asgi_server, browser, screenshots, password, log_in):
    site, (ivan,) = shop_with(
        password, "Магазин", "Магазин", "tag-ru-key",
        operators=(("ivan", "Иван"),), language="ru", operator_fields=FLAGS,
    )  # fmt: skip
    dialog = dialog_of(site, ivan, 7, "red-panda", "Где мой заказ?")
    for name, colour in [("VIP", "purple"), ("Доставка", "green"), ("Жалоба", "red")]:
        Tag.objects.create(account=site.account, name=name, colour=colour)
    phone = open_console(browser, asgi_server, log_in, "ivan", viewport=PHONE, language="ru")
    problems = watch_errors(phone)

    phone.goto(f"{asgi_server}/console/dialogs/{dialog.id}/")
    add = phone.locator(".tag-add-button")
    expect(add).to_have_text("+ Тег")
    add.click()
    phone.locator(".tag-search").fill("дост")
    expect(phone.locator(".tag-options li:visible")).to_have_count(1)
    phone.screenshot(path=screenshots / "tags-ru-phone-1-picker.png")
    box = phone.locator(".tag-picker").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]  # on the screen
    phone.locator(".tag-option", has_text="Доставка").click()
    expect(phone.locator("#dialog-tags .tag-chip", has_text="Доставка")).to_be_visible()
    expect(phone.locator('#dialog-tags button[aria-label="Убрать тег Доставка"]')).to_be_visible()
    phone.screenshot(path=screenshots / "tags-ru-phone-2-header.png")

    phone.goto(f"{asgi_server}/console/")
    expect(phone.locator(f'.row[data-dialog="{dialog.id}"] .row-tags')).to_have_text("Доставка")
    phone.screenshot(path=screenshots / "tags-ru-phone-3-mine.png")

    phone.goto(f"{asgi_server}/console/tags/")
    expect(phone.locator("#tags-title")).to_have_text("Теги")
    expect(phone.locator("#tag-list")).to_contain_text("у 1 диалога")
    phone.screenshot(path=screenshots / "tags-ru-phone-4-tags-page.png", full_page=True)
    phone.locator('a[aria-label="Удалить тег Доставка"]').click()
    expect(phone.locator("#tag-delete-count")).to_contain_text("Этот тег стоит у 1 диалога")
    phone.click("#tag-delete-confirm")
    expect(phone.locator("#tag-list")).not_to_contain_text("Доставка")
    assert not DialogTag.objects.filter(dialog=dialog).exists()

    phone.goto(f"{asgi_server}/console/leads/?tag={Tag.objects.get(name='VIP').id}")
    expect(phone.locator("#leads-filter summary .count")).to_have_text("1")
    assert problems == []
