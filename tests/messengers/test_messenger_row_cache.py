"""A live row's channel badge comes from the cache, never a query per message, and follows
a new contact, a changed handle and an unlinked channel (messengers/row_cache.py)."""

import pytest
from django.core.cache import cache

from chat.models import Dialog, Visitor
from messengers import contacts, linking, rows

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


def dialog_of(site, visitor) -> Dialog:
    number = Dialog.objects.filter(site=site).count() + 1
    return Dialog.objects.create(account=site.account, site=site, visitor=visitor, number=number)


def fresh(dialog_id):
    """The dialog as a live row event reads it: no contact loaded with it."""
    return Dialog.objects.get(pk=dialog_id)


def test_a_widget_visitor_s_row_reads_his_channel_once(site, django_assert_num_queries):
    dialog = dialog_of(site, Visitor.objects.create(site=site))
    first, second = fresh(dialog.id), fresh(dialog.id)
    with django_assert_num_queries(1):
        assert rows.badge_html(first) == ""
    with django_assert_num_queries(0):
        assert rows.badge_html(second) == ""
        assert rows.facts(second) == []


def test_the_badge_follows_the_contact_and_its_handle(bot, site, django_assert_num_queries):
    visitor_id = contacts.visitor_for(bot, user_id="501", handle="olga_k", name="Olga")
    dialog = dialog_of(site, Visitor.objects.get(pk=visitor_id))
    assert "@olga_k" in rows.badge_html(fresh(dialog.id))
    again = fresh(dialog.id)
    with django_assert_num_queries(0):
        assert "@olga_k" in rows.badge_html(again)
    contacts.visitor_for(bot, user_id="501", handle="olga_new")
    assert "@olga_new" in rows.badge_html(fresh(dialog.id))
    assert rows.facts(fresh(dialog.id)) == ["telegram", "olga_new"]
    linking.unlink(bot)
    assert rows.badge_html(fresh(dialog.id)) == ""


def test_a_live_row_in_every_language_asks_the_cache_once(site):
    """A live row event digests the row's version and renders it in each language: its
    channel is read from the cache once for all of them (a Redis round trip each before)."""
    from unittest import mock

    from chat.messaging import payloads
    from messengers import row_cache

    dialog = dialog_of(site, Visitor.objects.create(site=site))
    rows.badge_html(fresh(dialog.id))  # the cache is warm, as for any later message
    with mock.patch.object(row_cache, "badge_facts", wraps=row_cache.badge_facts) as read:
        html = payloads.dialog_row_variants(fresh(dialog.id))
    assert read.call_count == 1
    assert set(html) == {"en", "ru"}
    assert all("channel-badge" not in variant for variant in html.values())
