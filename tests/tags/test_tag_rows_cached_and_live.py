"""The row's tags on the message path come from the cache (tags/row_cache.py): no query of
tags per message once warm, none at all for a new dialog, never stale after a tag is put
on, taken off, renamed, recoloured or deleted. A rename or recolour sends the rows of the
open dialogs carrying the tag to the consoles at once (tags.events.tag_changed_on_commit),
in a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chat.messaging import posting
from chat.realtime import events
from tags import services
from tags.models import Tag

pytestmark = pytest.mark.django_db

LIST = "/console/tags/"


@pytest.fixture
def sent(monkeypatch):
    """What was published, as (group, event) pairs, once the transaction commits."""
    out = []
    monkeypatch.setattr(events, "publish", lambda *sends: out.extend(sends))
    return out


def tag_queries(queries) -> list[str]:
    return [q["sql"] for q in queries if "tags_" in q["sql"]]


def operator_writes(alice, dialog, text, capture):
    with CaptureQueriesContext(connection) as queries, capture(execute=True):
        posting.post_operator_message(
            operator=alice, dialog_id=dialog.id, client_id=f"c-{text}", text=text
        )
    return queries.captured_queries


def rows_of(sent, dialog) -> list[dict]:
    return [e for _g, e in sent if e.get("type") == "chat.row" and e["dialog"] == dialog.id]


def test_a_tagged_dialogs_messages_read_no_tags_once_warm(
    alice, dialog, vip, delivery, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.add_to_dialog(operator=alice, dialog_id=dialog.id, tag_id=vip.id)
        services.add_to_dialog(operator=alice, dialog_id=dialog.id, tag_id=delivery.id)
    first = operator_writes(alice, dialog, "one", django_capture_on_commit_callbacks)
    assert len(tag_queries(first)) == 2  # cold: the dialog's tag ids, the account's tags
    sent.clear()
    second = operator_writes(alice, dialog, "two", django_capture_on_commit_callbacks)
    assert tag_queries(second) == []
    assert len(second) == len(first) - 2
    (row,) = rows_of(sent, dialog)
    html = row["html"]["en"]
    assert html.index(">Delivery<") < html.index(">VIP<")  # by name, as the lists show them
    assert 'tag-c-purple">VIP<' in row["html"]["ru"]


def test_a_new_dialog_reads_no_tags(site, make_dialog, django_capture_on_commit_callbacks):
    with CaptureQueriesContext(connection) as queries:
        make_dialog(site)  # opened by the visitor's message, answered by Alice
    assert tag_queries(queries.captured_queries) == []


def test_putting_on_and_taking_off_is_seen_by_the_next_row(
    alice, dialog, vip, sent, django_capture_on_commit_callbacks
):
    operator_writes(alice, dialog, "warm", django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.add_to_dialog(operator=alice, dialog_id=dialog.id, tag_id=vip.id)
    sent.clear()
    operator_writes(alice, dialog, "tagged", django_capture_on_commit_callbacks)
    assert ">VIP<" in rows_of(sent, dialog)[0]["html"]["en"]
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_from_dialog(operator=alice, dialog_id=dialog.id, tag_id=vip.id)
    sent.clear()
    operator_writes(alice, dialog, "untagged", django_capture_on_commit_callbacks)
    assert "row-tags" not in rows_of(sent, dialog)[0]["html"]["en"]


def test_a_rename_reaches_open_consoles_at_once_and_the_next_rows(
    manager_client, alice, site, make_dialog, vip, sent, django_capture_on_commit_callbacks
):
    open_one, other_open = make_dialog(site), make_dialog(site)
    ended = make_dialog(site, ended=True)
    for each in (open_one, other_open, ended):
        with django_capture_on_commit_callbacks(execute=True):
            services.add_to_dialog(operator=alice, dialog_id=each.id, tag_id=vip.id)
    operator_writes(alice, open_one, "warm", django_capture_on_commit_callbacks)
    sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(f"{LIST}{vip.id}/", {"name": "Gold <b>", "colour": "teal"})
    assert response.status_code == 302
    rows = [e for _g, e in sent if e.get("type") == "chat.row"]
    assert {row["dialog"] for row in rows} == {open_one.id, other_open.id}  # not the ended one
    for row in rows:
        assert 'tag-c-teal">Gold &lt;b&gt;<' in row["html"]["en"]
        assert ">VIP<" not in row["html"]["ru"]
    assert {g for g, e in sent if e.get("type") == "chat.row"} == {events.site_group(site.id)}
    # Their open pages get the header's control: the new name, VIP no more.
    headers = {g: e for g, e in sent if e.get("frame") == "tags"}
    assert set(headers) == {events.dialog_group(d.id) for d in (open_one, other_open)}
    for header in headers.values():
        assert header["tags"] == ["Gold <b>"]
        assert "Gold &lt;b&gt;" in header["html"]["en"] and "VIP" not in header["html"]["ru"]

    sent.clear()
    operator_writes(alice, open_one, "after", django_capture_on_commit_callbacks)
    assert 'tag-c-teal">Gold &lt;b&gt;<' in rows_of(sent, open_one)[0]["html"]["en"]


def test_a_rename_costs_the_same_queries_whatever_the_dialogs(
    alice, manager, site, make_dialog, vip, django_assert_num_queries
):
    def rename_cost(name):
        with CaptureQueriesContext(connection) as queries:
            services.update_tag(operator=manager, tag=vip, name=name, colour="red")
        return len(queries.captured_queries)

    services.add_to_dialog(operator=alice, dialog_id=make_dialog(site).id, tag_id=vip.id)
    one = rename_cost("One")
    for _ in range(3):
        services.add_to_dialog(operator=alice, dialog_id=make_dialog(site).id, tag_id=vip.id)
    assert rename_cost("Four") == one
    # unchanged name and colour: saved, no rows to send again
    with django_assert_num_queries(1):
        services.update_tag(operator=manager, tag=vip, name="Four", colour="red")


def test_a_deleted_tag_leaves_the_rows(
    manager, alice, dialog, vip, delivery, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.add_to_dialog(operator=alice, dialog_id=dialog.id, tag_id=vip.id)
        services.add_to_dialog(operator=alice, dialog_id=dialog.id, tag_id=delivery.id)
    operator_writes(alice, dialog, "warm", django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_tag(operator=manager, tag=vip)
    sent.clear()
    operator_writes(alice, dialog, "after", django_capture_on_commit_callbacks)
    html = rows_of(sent, dialog)[0]["html"]["en"]
    assert ">Delivery<" in html and ">VIP<" not in html


def test_a_new_tag_put_on_shows_on_the_next_row(
    manager, alice, dialog, vip, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.add_to_dialog(operator=alice, dialog_id=dialog.id, tag_id=vip.id)
    operator_writes(alice, dialog, "warm", django_capture_on_commit_callbacks)  # account cached
    with django_capture_on_commit_callbacks(execute=True):
        fresh = services.create_tag(operator=manager, name="Fresh", colour="blue")
        services.add_to_dialog(operator=alice, dialog_id=dialog.id, tag_id=fresh.id)
    sent.clear()
    operator_writes(alice, dialog, "after", django_capture_on_commit_callbacks)
    assert ">Fresh<" in rows_of(sent, dialog)[0]["html"]["en"]


def test_an_admin_rename_is_heard_too(
    alice, dialog, vip, sent, django_capture_on_commit_callbacks, admin_client
):
    with django_capture_on_commit_callbacks(execute=True):
        services.add_to_dialog(operator=alice, dialog_id=dialog.id, tag_id=vip.id)
    operator_writes(alice, dialog, "warm", django_capture_on_commit_callbacks)
    sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            f"/admin/tags/tag/{vip.id}/change/",
            {"account": vip.account_id, "name": "Platinum", "colour": "yellow"},
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Tag.objects.get(pk=vip.pk).name == "Platinum"
    assert ">Platinum<" in rows_of(sent, dialog)[0]["html"]["en"]
