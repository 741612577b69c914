"""The Visitors tab: who is online on my sites, filtered, in a fixed number of queries,
and nobody else's."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chat.dialogs import lifecycle
from chat.models import Dialog

URL = "/console/visitors/"


def page_queries(client, url=URL):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response, len(queries)


def test_rows_show_who_is_where_and_how_he_came(alice_client, site, put_online):
    put_online(
        site,
        url="https://shop.example/shoes?id=5",
        title="Red shoes",
        name="Ivan",
        visits=3,
        city="Kazan",
        country="Russia",
        device="Computer",
        browser="Firefox 128",
        referrer="https://search.example/?q=shoes",
        utm={"utm_source": "newsletter", "utm_campaign": "spring"},
    )
    html = alice_client.get(URL).content.decode()
    for expected in [
        "Ivan",
        "visit 3",
        "Kazan, Russia",
        'href="https://shop.example/shoes?id=5"',
        "Red shoes",
        "1 page",
        "https://search.example/?q=shoes",
        "campaign=spring, source=newsletter",
        "Computer · Firefox 128",
        "ru-RU",
        "Write to visitor",
    ]:
        assert expected in html, expected


def test_the_page_costs_the_same_queries_for_one_visitor_or_forty(
    alice_client, site, put_online, make_operator
):
    bob = make_operator(sites=[site], display_name="Bob")

    def in_dialog(visitor, *, connect=False):
        dialog = Dialog.objects.create(
            account=site.account, site=site, visitor=visitor, number=visitor.id
        )
        if connect:
            lifecycle.connect_operator(operator=bob, dialog_id=dialog.id)

    first = put_online(site)
    in_dialog(first, connect=True)
    _response, few = page_queries(alice_client)
    others = [put_online(site, url=f"https://shop.example/{n}") for n in range(39)]
    for n, visitor in enumerate(others[:6]):  # their rows say with whom they talk
        in_dialog(visitor, connect=n % 2 == 0)
    response, many = page_queries(alice_client)
    assert many == few
    assert response.content.decode().count('<li class="v-row') == 40
    assert "with Bob" in response.content.decode()
    assert first.display_name in response.content.decode()


def test_another_accounts_operator_sees_none_of_my_visitors(
    client, site, put_online, make_site, make_operator
):
    put_online(site, name="Ivan")
    stranger = make_operator(sites=[make_site()])
    client.force_login(stranger.user)
    html = client.get(URL).content.decode()
    assert "Ivan" not in html and '<li class="v-row' not in html
    assert client.get(URL + f"?site={site.id}").status_code == 200  # not his: no rows
    assert '<li class="v-row' not in client.get(URL + f"?site={site.id}").content.decode()
    assert client.get(URL + "counts/").json() == {
        "sites": {str(s): 0 for s in stranger.sites.values_list("id", flat=True)}
    }


def test_counts_per_site(alice_client, alice, site, put_online, make_site):
    second = make_site(account=site.account, operators=[alice])
    put_online(site)
    put_online(site)
    put_online(second)
    assert alice_client.get(URL + "counts/").json() == {
        "sites": {str(site.id): 2, str(second.id): 1}
    }


def test_filters_site_not_in_a_dialog_and_page(alice_client, alice, site, put_online, make_site):
    second = make_site(account=site.account, operators=[alice])
    shoes = put_online(site, url="https://shop.example/shoes", title="Shoes", name="Shoes fan")
    put_online(site, url="https://shop.example/hats", title="Hats", name="Hat fan")
    talking = put_online(site, url="https://shop.example/shoes/red", title="Red", name="Talker")
    put_online(second, url="https://other.example/", title="Other", name="Elsewhere")
    Dialog.objects.create(account=site.account, site=site, visitor=talking, number=1)

    def names(query):
        html = alice_client.get(URL + query).content.decode()
        return {n for n in ["Shoes fan", "Hat fan", "Talker", "Elsewhere"] if n in html}

    assert names("") == {"Shoes fan", "Hat fan", "Talker", "Elsewhere"}
    assert names(f"?site={second.id}") == {"Elsewhere"}
    assert names("?not_in_dialog=on") == {"Shoes fan", "Hat fan", "Elsewhere"}
    assert names("?page=SHOES") == {"Shoes fan", "Talker"}
    assert names("?page=shoes&not_in_dialog=on") == {shoes.display_name}
    assert names("?page=.*") == set()  # plain text, never a pattern


def test_untrusted_fields_are_escaped(alice_client, site, put_online):
    put_online(
        site,
        url="https://shop.example/?q=<script>",
        title="<img src=x onerror=alert(1)>",
        name="<b>Eve</b>",
    )
    html = alice_client.get(URL).content.decode()
    assert "<img src=x" not in html and "<b>Eve</b>" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "&lt;b&gt;Eve&lt;/b&gt;" in html


@pytest.mark.parametrize("language, word", [("en", "Visitors"), ("ru", "Посетители")])
def test_the_tab_is_on_every_console_page(alice_client, alice, language, word):
    alice.language = language
    alice.save(update_fields=["language"])
    html = alice_client.get("/console/").content.decode()
    assert 'id="visitors-tab"' in html and word in html
    assert 'data-socket="/ws/console/?topics=visitors"' in html
