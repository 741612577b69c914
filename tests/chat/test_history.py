"""Dialog history page: which dialogs it lists, its filters, the table, pages, query count."""

import datetime
import itertools

import pytest
from django.urls import reverse
from django.utils import timezone

from chat.console.filters import start_of
from chat.models import Dialog, Message, Participant, Visitor

pytestmark = pytest.mark.django_db

URL = "/console/history/"
# Per page, whatever the row count: session, user, operator, the tab counters, the
# total, the page's ids, its rows (site, visitor, message count), their participants (operator,
# user), the rows' tags (tags app: one prefetch), the site, operator and tag choices.
PAGE_QUERIES = 12
# A chosen site and operator are each looked up once when the form checks them.
FILTERED_PAGE_QUERIES = PAGE_QUERIES + 2

_numbers = itertools.count(1)


@pytest.fixture
def blog(make_site, site):
    return make_site(account=site.account, name="blog.example")


@pytest.fixture
def alice(make_operator, site, blog):
    return make_operator(username="alice", display_name="Alice", sites=[site, blog])


@pytest.fixture
def bob(make_operator, site):
    return make_operator(username="bob", display_name="Bob", sites=[site])


def make_dialog(
    site,
    *,
    ago=datetime.timedelta(hours=1),
    at=None,
    status=Dialog.Status.CLOSED,
    texts=("Hello",),
    visitor=None,
    operators=(),
    left=True,
):
    """A dialog of the site started `ago` before now (or `at`), with visitor messages and
    the operators' stays (left when `left`, else still connected)."""
    created = at or timezone.now() - ago
    visitor = visitor or Visitor.objects.create(site=site, animal="blue-fox")
    dialog = Dialog.objects.create(
        account=site.account,
        site=site,
        visitor=visitor,
        number=next(_numbers),
        status=status,
        created_at=created,
        last_message_at=created,
        last_message_text=texts[-1] if texts else "",
        last_message_author="visitor",
    )
    for text in texts:
        Message.objects.create(dialog=dialog, author_kind="visitor", text=text, created_at=created)
    for operator in operators:
        Participant.objects.create(
            dialog=dialog, operator=operator, joined_at=created, left_at=created if left else None
        )
    return dialog


def listed(response):
    assert response.status_code == 200
    page = response.context["page"]
    assert page is not None, response.context["filter"].errors
    return [dialog.id for dialog in page.object_list]


def errors(response):
    assert response.status_code == 200
    assert response.context["page"] is None
    return response.context["filter"].errors


# --- access ---------------------------------------------------------------------------------


def test_history_needs_a_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={URL}"


def test_history_refuses_a_user_who_is_not_an_operator(client, make_user):
    client.force_login(make_user())
    assert client.get(URL).status_code == 403


def test_history_lists_every_dialog_of_my_sites_but_not_other_accounts_or_sites(
    alice_client, alice, site, blog, make_site, make_operator
):
    mine = [
        make_dialog(site, status=Dialog.Status.CLOSED),
        make_dialog(site, status=Dialog.Status.NEW),
        make_dialog(site, status=Dialog.Status.MISSED),
        make_dialog(blog, status=Dialog.Status.ACTIVE, operators=[alice], left=False),
    ]
    not_my_site = make_dialog(make_site(account=site.account))
    other_account = make_site(name="shop.example")
    foreign = make_dialog(other_account, texts=["Hello"])

    assert sorted(listed(alice_client.get(URL))) == sorted(d.id for d in mine)
    # Not even when asked for by site or found by text.
    assert "site" in errors(alice_client.get(URL, {"site": other_account.id}))
    assert foreign.id not in listed(alice_client.get(URL, {"q": "hello"}))
    assert not_my_site.id not in listed(alice_client.get(URL, {"q": "hello"}))


