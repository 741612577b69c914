"""The visitor card beside a dialog: who, where from, which pages, which operators; the
current page and the online dot follow the visitor live."""

import logging
import shutil
from datetime import timedelta

import geoip2.database
import pytest
from channels.db import database_sync_to_async
from django.test import Client
from django.utils import timezone
from mmdb_writer import MMDBWriter
from netaddr import IPSet

from chat.dialogs import lifecycle
from chat.messaging import posting
from chat.models import Participant, Visit
from chat.visitors import card, sessions, visits

WINDOWS_CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Safari/537.36"
)
IPHONE_SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1"
)
ANDROID_CHROME = (
    "Mozilla/5.0 (Linux; Android 14; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/124.0.0.0 Mobile Safari/537.36"
)
LONDON_IP = "81.2.69.160"
BERLIN_IP = "2a02:8100::17"


def build_geoip_db(path) -> None:
    """A tiny GeoLite2-City-compatible database: one IPv4 and one IPv6 network."""
    writer = MMDBWriter(
        ip_version=6,
        ipv4_compatible=True,
        database_type="GeoLite2-City",
        languages=["en", "ru"],
        description="livechat tests",
    )
    writer.insert_network(
        IPSet(["81.2.69.0/24"]),
        {
            "city": {"geoname_id": 2643743, "names": {"en": "London", "ru": "Лондон"}},
            "country": {
                "geoname_id": 2635167,
                "iso_code": "GB",
                "names": {"en": "United Kingdom", "ru": "Великобритания"},
            },
        },
    )
    writer.insert_network(
        IPSet(["2a02:8100::/32"]),
        {
            "city": {"geoname_id": 2950159, "names": {"en": "Berlin", "ru": "Берлин"}},
            "country": {"geoname_id": 2921044, "iso_code": "DE", "names": {"en": "Germany"}},
        },
    )
    writer.to_db_file(str(path))


@pytest.fixture(scope="session")
def geoip_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("geoip") / "GeoLite2-City-test.mmdb"
    build_geoip_db(path)
    return path


@pytest.fixture
def geoip(settings, geoip_db):
    settings.GEOIP_PATH = str(geoip_db)
    return geoip_db


def open_dialog(site, *, ip=LONDON_IP, user_agent=WINDOWS_CHROME, token=None):
    """A visitor opens the widget and writes: (session, dialog)."""
    session = sessions.start_visitor_session(site=site, token=token, ip=ip, user_agent=user_agent)
    message, _created = posting.post_visitor_message(
        visitor_id=session.visitor.id, visit_id=session.visit.id, client_id="c-1", text="Hello"
    )
    return session, message.dialog


def card_html(operator, dialog) -> str:
    client = Client()
    client.force_login(operator.user)
    response = client.get(f"/console/dialogs/{dialog.id}/")
    assert response.status_code == 200
    html = response.content.decode()
    start = html.index('<aside class="visitor-card"')
    return html[start : html.index("</aside>", start)]


# --- what the card shows ---------------------------------------------------------------


@pytest.mark.django_db
def test_card_of_an_anonymous_visitor(geoip, site, alice):
    session, dialog = open_dialog(site)
    html = card_html(alice, dialog)
    visitor = session.visitor
    assert visitor.display_name in html  # the animal nickname ...
    assert f'avatar avatar-animal" aria-hidden="true">{visits_icon(visitor)}</span>' in html
    assert f"<dd>#{dialog.number}</dd>" in html
    assert '<dd id="card-visits">1</dd>' in html
    assert LONDON_IP in html
    assert '<dd id="card-location">London, United Kingdom</dd>' in html
    assert "Chrome 124" in html and "Windows 10" in html and "<dd>Computer</dd>" in html
    assert "mailto:" not in html and "tel:" not in html
    assert "No operator has joined yet." in html
    assert "card-dot-online" in html  # his widget is open


def visits_icon(visitor):
    from chat.visitors import animals

    return animals.icon(visitor.animal)


@pytest.mark.django_db
def test_card_of_a_named_visitor_shows_his_letter_and_contacts(geoip, site, alice):
    session, dialog = open_dialog(site)
    visitor = session.visitor
    visitor.name, visitor.email, visitor.phone = "olga", "olga@example.com", "+44 (20) 7946-0958"
    visitor.save()
    html = card_html(alice, dialog)
    assert '<span class="avatar" aria-hidden="true">O</span>' in html
    assert "avatar-animal" not in html
    assert "<strong>olga</strong>" in html
    assert 'href="mailto:olga@example.com"' in html
    assert 'href="tel:+442079460958"' in html


