"""History's Channel column and filter, and the Channels page: fixed query counts whatever
the rows."""

import pytest
from django.test import Client
from messengers_cast import telegram_update, vk_event

from chat.dialogs import lifecycle
from chat.messaging import posting
from chat.models import Dialog
from chat.visitors import sessions
from messengers.models import Bot

pytestmark = pytest.mark.django_db(transaction=True)

HISTORY = "/console/history/"
ANY_DATE = {"date_from": "", "date_to": ""}
# session, user, operator, tab counters, total, ids, rows (with the channel's contact and
# bot, joined), participants, the rows' tags, the site, operator and tag choices
HISTORY_QUERIES = 12
# session, user, operator, the tab counters, the channels (with their sites), and the
# managed sites (the choices of both forms, read as each renders: 4)
PAGE_QUERIES = 9


def ended(alice, dialog_id):
    lifecycle.connect_operator(operator=alice, dialog_id=dialog_id)
    lifecycle.end_dialog(operator=alice, dialog_id=dialog_id)


def widget_dialog(site, n):
    session = sessions.start_visitor_session(site=site, token=None, ip=None, user_agent="")
    message, _ = posting.post_visitor_message(
        visitor_id=session.visitor.id, visit_id=None, client_id=f"w{n}", text="hi"
    )
    return message.dialog_id


def listed(response):
    return sorted(row.id for row in response.context["page"].object_list)


@pytest.fixture
def three(peer, bot, community, site, alice, deliver_webhook, deliver_vk):
    deliver_webhook(bot, telegram_update(1))
    deliver_vk(community, vk_event("e1"))
    widget = widget_dialog(site, 1)
    by_kind = {
        "telegram": Dialog.objects.get(visitor__messenger_contact__bot=bot).pk,
        "vk": Dialog.objects.get(visitor__messenger_contact__bot=community).pk,
        "widget": widget,
    }
    for dialog_id in by_kind.values():
        ended(alice, dialog_id)
    return by_kind


def test_history_filters_by_channel_and_shows_the_column(alice_client, three):
    for channel, dialog_id in three.items():
        response = alice_client.get(HISTORY, {**ANY_DATE, "channel": channel})
        assert listed(response) == [dialog_id], channel
    html = alice_client.get(HISTORY, ANY_DATE).content.decode()
    assert '<th scope="col">Channel</th>' in html
    assert html.count('<td class="h-channel">') == 3
    assert "@ivan_tg" in html and "Website widget" in html
    refused = alice_client.get(HISTORY, {**ANY_DATE, "channel": "fax"})
    assert refused.context["page"] is None


def test_history_with_channels_costs_the_same_queries_whatever_the_rows(
    alice_client, three, site, alice, django_assert_num_queries, deliver_webhook, bot
):
    alice_client.get(HISTORY, ANY_DATE)
    with django_assert_num_queries(HISTORY_QUERIES):
        alice_client.get(HISTORY, {**ANY_DATE, "channel": "telegram"})
    for n in range(2, 6):  # four more Telegram users
        update = telegram_update(n)
        update["message"]["chat"] = {"id": 5000 + n, "type": "private"}
        deliver_webhook(bot, update)
    for dialog in Dialog.objects.filter(status="new"):
        ended(alice, dialog.pk)
    with django_assert_num_queries(HISTORY_QUERIES):
        response = alice_client.get(HISTORY, {**ANY_DATE, "channel": "telegram"})
    assert len(listed(response)) == 5


def test_the_channels_page_costs_the_same_queries_whatever_the_channels(
    peer, site, make_operator, make_site, django_assert_num_queries
):
    manager = make_operator(username="mira", sites=[site], can_manage_site_settings=True)
    client = Client()
    client.force_login(manager.user)
    Bot.objects.create(site=site, kind="telegram", name="one", external_id="1", token="t" * 20)
    client.get("/console/messengers/")
    with django_assert_num_queries(PAGE_QUERIES):
        client.get("/console/messengers/")
    for n in range(2, 6):
        other = make_site(account=site.account, operators=[manager])
        Bot.objects.create(site=other, kind="vk", name=f"c{n}", external_id=str(n), token="t" * 20)
    with django_assert_num_queries(PAGE_QUERIES):
        page = client.get("/console/messengers/").content.decode()
    assert page.count('class="settings-site"') == 5