def test_colleagues_active_dialog_is_listed_only_with_can_see_others(client, alice, bob, site):
    """The same rule as the dialog page: what it would refuse is not listed here."""
    bobs_active = make_dialog(site, status=Dialog.Status.ACTIVE, operators=[bob], left=False)
    bobs_closed = make_dialog(site, status=Dialog.Status.CLOSED, operators=[bob])
    # Alice was in it once, left, and Bob carries on: she does not see it any more.
    alice_left = make_dialog(site, status=Dialog.Status.ACTIVE, operators=[alice], left=True)
    Participant.objects.create(dialog=alice_left, operator=bob)

    client.force_login(alice.user)
    shown = listed(client.get(URL))
    assert bobs_closed.id in shown
    assert bobs_active.id not in shown
    assert alice_left.id not in shown
    for hidden in (bobs_active, alice_left):
        assert client.get(reverse("console:dialog", args=[hidden.id])).status_code == 403

    alice.can_see_others = True
    alice.save()
    assert sorted(listed(client.get(URL))) == sorted(
        [bobs_active.id, bobs_closed.id, alice_left.id]
    )


# --- filters --------------------------------------------------------------------------------


def test_default_is_the_last_seven_days(alice_client, site):
    today = timezone.localdate()
    first_day = start_of(today - datetime.timedelta(days=6))
    now = make_dialog(site, ago=datetime.timedelta(minutes=1))
    week_start = make_dialog(site, at=first_day + datetime.timedelta(minutes=1))
    too_old = make_dialog(site, at=first_day - datetime.timedelta(minutes=1))
    month_old = make_dialog(site, ago=datetime.timedelta(days=30))

    response = alice_client.get(URL)
    assert sorted(listed(response)) == sorted([now.id, week_start.id])
    assert too_old.id not in listed(response) and month_old.id not in listed(response)
    html = response.content.decode()
    assert f'value="{(today - datetime.timedelta(days=6)).isoformat()}"' in html
    assert f'value="{today.isoformat()}"' in html
    assert "2 dialogs" in html
    # Another filter alone keeps the default week.
    assert sorted(listed(alice_client.get(URL, {"status": "closed"}))) == sorted(
        [now.id, week_start.id]
    )


def test_date_range_includes_the_whole_last_day(alice_client, site):
    day = timezone.localdate() - datetime.timedelta(days=40)
    before = make_dialog(site, at=start_of(day) - datetime.timedelta(seconds=1))
    first = make_dialog(site, at=start_of(day))
    last = make_dialog(
        site, at=start_of(day + datetime.timedelta(days=1)) - datetime.timedelta(seconds=1)
    )
    after = make_dialog(site, at=start_of(day + datetime.timedelta(days=1)))

    response = alice_client.get(URL, {"date_from": day.isoformat(), "date_to": day.isoformat()})
    assert sorted(listed(response)) == sorted([first.id, last.id])
    assert before.id not in listed(response) and after.id not in listed(response)
    # Only a start date: everything since.
    since = listed(alice_client.get(URL, {"date_from": day.isoformat(), "date_to": ""}))
    assert sorted(since) == sorted([first.id, last.id, after.id])


def test_both_dates_cleared_means_all_time(alice_client, site):
    old = make_dialog(site, ago=datetime.timedelta(days=400))
    recent = make_dialog(site)
    assert sorted(listed(alice_client.get(URL, {"date_from": "", "date_to": ""}))) == sorted(
        [old.id, recent.id]
    )


def test_days_are_those_of_the_server_time_zone(alice_client, site, settings):
    settings.TIME_ZONE = "Pacific/Kiritimati"  # UTC+14
    # 11:00 UTC on the 10th is already 01:00 on the 11th there.
    dialog = make_dialog(site, at=datetime.datetime(2025, 3, 10, 11, 0, tzinfo=datetime.UTC))
    assert listed(alice_client.get(URL, {"date_from": "2025-03-11", "date_to": "2025-03-11"})) == [
        dialog.id
    ]
    assert listed(alice_client.get(URL, {"date_from": "2025-03-10", "date_to": "2025-03-10"})) == []