@pytest.mark.django_db
def test_a_visit_is_new_after_31_minutes_without_activity(site, alice):
    session, dialog = open_dialog(site)
    sessions.end_visitor_session(visitor_id=session.visitor.id, visit_id=session.visit.id)

    # Back after 10 minutes: the same visit goes on.
    Visit.objects.update(last_activity_at=timezone.now() - timedelta(minutes=10))
    again = sessions.start_visitor_session(
        site=site, token=session.visitor.token, ip=LONDON_IP, user_agent=WINDOWS_CHROME
    )
    assert again.visit.id == session.visit.id
    sessions.end_visitor_session(visitor_id=session.visitor.id, visit_id=again.visit.id)
    assert '<dd id="card-visits">1</dd>' in card_html(alice, dialog)

    # Back after 31 minutes of silence: a new visit, counted on the card.
    Visit.objects.update(last_activity_at=timezone.now() - timedelta(minutes=31))
    later = sessions.start_visitor_session(
        site=site, token=session.visitor.token, ip=LONDON_IP, user_agent=IPHONE_SAFARI
    )
    assert later.visit.id != session.visit.id
    html = card_html(alice, dialog)
    assert '<dd id="card-visits">2</dd>' in html
    assert "Mobile Safari 17.4" in html  # the card describes the latest visit


@pytest.mark.django_db
def test_location_from_ipv6(geoip, site, alice):
    _session, dialog = open_dialog(site, ip=BERLIN_IP)
    assert '<dd id="card-location">Berlin, Germany</dd>' in card_html(alice, dialog)


@pytest.mark.django_db
def test_location_is_unknown_without_a_database_or_outside_it(settings, geoip, site, alice):
    _session, private = open_dialog(site, ip="10.1.2.3")
    assert '<dd id="card-location">unknown</dd>' in card_html(alice, private)
    settings.GEOIP_PATH = ""
    _session, london = open_dialog(site, ip=LONDON_IP)
    assert '<dd id="card-location">unknown</dd>' in card_html(alice, london)


@pytest.mark.django_db
def test_a_missing_or_corrupt_database_breaks_nothing_and_is_logged_once(
    settings, tmp_path, site, caplog
):
    corrupt = tmp_path / "corrupt.mmdb"
    corrupt.write_bytes(b"\xab\xcd\xefMaxMind.com" + b"\x00" * 64)
    for path in (tmp_path / "missing.mmdb", corrupt):
        settings.GEOIP_PATH = str(path)
        caplog.clear()
        with caplog.at_level(logging.ERROR, logger="chat.visitors.visits"):
            for _ in range(3):
                session = sessions.start_visitor_session(
                    site=site, token=None, ip=LONDON_IP, user_agent=WINDOWS_CHROME
                )
                assert (session.visit.city, session.visit.country) == ("", "")
                assert session.visit.browser == "Chrome 124"  # the rest is still filled
        assert len(caplog.records) == 1, caplog.text
        assert str(path) in caplog.records[0].getMessage()


def test_the_database_is_opened_once_per_process(settings, geoip_db, tmp_path, monkeypatch):
    path = tmp_path / "copy.mmdb"  # a path no other test has opened yet
    shutil.copy(geoip_db, path)
    settings.GEOIP_PATH = str(path)
    opened = []
    real_reader = geoip2.database.Reader

    def counting_reader(*args, **kwargs):
        opened.append(args[0])
        return real_reader(*args, **kwargs)

    monkeypatch.setattr(geoip2.database, "Reader", counting_reader)
    for _ in range(3):
        assert visits.locate(LONDON_IP) == {"city": "London", "country": "United Kingdom"}
    assert opened == [str(path)]


def test_city_names_follow_the_installation_language(settings, geoip_db, tmp_path):
    path = tmp_path / "ru.mmdb"
    shutil.copy(geoip_db, path)
    settings.GEOIP_PATH, settings.LANGUAGE_CODE = str(path), "ru"
    assert visits.locate(LONDON_IP) == {"city": "Лондон", "country": "Великобритания"}
    # A name missing in that language falls back to English.
    assert visits.locate(BERLIN_IP) == {"city": "Берлин", "country": "Germany"}


@pytest.mark.parametrize(
    ("user_agent", "browser", "system", "device"),
    [
        (WINDOWS_CHROME, "Chrome 124", "Windows 10", visits.COMPUTER),
        (IPHONE_SAFARI, "Mobile Safari 17.4", "iOS 17.4", "iPhone"),
        (ANDROID_CHROME, "Chrome Mobile 124", "Android 14", "Samsung SM-S911B"),
        ("", "", "", ""),
        ("x" * 100_000, "", "", ""),
    ],
)
def test_user_agent_parsing(user_agent, browser, system, device):
    assert visits.describe_user_agent(user_agent) == {
        "browser": browser,
        "os": system,
        "device": device,
    }


