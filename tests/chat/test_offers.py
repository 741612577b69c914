"""Alerts nobody misses: the repeat flags on rows, and new dialogs nobody opened offered to
every online operator of the site (chat/dialogs/offers.py, the offer_waiting_dialogs task)."""

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.utils import timezone, translation

from chat import tasks
from chat.dialogs import offers
from chat.messaging import payloads, reading
from chat.models import Dialog
from tests.chat.test_missed import visitor_wrote


def aged(dialog, seconds):
    """The dialog was started `seconds` ago (no clock faking: the row is moved back)."""
    past = timezone.now() - timedelta(seconds=seconds)
    Dialog.objects.filter(pk=dialog.pk).update(created_at=past, waiting_since=past)
    dialog.refresh_from_db()
    return dialog


def row(dialog):
    return payloads.dialog_row_html(
        Dialog.objects.select_related("site", "visitor").get(pk=dialog.pk)
    )


# --- the repeat flags on the row ---------------------------------------------------------


@pytest.mark.django_db
def test_a_new_dialog_nobody_opened_carries_its_sites_alert_interval(make_site, alice):
    site = make_site(operators=[alice], alert_repeat_seconds=45)
    dialog, _ = visitor_wrote(site)
    html = row(dialog)
    assert "data-unopened" in html
    assert 'data-alert-every="45"' in html
    assert "data-waiting=" in html  # "waiting N min" shows on new dialogs too


@pytest.mark.django_db
def test_the_flag_goes_once_an_operator_opened_the_dialog(site, alice):
    dialog, _ = visitor_wrote(site)
    message_id = dialog.messages.order_by("id").last().id
    reading.mark_read(operator=alice, dialog_id=dialog.id, up_to=message_id, site_ids=[site.id])
    html = row(dialog)
    assert "data-unopened" not in html
    assert "data-alert-every" not in html


# --- the offer ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_dialog_nobody_opened_in_time_is_offered_once(make_site, alice):
    site = make_site(operators=[alice], offer_after_seconds=120)
    late, _ = visitor_wrote(site)
    aged(late, 130)
    recent, _ = visitor_wrote(site)
    aged(recent, 60)
    assert tasks.offer_waiting_dialogs() == 1
    late.refresh_from_db()
    recent.refresh_from_db()
    assert late.offered_at is not None
    assert recent.offered_at is None
    assert "offered to all" in row(late)
    assert "offered to all" not in row(recent)


@pytest.mark.django_db
def test_offering_is_idempotent(site, alice, django_capture_on_commit_callbacks):
    aged(visitor_wrote(site)[0], 500)
    assert len(offers.offer_waiting_dialogs()) == 1
    with django_capture_on_commit_callbacks() as callbacks:
        assert offers.offer_waiting_dialogs() == []
    assert callbacks == []  # nothing published twice


@pytest.mark.django_db
def test_the_update_is_conditional(site, alice, monkeypatch, django_capture_on_commit_callbacks):
    """A dialog another worker offered between our read and our write (no row locks)
    keeps what that worker wrote, and is not announced twice."""
    first = aged(visitor_wrote(site)[0], 500)
    second = aged(visitor_wrote(site)[0], 500)
    stale = list(offers.due_dialogs(timezone.now()))
    earlier = timezone.now() - timedelta(seconds=3)
    Dialog.objects.filter(pk=first.pk).update(offered_at=earlier)  # the other worker
    monkeypatch.setattr(offers, "due_dialogs", lambda now: stale)
    with django_capture_on_commit_callbacks() as callbacks:
        assert offers.offer_waiting_dialogs() == [second]
    first.refresh_from_db()
    assert first.offered_at == earlier
    assert (
        len(callbacks) == 1
    )  # the second dialog's events (push, without VAPID keys, hears nothing)


@pytest.mark.django_db
def test_what_is_never_offered(make_site, alice):
    never = make_site(operators=[alice], offer_after_seconds=0)
    site = make_site(operators=[alice], offer_after_seconds=60)
    aged(visitor_wrote(never)[0], 10_000)
    opened = aged(visitor_wrote(site)[0], 500)
    Dialog.objects.filter(pk=opened.pk).update(read_up_to=1)
    active = aged(visitor_wrote(site)[0], 500)
    Dialog.objects.filter(pk=active.pk).update(status="active")
    assert offers.offer_waiting_dialogs() == []