def test_filter_by_site(alice_client, site, blog):
    in_shop = make_dialog(site)
    in_blog = make_dialog(blog)
    assert listed(alice_client.get(URL, {"site": blog.id})) == [in_blog.id]
    assert listed(alice_client.get(URL, {"site": site.id})) == [in_shop.id]


def test_filter_by_operator_matches_anyone_who_took_part(alice_client, alice, bob, site):
    bob_left = make_dialog(site, operators=[bob], left=True)
    both = make_dialog(site, operators=[alice, bob])
    alice_only = make_dialog(site, operators=[alice])
    nobody = make_dialog(site, status=Dialog.Status.MISSED)

    assert sorted(listed(alice_client.get(URL, {"operator": bob.id}))) == sorted(
        [bob_left.id, both.id]
    )
    assert sorted(listed(alice_client.get(URL, {"operator": alice.id}))) == sorted(
        [both.id, alice_only.id]
    )
    assert nobody.id in listed(alice_client.get(URL))


def test_operator_of_another_account_is_not_a_choice(alice_client, make_operator, site):
    make_dialog(site)
    stranger = make_operator()
    assert "operator" in errors(alice_client.get(URL, {"operator": stranger.id}))
    assert "Stranger" not in alice_client.get(URL).content.decode()


def test_filter_by_status(alice_client, site):
    closed = make_dialog(site, status=Dialog.Status.CLOSED)
    missed = make_dialog(site, status=Dialog.Status.MISSED)
    new = make_dialog(site, status=Dialog.Status.NEW)
    assert listed(alice_client.get(URL, {"status": "missed"})) == [missed.id]
    assert listed(alice_client.get(URL, {"status": "closed"})) == [closed.id]
    assert listed(alice_client.get(URL, {"status": "new"})) == [new.id]


def test_text_search_over_messages_is_case_insensitive_and_lists_a_dialog_once(alice_client, site):
    refund = make_dialog(site, texts=["Where is my REFUND?", "Still no refund", "refund please"])
    russian = make_dialog(site, texts=["Хочу вернуть Заказ"])
    other = make_dialog(site, texts=["Shipping to Spain?"])

    response = alice_client.get(URL, {"q": "Refund"})
    assert listed(response) == [refund.id]
    assert "1 dialog" in response.content.decode()
    assert listed(alice_client.get(URL, {"q": "заказ"})) == [russian.id]
    assert listed(alice_client.get(URL, {"q": "  spain "})) == [other.id]
    assert listed(alice_client.get(URL, {"q": "100%"})) == []  # LIKE wildcards are literal


def test_text_search_skips_system_lines(alice_client, site):
    dialog = make_dialog(site, texts=["Hi"])
    Message.objects.create(dialog=dialog, author_kind="system", text="Alice joined the dialog")
    assert listed(alice_client.get(URL, {"q": "joined"})) == []


def test_text_search_finds_visitor_name_email_and_phone(alice_client, site):
    named = make_dialog(
        site,
        visitor=Visitor.objects.create(
            site=site, animal="red-fox", name="Ivan Petrov", email="ivan@Example.org"
        ),
    )
    phoned = make_dialog(
        site, visitor=Visitor.objects.create(site=site, animal="owl", phone="+7 900 123-45-67")
    )
    make_dialog(site)
    assert listed(alice_client.get(URL, {"q": "petrov"})) == [named.id]
    assert listed(alice_client.get(URL, {"q": "IVAN@example.ORG"})) == [named.id]
    assert listed(alice_client.get(URL, {"q": "123-45"})) == [phoned.id]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"date_from": "yesterday"}, "date_from"),
        ({"date_from": "2025-02-30"}, "date_from"),
        ({"date_from": "0001-01-01"}, "date_from"),  # would overflow east of UTC
        ({"date_to": "9999-12-31"}, "date_to"),  # the day after does not exist
        ({"date_from": "2025-03-10", "date_to": "2025-03-01"}, "date_to"),
        ({"site": "shop"}, "site"),
        ({"site": "999999"}, "site"),
        ({"operator": "-1"}, "operator"),
        ({"status": "lost"}, "status"),
        ({"q": "x" * 201}, "q"),
    ],
)
def test_invalid_filter_values_are_form_errors(alice_client, site, settings, query, field):
    settings.TIME_ZONE = "Asia/Tokyo"
    make_dialog(site)
    response = alice_client.get(URL, query)
    assert field in errors(response)
    html = response.content.decode()
    assert 'class="field-errors"' in html
    assert "Correct the filter to see the dialogs." in html
    assert "<details" in html and 'id="history-filter" open' in html  # shown on phones too


