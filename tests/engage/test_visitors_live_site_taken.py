"""A site taken from an operator (chat/console/withdrawal.py): his open console pages stop
hearing the site's live Visitors rows at once (the socket leaves the topic's group of that
site), and keep hearing his other sites'."""

import pytest
from channels.db import database_sync_to_async
from test_visitors_live import next_of, visitors_console

from chat.console import withdrawal

pytestmark = pytest.mark.django_db(transaction=True)


async def test_the_lost_sites_visitors_are_no_longer_heard(sockets, site, make_site, alice):
    kept = await database_sync_to_async(make_site)(account=site.account)
    await database_sync_to_async(withdrawal.add_operator_to_site)(alice, kept)
    console = await visitors_console(sockets, alice)

    await database_sync_to_async(withdrawal.remove_operator_from_site)(alice, site)
    assert (await next_of(console, "sites_changed"))["lost"] == [site.id]

    await sockets.visitor(site)
    await sockets.visitor(kept)
    frame = await console.receive_json_from(timeout=5)
    while frame["type"] not in ("visitor_row", "visitors_count"):
        frame = await console.receive_json_from(timeout=5)
    assert frame["site"] == kept.id, frame
    for _ in range(3):
        later = await console.receive_json_from(timeout=5)
        if later["type"] in ("visitor_row", "visitors_count"):
            assert later["site"] == kept.id, later
        if later["type"] == "visitors_count":
            break
