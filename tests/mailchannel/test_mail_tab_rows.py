"""A dialog opened by an e-mail shows "✉ E-mail" (Russian: "Почта") on the console's tab
rows, as a Telegram dialog shows its messenger: on the page (Mine, Missed) and in the
rows that come live on the operator's socket. The tab pages and the message path cost the
same queries whatever their e-mail dialogs (mailchannel/rows.py). Real peers: Dovecot
holds the mail."""

import pytest
from channels.db import database_sync_to_async
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from mail_cast import EMAIL_BADGE, RU_BADGE, new_mail

from chat.dialogs import lifecycle
from chat.messaging import payloads, posting
from chat.models import Dialog
from chat.visitors import sessions
from mailchannel import rows
from mailchannel.models import SiteMail

pytestmark = pytest.mark.django_db(transaction=True)

INBOX = "support@shop.test"


def mailed(mailbox, senders, start=1) -> list[int]:
    """New e-mail dialogs, one per sender, as the IMAP poll opens them."""
    before = set(Dialog.objects.values_list("pk", flat=True))
    for n, sender in enumerate(senders, start=start):
        mailbox.append(new_mail(sender, n, to=INBOX))
    call_command("mail_poll")
    return sorted(set(Dialog.objects.values_list("pk", flat=True)) - before)


def widget_dialog(site) -> int:
    session = sessions.start_visitor_session(
        site=site, token=None, ip="203.0.113.9", user_agent="Firefox"
    )
    message, _ = posting.post_visitor_message(
        visitor_id=session.visitor.id, visit_id=session.visit.id, client_id="w1", text="hi"
    )
    return message.dialog_id


def row_of(html: str, dialog_id: int) -> str:
    return html.split(f'data-dialog="{dialog_id}"')[1].split("</li>")[0]


@pytest.fixture
def site_mail(site):
    return SiteMail.objects.create(site=site, inbox_address=INBOX)


@pytest.fixture
def console(alice):
    browser = Client()
    browser.force_login(alice.user)
    return browser


def test_the_tab_rows_show_the_email_channel(mailbox, site_mail, site, alice, console):
    [by_mail] = mailed(mailbox, ["Olga <olga@mail.test>"])
    widget = widget_dialog(site)

    mine = console.get("/console/").content.decode()
    assert EMAIL_BADGE in row_of(mine, by_mail)
    assert "channel-email" not in row_of(mine, widget)

    alice.language = "ru"
    alice.save(update_fields=["language"])
    mine = console.get("/console/").content.decode()
    assert RU_BADGE in row_of(mine, by_mail)
    assert "channel-email" not in row_of(mine, widget)

    Dialog.objects.filter(pk=by_mail).update(status=Dialog.Status.MISSED)
    missed = console.get("/console/missed/").content.decode()
    assert RU_BADGE in row_of(missed, by_mail)


@pytest.mark.parametrize("url", ["/console/", "/console/missed/"])
def test_a_tab_page_costs_the_same_queries_with_one_or_several_email_dialogs(
    mailbox, site_mail, site, console, url, django_assert_num_queries
):
    def listed(dialog_ids):
        if url.endswith("missed/"):
            Dialog.objects.filter(pk__in=dialog_ids).update(status=Dialog.Status.MISSED)

    widget_dialog(site)
    listed(mailed(mailbox, ["Olga <olga@mail.test>"]))
    console.get(url)  # warm the session
    with CaptureQueriesContext(connection) as one:
        html = console.get(url).content.decode()
    assert html.count(EMAIL_BADGE) == 1
    senders = [f"Guest {n} <guest{n}@mail.test>" for n in range(2, 7)]
    listed(mailed(mailbox, senders, start=2))
    cache.clear()  # nothing of the rows comes from the cache: the list reads it
    with django_assert_num_queries(len(one.captured_queries)):
        html = console.get(url).content.decode()
    assert html.count(EMAIL_BADGE) == 6


def test_an_answer_s_live_row_costs_what_a_widget_dialog_s_costs(
    mailbox, site_mail, site, alice, monkeypatch
):
    """The row an answer sends: its channel costs no query more than a widget dialog's
    (what follows the commit, the answer's e-mail, is the e-mail channel's own work)."""
    [by_mail] = mailed(mailbox, ["Olga <olga@mail.test>"])
    widget = widget_dialog(site)
    rendered = []
    real = payloads.dialog_row_variants

    def counted(dialog):
        with CaptureQueriesContext(connection) as reading:
            html = real(dialog)
        rendered.append((dialog.pk, len(reading.captured_queries), html))
        return html

    monkeypatch.setattr(payloads, "dialog_row_variants", counted)
    for name, dialog_id in [("widget", widget), ("email", by_mail)]:
        lifecycle.connect_operator(operator=alice, dialog_id=dialog_id)
        posting.post_operator_message(
            operator=alice, dialog_id=dialog_id, client_id=f"a-{name}", text="Yes, we do."
        )
    costs = {pk: count for pk, count, _ in rendered}
    assert costs[by_mail] == costs[widget]
    [email_row] = [html for pk, _, html in rendered if pk == by_mail][-1:]
    assert EMAIL_BADGE in email_row["en"] and RU_BADGE in email_row["ru"]