# --- the table and pages ----------------------------------------------------------------------


def test_row_shows_the_dialog_at_a_glance(alice_client, alice, bob, site):
    visitor = Visitor.objects.create(site=site, animal="blue-fox", email="eva@example.org")
    dialog = make_dialog(site, texts=["One", "Two", "Three <b>bold</b>"], visitor=visitor)
    Message.objects.create(dialog=dialog, author_kind="operator", operator=bob, text="Answer")
    Message.objects.create(dialog=dialog, author_kind="system", text="Bob joined the dialog")
    for operator in (bob, alice, bob):  # Bob rejoined: listed once
        Participant.objects.create(dialog=dialog, operator=operator, left_at=timezone.now())

    response = alice_client.get(URL)
    (row,) = response.context["page"].object_list
    assert row.message_count == 4  # what people wrote; the system line is not counted
    assert row.operator_names == ["Bob", "Alice"]
    html = response.content.decode()
    assert f"#{dialog.number}" in html
    assert "Blue Fox" in html and "eva@example.org" in html
    assert "shop.example" in html
    assert "Bob, Alice" in html
    assert "Closed" in html
    assert "Three &lt;b&gt;bold&lt;/b&gt;" in html  # escaped
    assert f'href="{reverse("console:dialog", args=[dialog.id])}"' in html


def test_every_value_a_row_shows_is_escaped(alice_client, make_operator, site):
    site.name = "<b>shop</b>"
    site.save()
    mallory = make_operator(username="mallory", display_name="<i>Mal</i>", sites=[site])
    visitor = Visitor.objects.create(
        site=site, animal="blue-fox", name="<script>x</script>", email="a<b@example.org"
    )
    make_dialog(site, texts=["<img src=x>"], visitor=visitor, operators=[mallory])

    html = alice_client.get(URL).content.decode()
    assert "<script>x" not in html and "&lt;script&gt;x&lt;/script&gt;" in html
    assert "a&lt;b@example.org" in html
    assert "&lt;b&gt;shop&lt;/b&gt;" in html
    assert "&lt;i&gt;Mal&lt;/i&gt;" in html
    assert "<img src=x>" not in html and "&lt;img src=x&gt;" in html


def test_a_column_with_only_a_cell_template_is_still_shown(alice_client, site, monkeypatch):
    """An app's column without cell_html has its cell_template rendered with the row."""
    from django.template import engines

    from chat.console import history_columns, history_rows

    column = history_columns.HistoryColumn(name="probe", heading="Probe", cell_template="probe")
    monkeypatch.setitem(history_columns._columns, "probe", column)
    cell = engines["django"].from_string('<td class="h-probe">n{{ dialog.number }}</td>')
    monkeypatch.setattr(history_rows, "get_template", lambda name: cell)
    dialog = make_dialog(site)

    html = alice_client.get(URL).content.decode()
    assert '<th scope="col">Probe</th>' in html
    assert f'<td class="h-probe">n{dialog.number}</td>' in html


def test_a_listed_closed_dialog_opens_read_only(alice_client, bob, site):
    dialog = make_dialog(site, texts=["Thanks, bye"], operators=[bob])
    html = alice_client.get(URL).content.decode()
    href = reverse("console:dialog", args=[dialog.id])
    assert f'href="{href}"' in html
    page = alice_client.get(href).content.decode()
    assert "Thanks, bye" in page
    assert 'id="composer"' not in page and 'id="connect-dialog"' not in page