@pytest.mark.django_db
def test_the_task_runs_a_fixed_number_of_queries(make_site, alice, django_assert_num_queries):
    sites = [make_site(operators=[alice], offer_after_seconds=30) for _ in range(3)]
    aged(visitor_wrote(sites[0])[0], 100)
    # ... and one for each app's part of the rows (chat/console/row_parts.py: the tags,
    # the messenger channel), whatever the dialogs
    with django_assert_num_queries(7):
        assert len(offers.offer_waiting_dialogs()) == 1
    for site in sites:
        aged(visitor_wrote(site)[0], 100)
        aged(visitor_wrote(site)[0], 100)
    with django_assert_num_queries(7):
        assert len(offers.offer_waiting_dialogs()) == 6


# --- who hears the offer -----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
async def test_every_online_operator_of_the_site_hears_the_offer(
    sockets, make_site, make_operator, make_account
):
    site = await database_sync_to_async(make_site)(offer_after_seconds=60)
    other_site = await database_sync_to_async(make_site)(account=site.account)
    foreign_site = await database_sync_to_async(make_site)()

    def operator(name, sites, **fields):
        return make_operator(username=name, display_name=name.capitalize(), sites=sites, **fields)

    make = database_sync_to_async(operator)
    alice = await make("alice", [site])
    bob = await make("bob", [site, other_site], language="ru")
    offline = await make("olga", [site], status="offline")
    elsewhere = await make("eve", [other_site])
    foreign = await make("fred", [foreign_site])
    consoles = {}
    for op in (alice, bob, offline, elsewhere, foreign):
        consoles[op.display_name], _ = await sockets.operator(op)

    def start():
        dialog, _ = visitor_wrote(site, "Anybody there?")
        return Dialog.objects.select_related("visitor").get(pk=aged(dialog, 300).pk)

    dialog = await database_sync_to_async(start)()
    for name in ("Alice", "Bob", "Olga"):
        await sockets.frames(consoles[name], 1)  # the new dialog's row
    assert await database_sync_to_async(tasks.offer_waiting_dialogs)() == 1

    for name, language in (("Alice", "en"), ("Bob", "ru")):
        got = await sockets.expect(consoles[name], "row", "offer")
        offer = got["offer"][0]
        assert offer["dialog"] == dialog.id
        assert offer["number"] == dialog.number
        assert offer["minutes"] == 5
        with translation.override(language):  # an anonymous visitor's nickname, in his
            assert offer["name"] == str(dialog.visitor.display_name)  # (blank: LANGUAGE_CODE)
        assert "row-offered" in got["row"][0]["html"]
    got = await sockets.expect(consoles["Olga"], "row")  # the row, but no offer: offline
    assert "row-offered" in got["row"][0]["html"]
    await sockets.silent(*consoles.values())


@pytest.mark.django_db(transaction=True)
async def test_an_operator_who_follows_his_browser_hears_the_name_in_its_language(
    sockets, make_site, make_operator
):
    from tests.chat.test_live_language import console_with_accept_language

    site = await database_sync_to_async(make_site)(offer_after_seconds=60)
    ivan = await database_sync_to_async(make_operator)(
        username="ivan", display_name="Ivan", sites=[site], language=""
    )
    console = await console_with_accept_language(sockets, ivan, "ru-RU,ru;q=0.9")

    def start():
        dialog, _ = visitor_wrote(site, "Есть кто?")
        return Dialog.objects.select_related("visitor").get(pk=aged(dialog, 300).pk)

    dialog = await database_sync_to_async(start)()
    await sockets.frames(console, 1)  # the new dialog's row
    await database_sync_to_async(tasks.offer_waiting_dialogs)()
    offer = (await sockets.expect(console, "row", "offer"))["offer"][0]
    with translation.override("ru"):
        assert offer["name"] == str(dialog.visitor.display_name)
    with translation.override("en"):
        assert offer["name"] != str(dialog.visitor.display_name)
