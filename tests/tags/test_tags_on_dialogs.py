"""Tags on a dialog: put on and taken off from the dialog header by any operator who may
see the dialog, refused across accounts and to operators who may not see it; heard live
by the dialog's other pages (`tags` frame) and every console of the site (its row)."""

import re

import pytest
from django.test import Client

from chat.console import selectors as chat_selectors
from chat.messaging import payloads
from chat.realtime import events
from tags import services
from tags.models import DialogTag, Tag

pytestmark = pytest.mark.django_db


def add_url(dialog):
    return f"/console/tags/dialogs/{dialog.id}/add/"


def remove_url(dialog):
    return f"/console/tags/dialogs/{dialog.id}/remove/"


@pytest.fixture
def sent(monkeypatch):
    """What was published, as (group, event) pairs, once the transaction commits."""
    out = []
    monkeypatch.setattr(events, "publish", lambda *sends: out.extend(sends))
    return out


def tags_on(dialog):
    return sorted(DialogTag.objects.filter(dialog=dialog).values_list("tag__name", flat=True))


def test_an_operator_puts_a_tag_on_and_takes_it_off(
    alice_client, alice, dialog, vip, delivery, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(add_url(dialog), {"tag": vip.id})
    assert response.status_code == 302
    assert tags_on(dialog) == ["VIP"]
    assert DialogTag.objects.get(dialog=dialog).added_by == alice

    (group, frame), (row_group, row) = sent
    assert group == events.dialog_group(dialog.id)
    assert frame["frame"] == "tags" and frame["tags"] == ["VIP"]
    assert "Remove tag VIP" in frame["html"]["en"] and "Убрать тег VIP" in frame["html"]["ru"]
    assert 'value=""' in frame["html"]["en"]  # no CSRF token in a broadcast: tags.js adds it
    assert row_group == events.site_group(dialog.site_id) and row["type"] == "chat.row"
    assert 'class="tag-chip tag-chip-small tag-c-purple">VIP<' in row["html"]["en"]

    sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        alice_client.post(remove_url(dialog), {"tag": vip.id})
    assert tags_on(dialog) == []
    assert sent[0][1]["tags"] == [] and "row-tags" not in sent[1][1]["html"]["en"]


def test_a_script_gets_the_headers_control_back(alice_client, dialog, vip, delivery):
    response = alice_client.post(add_url(dialog), {"tag": delivery.id}, headers={"X-Fragment": "1"})
    html = response.content.decode()
    assert response.status_code == 200 and html.startswith('<div class="dialog-tags"')
    chips = re.search(r'<ul class="tag-chips".*?<li class="tag-add-item">', html, re.S)[0]
    assert "Delivery" in chips and "VIP" not in chips
    picker = html.split('class="tag-options"')[1]
    assert "VIP" in picker and "Delivery" not in picker


def test_putting_a_tag_on_twice_is_harmless_and_silent(
    alice, dialog, vip, sent, django_capture_on_commit_callbacks
):
    def add():
        return services.add_to_dialog(operator=alice, dialog_id=dialog.id, tag_id=vip.id)

    def remove():
        return services.remove_from_dialog(operator=alice, dialog_id=dialog.id, tag_id=vip.id)

    assert add().changed
    with django_capture_on_commit_callbacks(execute=True):
        assert not add().changed
        assert remove().changed
        assert not remove().changed
    assert len(sent) == 2  # the one removal: its header and its row
    assert tags_on(dialog) == []


@pytest.mark.parametrize("bad", ["", "abc", "999999"])
def test_a_bad_tag_is_refused_with_a_message(alice_client, dialog, bad):
    response = alice_client.post(add_url(dialog), {"tag": bad}, headers={"X-Fragment": "1"})
    assert response.status_code == 400 and response.content.decode() == "No such tag."
    assert tags_on(dialog) == []


def test_another_accounts_tag_cannot_be_put_on(alice_client, dialog, make_site):
    foreign = Tag.objects.create(account=make_site().account, name="Foreign")
    response = alice_client.post(add_url(dialog), {"tag": foreign.id}, follow=True)
    assert "No such tag." in response.content.decode()
    assert tags_on(dialog) == []


def test_an_operator_of_another_account_cannot_touch_the_dialog(
    dialog, vip, make_site, make_operator, put
):
    outsider = make_operator(sites=[make_site()])
    client = Client()
    client.force_login(outsider.user)
    # as for the dialog page itself: not one of his sites' dialogs
    assert client.post(add_url(dialog), {"tag": vip.id}).status_code == 403
    put(dialog, vip)
    assert client.post(remove_url(dialog), {"tag": vip.id}).status_code == 403
    assert tags_on(dialog) == ["VIP"]


def test_a_colleagues_active_dialog_is_refused_without_the_flag(site, dialog, vip, make_operator):
    colleague = make_operator(sites=[site], can_see_others=False)
    client = Client()
    client.force_login(colleague.user)
    assert client.post(add_url(dialog), {"tag": vip.id}).status_code == 403
    assert tags_on(dialog) == []
    reader = make_operator(sites=[site], can_see_others=True)
    client.force_login(reader.user)
    assert client.post(add_url(dialog), {"tag": vip.id}).status_code == 302
    assert tags_on(dialog) == ["VIP"]


def test_an_ended_dialog_can_be_tagged(alice_client, make_dialog, site, vip):
    ended = make_dialog(site, ended=True)
    alice_client.post(add_url(ended), {"tag": vip.id})
    assert tags_on(ended) == ["VIP"]


def test_the_dialog_page_shows_the_control_and_its_query_count_is_fixed(
    alice_client, dialog, site, vip, delivery, put
):
    put(dialog, vip)
    html = alice_client.get(f"/console/dialogs/{dialog.id}/").content.decode()
    control = re.search(r'<div class="dialog-tags".*?</details>', html, re.S)[0]
    assert 'tag-chip tag-c-purple" data-tag' in control and "Delivery" in control
    assert 'name="csrfmiddlewaretoken" value=""' not in control  # the page's own token


def test_row_chips_are_escaped_and_change_the_rows_version(dialog, site, put):
    evil = Tag.objects.create(account=site.account, name="<b>x</b>", colour="red")
    before = payloads.row_version(chat_selectors.dialog_rows([dialog.id])[dialog.id])
    put(dialog, evil)
    row = chat_selectors.dialog_rows([dialog.id])[dialog.id]
    html = payloads.dialog_row_html(row)
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html
    assert payloads.row_version(row) != before


def test_tab_rows_show_the_tags(alice_client, dialog, vip, delivery, put):
    put(dialog, vip, delivery)
    html = alice_client.get("/console/").content.decode()
    row = re.search(rf'<li class="row[^"]*" data-dialog="{dialog.id}".*?</li>', html, re.S)[0]
    assert row.index(">Delivery<") < row.index(">VIP<")  # by name


def test_adding_costs_a_fixed_number_of_queries(
    alice_client, dialog, vip, django_assert_num_queries
):
    alice_client.get("/console/")
    # session, user, operator; the dialog, its operators, my sites; the tag; savepoint,
    # insert, release; the dialog's tags, the picker's tags and its operators (the events);
    # the picker (the answer); the row event's messenger channel is cached
    # (messengers/row_cache.py, warmed by the dialog's earlier rows)
    with django_assert_num_queries(14):
        alice_client.post(add_url(dialog), {"tag": vip.id}, headers={"X-Fragment": "1"})
