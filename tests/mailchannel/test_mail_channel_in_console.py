"""A dialog opened by an e-mail shows its channel as "✉ E-mail" (Russian: "Почта")
wherever the console shows a dialog's channel: History's Channel column and filter, the
dialog header and the visitor card; not "Website widget". History's query count stays
fixed whatever its e-mail rows. Real peers: Dovecot holds the mail."""

import pytest
from django.core.management import call_command
from django.test import Client
from mail_cast import EMAIL_BADGE, new_mail

from chat.dialogs import lifecycle
from chat.messaging import posting
from chat.models import Dialog
from chat.visitors import sessions
from mailchannel.models import SiteMail

pytestmark = pytest.mark.django_db(transaction=True)

INBOX = "support@shop.test"
HISTORY = "/console/history/"
ANY_DATE = {"date_from": "", "date_to": ""}


def ended(alice, dialog_id):
    lifecycle.connect_operator(operator=alice, dialog_id=dialog_id)
    lifecycle.end_dialog(operator=alice, dialog_id=dialog_id)


def widget_dialog(site):
    session = sessions.start_visitor_session(
        site=site, token=None, ip="203.0.113.9", user_agent="Firefox"
    )
    message, _ = posting.post_visitor_message(
        visitor_id=session.visitor.id, visit_id=session.visit.id, client_id="w1", text="hi"
    )
    return message.dialog_id


def mailed_dialogs(mailbox, alice, senders, start=1) -> list[int]:
    for n, sender in enumerate(senders, start=start):
        mailbox.append(new_mail(sender, n, to=INBOX))
    call_command("mail_poll")
    opened = Dialog.objects.filter(visitor__email__in=[s.split("<")[-1][:-1] for s in senders])
    ids = sorted(opened.values_list("pk", flat=True))
    for dialog_id in ids:
        ended(alice, dialog_id)
    return ids


def listed(response):
    return sorted(row.id for row in response.context["page"].object_list)


@pytest.fixture
def console(alice):
    browser = Client()
    browser.force_login(alice.user)
    return browser


def test_a_dialog_opened_by_email_shows_the_email_channel(mailbox, site, alice, console):
    SiteMail.objects.create(site=site, inbox_address=INBOX)
    [by_mail] = mailed_dialogs(mailbox, alice, ["Olga <olga@mail.test>"])
    widget = widget_dialog(site)
    ended(alice, widget)

    history = console.get(HISTORY, ANY_DATE).content.decode()
    row = history.split(f'data-dialog="{by_mail}"')[1].split("</tr>")[0]
    assert EMAIL_BADGE in row and "Website widget" not in row
    assert '<option value="email">E-mail</option>' in history
    assert listed(console.get(HISTORY, {**ANY_DATE, "channel": "email"})) == [by_mail]
    assert listed(console.get(HISTORY, {**ANY_DATE, "channel": "widget"})) == [widget]

    page = console.get(f"/console/dialogs/{by_mail}/").content.decode()
    header = page.split('class="dialog-sub"')[1].split("</div>")[0]
    assert EMAIL_BADGE in header
    assert f"<dt>Channel</dt><dd>{EMAIL_BADGE}</dd>" in page
    widget_page = console.get(f"/console/dialogs/{widget}/").content.decode()
    assert "channel-email" not in widget_page

    alice.language = "ru"
    alice.save(update_fields=["language"])
    history = console.get(HISTORY, ANY_DATE).content.decode()
    assert '<option value="email">Почта</option>' in history
    assert 'aria-hidden="true">✉</span> Почта</span>' in history
    page = console.get(f"/console/dialogs/{by_mail}/").content.decode()
    assert "<dt>Канал</dt>" in page and 'aria-hidden="true">✉</span> Почта</span>' in page


def test_history_costs_the_same_queries_whatever_its_email_rows(
    mailbox, site, alice, console, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    SiteMail.objects.create(site=site, inbox_address=INBOX)
    mailed_dialogs(mailbox, alice, ["Olga <olga@mail.test>"])
    ended(alice, widget_dialog(site))
    console.get(HISTORY, ANY_DATE)
    with CaptureQueriesContext(connection) as one:
        console.get(HISTORY, ANY_DATE)
    senders = [f"Guest {n} <guest{n}@mail.test>" for n in range(2, 6)]
    mailed_dialogs(mailbox, alice, senders, start=2)
    with django_assert_num_queries(len(one.captured_queries)):
        html = console.get(HISTORY, ANY_DATE).content.decode()
    assert html.count(EMAIL_BADGE) == 5
    with django_assert_num_queries(len(one.captured_queries)):
        response = console.get(HISTORY, {**ANY_DATE, "channel": "email"})
    assert len(listed(response)) == 5
