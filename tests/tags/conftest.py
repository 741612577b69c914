"""Tags fixtures: a visitor's dialog answered by Alice, tags of her account, a manager."""

import pytest

from chat.dialogs import lifecycle
from chat.messaging import posting
from chat.models import Dialog
from chat.visitors import sessions
from tags import row_cache
from tags.models import DialogTag, Tag

UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0"


@pytest.fixture
def make_dialog(alice):
    """make(site, ended=False, operator=alice) -> a dialog with one message each way."""

    def make(site, *, ended=False, operator=alice, text="Do you deliver on Sunday?"):
        session = sessions.start_visitor_session(
            site=site, token=None, ip="203.0.113.5", user_agent=UA
        )
        message, _ = posting.post_visitor_message(
            visitor_id=session.visitor.id,
            visit_id=session.visit.id,
            client_id=f"c{session.visitor.id}-{session.visit.id}",
            text=text,
        )
        if operator is not None:
            lifecycle.connect_operator(operator=operator, dialog_id=message.dialog_id)
            posting.post_operator_message(
                operator=operator, dialog_id=message.dialog_id, client_id="o1", text="Yes."
            )
            if ended:
                lifecycle.end_dialog(operator=operator, dialog_id=message.dialog_id)
        return Dialog.objects.select_related("site", "visitor").get(pk=message.dialog_id)

    return make


@pytest.fixture
def dialog(make_dialog, site):
    return make_dialog(site)


@pytest.fixture
def vip(site):
    return Tag.objects.create(account=site.account, name="VIP", colour="purple")


@pytest.fixture
def delivery(site):
    return Tag.objects.create(account=site.account, name="Delivery", colour="green")


@pytest.fixture
def manager(make_operator, site):
    return make_operator(
        username="mira", display_name="Mira", sites=[site], can_manage_site_settings=True
    )


@pytest.fixture
def manager_client(manager):
    from django.test import Client

    client = Client()
    client.force_login(manager.user)
    return client


@pytest.fixture
def put():
    """put(dialog, *tags): the tags on the dialog, as rows (no event; the rows' cache
    forgotten as tags.services does)."""

    def put_tags(dialog, *tags):
        for tag in tags:
            DialogTag.objects.create(dialog=dialog, tag=tag)
        row_cache.forget_dialogs_on_commit([dialog.id])

    return put_tags