def test_a_live_row_reads_its_channel_from_the_cache_once(
    mailbox, site_mail, django_assert_num_queries
):
    """A dialog the list did not read (a live row's): the cache, filled by the poll that
    opened it; after a miss, one query for the next rows of the whole cache's life."""
    [by_mail] = mailed(mailbox, ["Olga <olga@mail.test>"])

    def fresh():
        return Dialog.objects.select_related("site", "visitor").get(pk=by_mail)

    dialog = fresh()
    with django_assert_num_queries(0):
        html = payloads.dialog_row_variants(dialog)
    assert EMAIL_BADGE in html["en"] and RU_BADGE in html["ru"]
    cache.clear()
    first, second = fresh(), fresh()
    with django_assert_num_queries(1):
        assert rows.badge_html(first) == EMAIL_BADGE
    with django_assert_num_queries(0):
        assert rows.badge_html(second) == EMAIL_BADGE
        assert rows.facts(second) == ["email"]


def test_a_batch_of_rows_reads_their_channel_in_one_query(
    mailbox, site_mail, site, django_assert_num_queries
):
    mail_ids = mailed(mailbox, [f"Guest {n} <guest{n}@mail.test>" for n in range(1, 4)])
    widget = widget_dialog(site)
    cache.clear()
    batch = list(Dialog.objects.select_related("site", "visitor").order_by("pk"))
    with django_assert_num_queries(1):
        rows.load(batch)
    with django_assert_num_queries(0):
        shown = {dialog.pk: rows.badge_html(dialog) for dialog in batch}
    assert {pk for pk, html in shown.items() if html == EMAIL_BADGE} == set(mail_ids)
    assert shown[widget] == ""


def test_an_erased_visitor_s_rows_no_longer_say_email(mailbox, site_mail):
    """Erasing him erases his e-mails: History calls his dialog the widget's, and so do
    its rows, even one read without its visitor (the cache key is forgotten)."""
    from chat.visitors import erasure

    [by_mail] = mailed(mailbox, ["Olga <olga@mail.test>"])
    assert rows.badge_html(Dialog.objects.get(pk=by_mail)) == EMAIL_BADGE
    erasure.erase_visitors([Dialog.objects.get(pk=by_mail).visitor_id])
    assert rows.badge_html(Dialog.objects.get(pk=by_mail)) == ""
    listed = Dialog.objects.select_related("site", "visitor").get(pk=by_mail)
    assert "channel-email" not in "".join(payloads.dialog_row_variants(listed).values())


async def test_live_rows_on_the_operator_socket_show_the_email_channel(
    sockets, mailbox, site_mail, alice, make_operator, site
):
    boris = await database_sync_to_async(make_operator)(
        username="boris", display_name="Boris", sites=[site], language="ru"
    )
    console, _ = await sockets.operator(alice)
    console_ru, _ = await sockets.operator(boris)
    [by_mail] = await database_sync_to_async(mailed)(mailbox, ["Olga <olga@mail.test>"])

    [row] = (await sockets.expect(console, "row"))["row"]
    assert row["dialog"] == by_mail and EMAIL_BADGE in row["html"]
    [row] = (await sockets.expect(console_ru, "row"))["row"]
    assert RU_BADGE in row["html"]

    # A row that changes for another reason keeps it: an answer on the socket.
    await database_sync_to_async(lifecycle.connect_operator)(operator=alice, dialog_id=by_mail)
    await console.send_json_to(
        {"type": "message", "dialog": by_mail, "client_id": "c-1", "text": "Yes, we do."}
    )
    row = await answered_row(console)
    assert EMAIL_BADGE in row["html"]


async def answered_row(console, limit=8):
    """The row of the answer, after the rows of the connection (and the socket's ack)."""
    for _ in range(limit):
        frame = await console.receive_json_from(timeout=5)
        if frame["type"] == "row" and "Yes, we do." in (frame["html"] or ""):
            return frame
    raise AssertionError("the answer's row never came")
