"""The "Show more" button under a tab's list: the first page of rows, then the rest."""

import re

import pytest
from django.urls import reverse

from chat.models import Dialog
from tests.chat.test_console_pages import join, make_dialogs

pytestmark = pytest.mark.django_db

# session, user, operator, the rows after the cursor (the cursor is a subquery), their tags
ROWS_QUERIES = 5


@pytest.fixture(autouse=True)
def small_pages(settings):
    settings.CHAT_CONSOLE_PAGE_SIZE = 3


def row_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'class="row [^"]*" data-dialog="(\d+)"', html)]


def test_the_tab_shows_its_first_page_and_offers_the_rest(alice_client, site):
    dialogs = make_dialogs(site, 7)  # newest first
    page = alice_client.get(reverse("console:mine")).content.decode()
    assert row_ids(page) == [d.id for d in dialogs[:3]]
    assert re.search(r'<button[^>]*id="tab-more"(?![^>]*hidden)', page)
    assert "7" in re.search(r'data-count="mine">(\d+)<', page).group(1)


def test_show_more_walks_every_row_once_in_order(alice_client, site):
    dialogs = make_dialogs(site, 7)
    url = reverse("console:tab_rows", args=["mine"])
    shown, has_more = [d.id for d in dialogs[:3]], True
    while has_more:
        response = alice_client.get(url, {"after": shown[-1]})
        assert response.status_code == 200
        shown += row_ids(response.content.decode())
        has_more = response["X-Has-More"] == "1"
    assert shown == [d.id for d in dialogs]


def test_rows_with_the_same_time_are_neither_skipped_nor_repeated(alice_client, site):
    dialogs = make_dialogs(site, 6)
    Dialog.objects.filter(pk__in=[d.id for d in dialogs]).update(
        last_message_at=dialogs[0].last_message_at
    )
    expected = sorted((d.id for d in dialogs), reverse=True)  # ties: newest id first
    first = row_ids(alice_client.get(reverse("console:mine")).content.decode())
    rest = alice_client.get(reverse("console:tab_rows", args=["mine"]), {"after": first[-1]})
    assert first + row_ids(rest.content.decode()) == expected
    assert rest["X-Has-More"] == "0"


def test_no_button_when_everything_fits(alice_client, site):
    make_dialogs(site, 3)
    page = alice_client.get(reverse("console:mine")).content.decode()
    assert re.search(r'<button[^>]*id="tab-more"[^>]*hidden', page)


@pytest.mark.parametrize("size", [5, 60])
def test_more_rows_query_count_is_fixed(alice_client, alice, site, size, django_assert_num_queries):
    dialogs = make_dialogs(site, size // 2, start=1)
    join(alice, make_dialogs(site, size - size // 2, start=1000))
    with django_assert_num_queries(ROWS_QUERIES):
        response = alice_client.get(
            reverse("console:tab_rows", args=["mine"]), {"after": dialogs[0].id}
        )
    assert response.status_code == 200


def test_another_accounts_dialog_is_no_cursor(alice_client, site, make_site):
    make_dialogs(site, 5)
    (foreign,) = make_dialogs(make_site(name="other.example"), 1, start=500)
    response = alice_client.get(reverse("console:tab_rows", args=["mine"]), {"after": foreign.id})
    assert response.status_code == 200
    assert row_ids(response.content.decode()) == []


def test_others_rows_need_the_access_flag(alice_client):
    response = alice_client.get(reverse("console:tab_rows", args=["others"]), {"after": 1})
    assert response.status_code == 403


def test_a_bad_cursor_is_a_clear_400(alice_client):
    response = alice_client.get(reverse("console:tab_rows", args=["mine"]), {"after": "x"})
    assert response.status_code == 400