def test_history_tab_is_in_the_console_tab_bar_with_live_counts(alice_client, site):
    make_dialog(site, status=Dialog.Status.NEW)
    make_dialog(site, status=Dialog.Status.MISSED)
    assert f'href="{URL}"' in alice_client.get(reverse("console:mine")).content.decode()
    html = alice_client.get(URL).content.decode()
    assert 'aria-current="page">History' in html
    assert 'data-count="mine">1<' in html and 'data-count="missed">1<' in html
    assert 'id="tab-members"' in html  # console.js keeps the counts live from it


def test_newest_first_fifty_a_page_and_the_filter_kept_in_page_links(alice_client, site):
    make_dialog(site, status=Dialog.Status.MISSED)  # filtered out below
    made = bulk_dialogs(site, 120)  # newest first
    response = alice_client.get(URL, {"status": "closed"})
    assert listed(response) == [d.id for d in made[:50]]
    html = response.content.decode()
    assert "120 dialogs" in html
    assert "Page 1 of 3" in html
    assert 'href="?status=closed&amp;page=2"' in html

    response = alice_client.get(URL, {"status": "closed", "page": "3"})
    assert listed(response) == [d.id for d in made[100:]]
    assert 'href="?status=closed&amp;page=2"' in response.content.decode()
    # A page that is not a number or is past the end still answers.
    assert listed(alice_client.get(URL, {"status": "closed", "page": "x"}))[0] == made[0].id
    assert listed(alice_client.get(URL, {"status": "closed", "page": "99"}))[0] == made[100].id


def test_empty_result_says_so(alice_client):
    response = alice_client.get(URL, {"q": "nothing"})
    assert listed(response) == []
    assert "No dialogs match the filter." in response.content.decode()


# --- query count ------------------------------------------------------------------------------


def bulk_dialogs(site, count, *, operators=()):
    """`count` closed dialogs of the last days, newest first, each with a visitor, two
    messages and a stay of each operator, in a handful of queries."""
    now = timezone.now()
    visitors = Visitor.objects.bulk_create(
        Visitor(site=site, animal="blue-fox", name=f"Visitor {i}", email=f"v{i}@example.org")
        for i in range(count)
    )
    dialogs = Dialog.objects.bulk_create(
        Dialog(
            account=site.account,
            site=site,
            visitor=visitor,
            number=next(_numbers),
            status=Dialog.Status.CLOSED,
            created_at=now - datetime.timedelta(seconds=10 + i),
            last_message_text=f"Question {i}",
        )
        for i, visitor in enumerate(visitors)
    )
    Message.objects.bulk_create(
        Message(dialog=dialog, author_kind=kind, text=f"{kind} line {i}")
        for i, dialog in enumerate(dialogs)
        for kind in ("visitor", "operator")
    )
    Participant.objects.bulk_create(
        Participant(dialog=dialog, operator=operator, left_at=now)
        for dialog in dialogs
        for operator in operators
    )
    return dialogs


@pytest.mark.parametrize("size", [100, 5000])
def test_query_count_does_not_grow_with_rows(
    alice_client, alice, bob, site, size, django_assert_num_queries
):
    bulk_dialogs(site, size, operators=[alice, bob])
    with django_assert_num_queries(PAGE_QUERIES):
        response = alice_client.get(URL)
    page = response.context["page"]
    assert page.paginator.count == size
    assert len(page.object_list) == 50
    assert all(row.operator_names == ["Alice", "Bob"] for row in page.object_list)
    assert all(row.message_count == 2 for row in page.object_list)

    filtered = {"site": site.id, "operator": bob.id, "status": "closed", "q": "line", "page": 2}
    with django_assert_num_queries(FILTERED_PAGE_QUERIES):
        response = alice_client.get(URL, filtered)
    assert response.context["page"].paginator.count == size
    assert len(response.context["page"].object_list) == 50
