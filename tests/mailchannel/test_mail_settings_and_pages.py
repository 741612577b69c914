"""Site settings > E-mail (a site manager opts in to transcripts and sets the lead
addresses; nobody else may), the admin, and the fixed query counts of the pages that
show e-mails."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from mail_cast import answer, left_visitor

from chat.models import Message
from mailchannel.models import MailDelivery, SiteMail

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def manager(make_operator, site):
    return make_operator(username="mira", sites=[site], can_manage_site_settings=True)


def logged_in(operator):
    client = Client()
    client.force_login(operator.user)
    return client


def test_a_manager_turns_on_transcripts_and_sets_lead_addresses(site, manager):
    client = logged_in(manager)
    url = f"/console/sites/{site.pk}/email/"
    page = client.get(url).content.decode()
    assert 'aria-current="page">E-mail' in page and "send_transcripts" in page
    response = client.post(
        url, {"send_transcripts": "on", "lead_addresses": "sales@shop.test, boss@shop.test"}
    )
    assert response.status_code == 302
    settings_row = SiteMail.objects.get(site=site)
    assert settings_row.send_transcripts
    assert settings_row.addresses == ["sales@shop.test", "boss@shop.test"]
    assert "E-mail settings saved." in client.get(url).content.decode()


def test_a_wrong_address_is_said_on_the_form_in_russian(site, manager):
    manager.language = "ru"
    manager.save(update_fields=["language"])
    client = logged_in(manager)
    response = client.post(
        f"/console/sites/{site.pk}/email/", {"lead_addresses": "sales@shop.test\nnot-an-address"}
    )
    assert response.status_code == 200
    assert "«not-an-address» — не адрес электронной почты." in response.content.decode()
    assert not SiteMail.objects.exists()


def test_nobody_else_may_change_them(site, make_operator, make_site):
    plain = make_operator(sites=[site])
    assert logged_in(plain).get(f"/console/sites/{site.pk}/email/").status_code == 403
    stranger = make_operator(sites=[make_site()], can_manage_site_settings=True)
    response = logged_in(stranger).post(
        f"/console/sites/{site.pk}/email/", {"send_transcripts": "on"}
    )
    assert response.status_code == 404 and not SiteMail.objects.exists()


def test_the_admin_edits_a_sites_email_settings(site, admin_client):
    response = admin_client.post(
        "/admin/mailchannel/sitemail/add/",
        {"site": site.pk, "send_transcripts": "on", "lead_addresses": "sales@shop.test"},
    )
    assert response.status_code == 302
    assert SiteMail.objects.get().addresses == ["sales@shop.test"]
    assert admin_client.get("/admin/mailchannel/maildelivery/").status_code == 200
    assert admin_client.get("/admin/mailchannel/inboundmail/").status_code == 200


def test_the_dialog_page_costs_the_same_queries_whatever_the_emails(
    site, alice, alice_client, settings, django_assert_num_queries
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    dialog = left_visitor(site)
    answer(alice, dialog, text="first")
    url = f"/console/dialogs/{dialog.pk}/"
    alice_client.get(url)
    with CaptureQueriesContext(connection) as one:
        alice_client.get(url)
    for n in range(4):
        Message.objects.create(dialog=dialog, author_kind="operator", operator=alice, text=f"m{n}")
        MailDelivery.objects.create(
            account=site.account, site=site, dialog=dialog, kind="answer",
            recipients="pavel@mail.test", language="en", mail_id=f"<m{n}@x>",
            status="failed", reason=f"550 refused {n}",
        )  # fmt: skip
    with django_assert_num_queries(len(one.captured_queries)):
        page = alice_client.get(url).content.decode()
    assert page.count("channel-delivery mail-delivery") == 5


def test_the_admin_lists_cost_the_same_queries_whatever_the_rows(
    site, admin_client, django_assert_num_queries
):
    def add(n):
        MailDelivery.objects.create(
            account=site.account, site=site, kind="lead", recipients="s@shop.test",
            language="en", mail_id=f"<a{n}@x>",
        )  # fmt: skip

    add(0)
    with CaptureQueriesContext(connection) as one:
        admin_client.get("/admin/mailchannel/maildelivery/")
    for n in range(1, 6):
        add(n)
    with django_assert_num_queries(len(one.captured_queries)):
        admin_client.get("/admin/mailchannel/maildelivery/")
