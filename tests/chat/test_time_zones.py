"""Times in the operator's time zone: his profile's, else his browser's (the "tz" cookie).

Pages are rendered in that zone; live fragments in UTC, with <time datetime data-fmt>
that static/chat/console-time.js shows in the same zone (tests/e2e/test_language_and_time.py).
"""

import datetime
import re

import pytest
from django.core.paginator import Paginator
from django.template import Context, Template
from django.utils import timezone, translation

from chat.console import timezones
from chat.messaging import payloads, posting
from chat.models import Dialog
from chat.visitors import sessions

# 03:07 UTC yesterday is 13:07 in Vladivostok (UTC+10, no daylight saving).
AT = (timezone.now() - datetime.timedelta(days=1)).replace(
    hour=3, minute=7, second=0, microsecond=0
)


@pytest.fixture(autouse=True)
def keep_language():
    """Views activate the operator's language in this thread: later tests must not hear it."""
    with translation.override(translation.get_language()):
        yield


@pytest.fixture
def dialog(site):
    session = sessions.start_visitor_session(site=site, token=None, ip=None, user_agent="")
    message, _ = posting.post_visitor_message(
        visitor_id=session.visitor.id, visit_id=session.visit.id, client_id="v1", text="Hi"
    )
    Dialog.objects.filter(pk=message.dialog_id).update(created_at=AT, last_message_at=AT)
    return Dialog.objects.select_related("site", "visitor").get(pk=message.dialog_id)


def row_time(html: str) -> str:
    return re.search(r'<time class="row-time"[^>]*>([^<]*)</time>', html).group(1)


def history_time(html: str) -> str:
    return re.search(r'<td class="h-started"><time[^>]*>([^<]*)</time>', html).group(1)


def test_the_profiles_zone_shows_on_the_mine_page_and_history(alice, alice_client, dialog):
    alice.time_zone = "Asia/Vladivostok"
    alice.save()

    alice_client.cookies["tz"] = "Europe/London"
    mine = alice_client.get("/console/").content.decode()
    history = alice_client.get("/console/history/").content.decode()

    assert row_time(mine) == "13:07"  # the profile wins over the browser's cookie
    assert history_time(history).endswith(", 13:07")
    assert 'data-time-zone="Asia/Vladivostok"' in mine
    assert '<option value="Asia/Vladivostok" selected>Asia/Vladivostok</option>' in mine


def test_without_a_profile_zone_the_browsers_cookie_is_used(alice, client, dialog):
    client.force_login(alice.user)
    client.cookies["tz"] = "Asia/Vladivostok"
    assert row_time(client.get("/console/").content.decode()) == "13:07"

    client.cookies["tz"] = "Mars/Olympus_Mons"  # not a zone: the server's (UTC)
    assert row_time(client.get("/console/").content.decode()) == "03:07"

    del client.cookies["tz"]
    page = client.get("/console/").content.decode()
    assert row_time(page) == "03:07"
    assert '<option value="" selected>' in page  # "Browser time zone"


def test_zone_for_checks_the_name():
    class Profile:
        time_zone = ""

    assert timezones.zone_for(Profile(), "Asia/Vladivostok") == "Asia/Vladivostok"
    assert timezones.zone_for(Profile(), "../../etc/passwd") == ""
    assert timezones.zone_for(Profile(), None) == ""
    Profile.time_zone = "Europe/Moscow"
    assert timezones.zone_for(Profile(), "Asia/Vladivostok") == "Europe/Moscow"


def test_the_operator_picks_his_zone_in_the_menu(alice, alice_client):
    response = alice_client.post(
        "/console/time-zone/", {"time_zone": "Asia/Vladivostok", "next": "/console/history/"}
    )
    assert response.status_code == 302 and response["Location"] == "/console/history/"
    alice.refresh_from_db()
    assert alice.time_zone == "Asia/Vladivostok"

    alice_client.post("/console/time-zone/", {"time_zone": "Nowhere/City"})
    alice.refresh_from_db()
    assert alice.time_zone == "Asia/Vladivostok"  # refused, unchanged

    alice_client.post("/console/time-zone/", {"time_zone": ""})
    alice.refresh_from_db()
    assert alice.time_zone == ""  # back to the browser's


def test_live_rows_are_rendered_in_utc_whatever_zone_is_active(dialog):
    """The publisher may run inside an operator's request with his zone active: the row
    it sends everyone is in UTC, and console-time.js shows it in each operator's zone."""
    with timezone.override(datetime.timezone(datetime.timedelta(hours=10))):
        html = payloads.per_language(payloads.dialog_row_html, dialog)
    for variant in html.values():
        assert row_time(variant) == "03:07"
        assert 'datetime="' + AT.isoformat().replace("+00:00", "") in variant
        assert 'data-fmt="time"' in variant


def test_counts_are_grouped_by_the_locale():
    template = Template("{% load locale_tags %}{{ n|grouped }}")
    with translation.override("en"):
        assert template.render(Context({"n": 1234})) == "1,234"
    with translation.override("ru"):
        assert template.render(Context({"n": 1234})) == "1\xa0234"


def test_history_total_is_grouped_by_the_locale(alice, alice_client, dialog, monkeypatch):
    monkeypatch.setattr(Paginator, "count", property(lambda self: 1234))
    alice.language = "ru"
    alice.save()
    page = alice_client.get("/console/history/").content.decode()
    assert 'id="history-total">1\xa0234 диалога<' in page
    alice.language = "en"
    alice.save()
    page = alice_client.get("/console/history/").content.decode()
    assert 'id="history-total">1,234 dialogs<' in page
