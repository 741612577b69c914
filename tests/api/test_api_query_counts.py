"""Every list operation runs a fixed number of queries: the same for 2 rows as for 12."""

import pytest
from django.urls import reverse

from chat.dialogs import lifecycle
from chat.messaging import posting
from chat.models import Visit
from engage import presence_store
from leads.models import Lead

pytestmark = pytest.mark.django_db

LISTS = {
    "tabs": lambda d: reverse("api:tabs"),
    "mine": lambda d: reverse("api:tab_dialogs", args=["mine"]),
    "others": lambda d: reverse("api:tab_dialogs", args=["others"]),
    "missed": lambda d: reverse("api:tab_dialogs", args=["missed"]),
    "messages": lambda d: reverse("api:messages", args=[d]),
    "notes": lambda d: reverse("api:notes", args=[d]),
    "replies": lambda d: reverse("api:replies"),
    "dialog_replies": lambda d: reverse("api:dialog_replies", args=[d]),
    "history": lambda d: reverse("api:history") + "?q=order",
    "leads": lambda d: reverse("api:leads"),
    "visitor_card": lambda d: reverse("api:visitor_card", args=[d]),
    "visitors": lambda d: reverse("api:visitors"),
    "dialog": lambda d: reverse("api:dialog", args=[d]),  # not its messages
}


def fill(site, operator, colleague, visitor_writes, rows: int) -> int:
    """rows dialogs (half of them a colleague's), each with a lead; the first with rows
    messages. Returns the first dialog's id."""
    first = None
    for n in range(rows):
        message = visitor_writes(site, f"My order {n}", ip=f"203.0.113.{n + 1}")
        first = first or message.dialog_id
        visit = Visit.objects.filter(visitor_id=message.dialog.visitor_id).get()
        presence_store.store().socket_opened(  # online: the Visitors tab lists him
            site.id, visit.visitor_id, f"socket-{n}", visit_id=visit.id,
            since=visit.started_at.timestamp(), language="en",
        )  # fmt: skip
        if n % 2:
            lifecycle.connect_operator(operator=colleague, dialog_id=message.dialog_id)
        Lead.objects.create(
            account=site.account, site=site, dialog_id=message.dialog_id, source="offline",
            name=f"Lead {n}",
        )  # fmt: skip
    lifecycle.connect_operator(operator=operator, dialog_id=first)

    for n in range(rows):
        posting.post_operator_message(
            operator=operator, dialog_id=first, client_id=f"o{n}", text=f"answer {n}"
        )
    return first


@pytest.mark.parametrize("rows", [2, 12])
def test_list_operations_have_fixed_query_counts(
    rows, make_site, make_operator, make_api_client, visitor_writes, django_assert_num_queries
):
    site = make_site()
    operator = make_operator(sites=[site], can_see_others=True)
    colleague = make_operator(sites=[site], account=site.account)
    dialog_id = fill(site, operator, colleague, visitor_writes, rows)
    api = make_api_client(operator)
    api.get(reverse("api:me"))  # last_used_at written: later requests only read the token
    for name, url in LISTS.items():
        with django_assert_num_queries(EXPECTED[name]):
            response = api.get(url(dialog_id))
        assert response.status_code == 200, (name, response.json())


# The token (1 query) + the operation's own: the console selector's count. visitor_card:
# the dialog check (3) + the card (2); dialog ones: the check (3) + the rows.
EXPECTED = {
    "tabs": 2,
    "mine": 3,
    "others": 3,
    "missed": 2,
    "messages": 5,
    "notes": 5,
    "replies": 2,
    "dialog_replies": 5,
    "history": 2,
    "leads": 2,
    "visitor_card": 6,
    "visitors": 5,
    "dialog": 6,
}
