"""Leads in Django admin: searchable by name, email and phone; a fixed number of queries."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from leads.models import Lead

pytestmark = pytest.mark.django_db

URL = "/admin/leads/lead/"


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser("root", "root@example.com", "pw-123456")
    client.force_login(user)
    return client


def add_leads(site, names):
    Lead.objects.bulk_create(
        Lead(
            account=site.account,
            site=site,
            source="offline_form",
            name=name,
            email=f"{name.lower()}@example.com",
            phone=f"+7912345{index:04d}",
        )
        for index, name in enumerate(names)
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [("ivan", ["Ivan"]), ("olga@example", ["Olga"]), ("+79123450001", ["Olga"])],
)
def test_leads_are_searchable_by_name_email_and_phone(admin_client, site, query, expected):
    add_leads(site, ["Ivan", "Olga", "Petr"])

    response = admin_client.get(URL, {"q": query})

    assert response.status_code == 200
    assert [lead.name for lead in response.context["cl"].result_list] == expected


def test_the_change_list_costs_the_same_queries_whatever_the_rows(admin_client, make_site):
    site = make_site()

    def queries(count):
        add_leads(site, [f"Lead{n}" for n in range(count)])
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(URL).status_code == 200
        return len(captured)

    assert queries(3) == queries(60)
