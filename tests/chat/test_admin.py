"""Admin change lists stay at a fixed number of queries however many rows they show."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chat.models import (
    Attachment,
    BlockedIP,
    Dialog,
    Invitation,
    Message,
    Participant,
    Site,
    Visit,
    Visitor,
)
from operators.models import Account, Operator

CHANGELISTS = [
    "/admin/chat/site/",
    "/admin/chat/visitor/",
    "/admin/chat/visit/",
    "/admin/chat/dialog/",
    "/admin/chat/message/",
    "/admin/operators/operator/",
    "/admin/chat/invitation/",
    "/admin/chat/attachment/",
    "/admin/chat/blockedip/",
]


def add_rows(account, count, offset):
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"op{offset + i}") for i in range(count)
    )
    operators = Operator.objects.bulk_create(
        Operator(user=user, account=account, display_name=f"Op {offset + i}")
        for i, user in enumerate(users)
    )
    sites = Site.objects.bulk_create(
        Site(account=account, name=f"Site {offset + i}", widget_key=f"k{offset + i}")
        for i in range(count)
    )
    visitors = Visitor.objects.bulk_create(
        Visitor(site=sites[i], token=f"t{offset + i}", animal="blue-fox") for i in range(count)
    )
    Visit.objects.bulk_create(Visit(visitor=v) for v in visitors)
    dialogs = Dialog.objects.bulk_create(
        Dialog(account=account, site=sites[i], visitor=visitors[i], number=offset + i)
        for i in range(count)
    )
    Participant.objects.bulk_create(
        Participant(dialog=d, operator=operators[i]) for i, d in enumerate(dialogs)
    )
    messages = Message.objects.bulk_create(
        Message(dialog=d, author_kind="operator", operator=operators[i], text="hi")
        for i, d in enumerate(dialogs)
    )
    Invitation.objects.bulk_create(
        Invitation(dialog=d, inviter=operators[i], invitee=operators[i - 1])
        for i, d in enumerate(dialogs)
    )
    Attachment.objects.bulk_create(
        Attachment(message=m, name=f"f{i}.pdf", size=10, content_type="application/pdf")
        for i, m in enumerate(messages)
    )
    BlockedIP.objects.bulk_create(
        BlockedIP(account=account, network=f"10.{offset}.{i}.1/32", blocked_by=operators[i])
        for i in range(count)
    )


def queries_for(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.django_db
@pytest.mark.parametrize("url", CHANGELISTS)
def test_changelist_query_count_does_not_grow_with_rows(admin_client, url):
    account = Account.objects.create(name="A")
    add_rows(account, 3, 0)
    few = queries_for(admin_client, url)
    add_rows(account, 40, 100)
    assert queries_for(admin_client, url) == few


@pytest.mark.django_db
def test_admin_search_finds_dialog_by_visitor_email(admin_client):
    account = Account.objects.create(name="A")
    site = Site.objects.create(account=account, name="Shop")
    visitor = Visitor.objects.create(site=site, animal="red-fox", email="ivan@example.com")
    Dialog.objects.create(account=account, site=site, visitor=visitor, number=77)
    other = Visitor.objects.create(site=site, animal="grey-wolf", email="olga@example.com")
    Dialog.objects.create(account=account, site=site, visitor=other, number=78)
    page = admin_client.get("/admin/chat/dialog/", {"q": "ivan@example.com"})
    assert [dialog.number for dialog in page.context["cl"].result_list] == [77]