@pytest.mark.django_db
def test_card_shows_the_current_page_and_the_visit_parameters(site, alice):
    session, dialog = open_dialog(site)
    sessions.record_page(
        visit_id=session.visit.id,
        url="https://shop.example/sale?utm_source=mail",
        title="Sale",
        referrer="https://search.example/?q=shoes",
        utm={"utm_source": "mail", "utm_campaign": "spring"},
    )
    sessions.record_page(
        visit_id=session.visit.id, url="https://shop.example/cart", title="Your <cart>"
    )
    html = card_html(alice, dialog)
    current = html[html.index('id="card-page"') :]
    assert 'href="https://shop.example/cart"' in current
    assert "Your &lt;cart&gt;" in current  # escaped
    assert 'href="https://shop.example/sale?utm_source=mail"' in html  # landing page
    assert 'href="https://search.example/?q=shoes"' in html  # referrer
    assert '<dt class="card-utm">utm_campaign</dt><dd class="card-utm">spring</dd>' in html
    assert '<dt class="card-utm">utm_source</dt><dd class="card-utm">mail</dd>' in html


@pytest.mark.django_db
def test_card_lists_operators_connected_now_and_before(site, alice, make_operator):
    bob = make_operator(username="bob", display_name="Bob", sites=[site])
    _session, dialog = open_dialog(site)
    joined = timezone.now() - timedelta(hours=1)
    Participant.objects.create(
        dialog=dialog, operator=bob, joined_at=joined, left_at=joined + timedelta(minutes=5)
    )
    lifecycle.connect_operator(operator=alice, dialog_id=dialog.id)
    html = card_html(alice, dialog)
    bob_at = html.index("Bob</span>")
    alice_at = html.index("Alice</span>")
    assert bob_at < alice_at  # first joined first
    bob_line = html[bob_at:alice_at]
    assert "<strong>now</strong>" not in bob_line
    assert timezone.localtime(joined + timedelta(minutes=5)).strftime("%H:%M") in bob_line
    assert "<strong>now</strong>" in html[alice_at:]


@pytest.mark.django_db
def test_card_needs_two_queries_whatever_the_number_of_operators(
    site, make_operator, django_assert_num_queries
):
    _session, dialog = open_dialog(site)
    dialog = type(dialog).objects.select_related("visitor").get(pk=dialog.pk)
    for count in (1, 4):
        for _ in range(count):
            operator = make_operator(sites=[site])
            Participant.objects.create(dialog=dialog, operator=operator, left_at=timezone.now())
        with django_assert_num_queries(2):
            view = card.visitor_card(dialog)
            names = [stay.operator.name for stay in view.stays]
            assert view.visit.browser == "Chrome 124"
        assert len(names) == Participant.objects.filter(dialog=dialog).count()


# --- live updates ----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
async def test_the_current_page_reaches_the_watching_console_only(
    sockets, site, alice, make_operator, make_site
):
    carol = await database_sync_to_async(make_operator)(
        username="carol", sites=[await database_sync_to_async(make_site)(account=site.account)]
    )
    widget, _hello = await sockets.visitor(site)
    await widget.send_json_to({"type": "message", "client_id": "v-1", "text": "Hi"})
    ack = (await sockets.expect(widget, "ack", "message"))["ack"][0]
    dialog_id = ack["dialog"]

    console, _ = await sockets.operator(alice)
    await console.send_json_to({"type": "watch", "dialog": dialog_id})
    assert await console.receive_json_from() == {"type": "watching", "dialog": dialog_id}
    stranger, _ = await sockets.operator(carol)  # an operator of another site
    await stranger.send_json_to({"type": "watch", "dialog": dialog_id})
    assert (await stranger.receive_json_from())["code"] == "forbidden"

    await widget.send_json_to(
        {"type": "page", "url": "https://shop.example/pay", "title": "Pay <now>"}
    )
    frame = await console.receive_json_from()
    assert frame["type"] == "page"
    assert frame["dialog"] == dialog_id
    assert 'id="card-page"' in frame["html"]
    assert 'href="https://shop.example/pay"' in frame["html"]
    assert "Pay &lt;now&gt;" in frame["html"]
    await sockets.silent(stranger)


@pytest.mark.django_db(transaction=True)
async def test_the_card_hears_the_visitor_come_and_go(sockets, site, alice):
    widget, hello = await sockets.visitor(site)
    await widget.send_json_to({"type": "message", "client_id": "v-1", "text": "Hi"})
    dialog_id = (await sockets.expect(widget, "ack", "message"))["ack"][0]["dialog"]
    console, _ = await sockets.operator(alice)
    await console.send_json_to({"type": "watch", "dialog": dialog_id})
    await console.receive_json_from()

    second_tab, _ = await sockets.visitor(site, token=hello["visitor"]["token"])
    await sockets.silent(console)  # he was online already
    await second_tab.disconnect()
    await sockets.silent(console)  # one tab is still open
    await widget.disconnect()
    offline = {"type": "visitor_online", "dialog": dialog_id, "online": False}
    assert await console.receive_json_from() == offline
    back, _ = await sockets.visitor(site, token=hello["visitor"]["token"])
    assert await console.receive_json_from() == {**offline, "online": True}
