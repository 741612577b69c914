"""Tags in History (column, filter), Leads (filter, CSV) and the CRM payload: the
operator's account's tags only, fixed query counts whatever the rows."""

import csv
import io

import pytest
from django.test import Client

from crm import payloads
from leads.models import Lead
from tags.models import DialogTag, Tag

pytestmark = pytest.mark.django_db

HISTORY = "/console/history/"
LEADS = "/console/leads/"
ANY_DATE = {"date_from": "", "date_to": ""}


def listed(response):
    return [row.id for row in response.context["page"].object_list]


@pytest.fixture
def two(make_dialog, site, vip, delivery, put):
    """Two ended dialogs: one VIP and Delivery, one Delivery only; and an untagged one."""
    both, one, none = (make_dialog(site, ended=True) for _ in range(3))
    put(both, vip, delivery)
    put(one, delivery)
    return both, one, none


def test_history_filters_by_tag_and_shows_the_tags_column(alice_client, two, vip, delivery):
    both, one, none = two
    response = alice_client.get(HISTORY, {**ANY_DATE, "tag": vip.id})
    assert listed(response) == [both.id]
    response = alice_client.get(HISTORY, {**ANY_DATE, "tag": delivery.id})
    assert listed(response) == [one.id, both.id]
    html = alice_client.get(HISTORY, ANY_DATE).content.decode()
    assert '<th scope="col">Tags</th>' in html
    assert html.count('<td class="h-tags">') == 3
    assert (
        'tag-c-green">Delivery</span><span class="tag-chip tag-chip-small tag-c-purple">VIP' in html
    )
    assert f'<option value="{vip.id}">VIP</option>' in html


def test_history_refuses_another_accounts_tag(alice_client, two, make_site, make_dialog, put):
    foreign_site = make_site()
    foreign = Tag.objects.create(account=foreign_site.account, name="Foreign")
    response = alice_client.get(HISTORY, {**ANY_DATE, "tag": foreign.id})
    assert response.context["page"] is None  # the filter is invalid: no rows at all
    assert "Foreign" not in response.content.decode()
    assert "Select a valid choice" in response.content.decode()


def test_history_with_tags_costs_the_same_queries_whatever_the_rows(
    alice_client, make_dialog, site, vip, delivery, django_assert_num_queries
):
    dialogs = [make_dialog(site, ended=True) for _ in range(3)]
    DialogTag.objects.bulk_create(DialogTag(dialog=d, tag=vip) for d in dialogs)
    alice_client.get(HISTORY)
    # session, user, operator, tab counters, total, ids, rows, participants, tags of the
    # rows, the site, operator and tag choices; the chosen tag is looked up once
    with django_assert_num_queries(13):
        alice_client.get(HISTORY, {**ANY_DATE, "tag": vip.id})
    more = [make_dialog(site, ended=True) for _ in range(12)]
    DialogTag.objects.bulk_create(DialogTag(dialog=d, tag=t) for d in more for t in (vip, delivery))
    with django_assert_num_queries(13):
        response = alice_client.get(HISTORY, {**ANY_DATE, "tag": vip.id})
    assert len(listed(response)) == 15


def make_lead(site, dialog=None, name="Olga"):
    return Lead.objects.create(
        account=site.account, site=site, source="introduce", name=name, dialog=dialog
    )


def read_csv(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8")[1:])))


def test_leads_filter_by_their_dialogs_tag_and_the_csv_carries_the_tags(
    alice_client, two, site, vip, delivery
):
    both, one, none = two
    vip_lead = make_lead(site, both, "Olga")
    make_lead(site, one, "Ivan")
    make_lead(site, None, "Offline")
    response = alice_client.get(LEADS, {"tag": vip.id})
    assert [lead.id for lead in response.context["page"].object_list] == [vip_lead.id]
    assert response.context["live"] is False  # a live lead's frame does not say its tags
    rows = read_csv(alice_client.get(LEADS + "export.csv"))
    assert rows[0][-1] == "Tags"
    assert {row[3]: row[-1] for row in rows[1:]} == {
        "Olga": "Delivery, VIP",
        "Ivan": "Delivery",
        "Offline": "",
    }
    rows = read_csv(alice_client.get(LEADS + "export.csv", {"tag": delivery.id}))
    assert sorted(row[3] for row in rows[1:]) == ["Ivan", "Olga"]


def test_leads_refuse_another_accounts_tag(alice_client, two, site, make_site):
    make_lead(site, two[0])
    foreign = Tag.objects.create(account=make_site().account, name="Foreign")
    response = alice_client.get(LEADS, {"tag": foreign.id})
    assert response.context["page"] is None
    assert alice_client.get(LEADS + "export.csv", {"tag": foreign.id}).status_code == 400


def test_the_leads_csv_costs_the_same_queries_whatever_the_rows(
    alice_client, make_dialog, site, vip, django_assert_num_queries
):
    for _ in range(3):
        dialog = make_dialog(site, ended=True)
        DialogTag.objects.create(dialog=dialog, tag=vip)
        make_lead(site, dialog)
    # session, user, operator, the rows, their dialogs' tags
    with django_assert_num_queries(5):
        response = alice_client.get(LEADS + "export.csv")
    assert [row[-1] for row in read_csv(response)[1:]] == ["VIP"] * 3


def test_the_crm_payload_names_the_dialogs_tags(two):
    both, _one, none = two
    assert payloads.dialog_data(both)["tags"] == ["Delivery", "VIP"]
    assert payloads.dialog_data(none)["tags"] == []


def test_another_accounts_operator_never_sees_the_tag_choices(two, make_site, make_operator):
    outsider = make_operator(sites=[make_site()])
    client = Client()
    client.force_login(outsider.user)
    html = client.get(HISTORY).content.decode()
    assert "VIP" not in html and "Delivery" not in html
