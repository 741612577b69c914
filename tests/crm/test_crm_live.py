"""The dialog's export panel follows the export live on every console watching it."""

import pytest
from channels.db import database_sync_to_async

from crm import delivery, selectors, services


@pytest.mark.django_db(transaction=True)
async def test_watching_console_hears_queued_then_sent(
    sockets, alice, dialog, make_integration, httpserver, monkeypatch
):
    httpserver.expect_request("/hook").respond_with_json({"id": "r1"})
    integration = await database_sync_to_async(make_integration)(
        "webhook", name="Shop CRM", settings={"url": httpserver.url_for("/hook"), "secret": "s"}
    )
    monkeypatch.setattr(services, "enqueue", lambda export_id: None)  # delivered below
    console, _hello = await sockets.operator(alice)
    await console.send_json_to({"type": "watch", "dialog": dialog.id})
    assert (await console.receive_json_from())["type"] == "watching"

    [export] = await database_sync_to_async(services.queue_dialog_export)(
        operator=alice, dialog_id=dialog.id
    )
    frame = await console.receive_json_from(timeout=2)
    assert frame["type"] == "export"
    assert frame["dialog"] == dialog.id
    assert "Queued for Shop CRM…" in frame["html"]
    assert 'id="crm-exports"' in frame["html"]

    loaded = await database_sync_to_async(selectors.export_for_delivery)(export.id)
    assert await database_sync_to_async(delivery.attempt_delivery)(loaded) == delivery.SENT
    frame = await console.receive_json_from(timeout=2)
    assert frame["type"] == "export"
    assert "Sent to Shop CRM" in frame["html"]
    assert integration.name in frame["html"]


@pytest.mark.django_db(transaction=True)
async def test_consoles_not_watching_the_dialog_hear_nothing(
    sockets, alice, dialog, make_dialog, site, make_integration, monkeypatch
):
    await database_sync_to_async(make_integration)("webhook")
    other = await database_sync_to_async(make_dialog)(site)
    monkeypatch.setattr(services, "enqueue", lambda export_id: None)
    console, _hello = await sockets.operator(alice)
    await console.send_json_to({"type": "watch", "dialog": other.id})
    assert (await console.receive_json_from())["type"] == "watching"

    await database_sync_to_async(services.queue_dialog_export)(operator=alice, dialog_id=dialog.id)

    await sockets.silent(console)


@pytest.mark.django_db(transaction=True)
async def test_the_panel_comes_in_the_consoles_language(
    sockets, alice, dialog, make_integration, monkeypatch
):
    await database_sync_to_async(make_integration)("webhook", name="Shop CRM")
    alice.language = "ru"
    await database_sync_to_async(alice.save)(update_fields=["language"])
    monkeypatch.setattr(services, "enqueue", lambda export_id: None)
    console, _hello = await sockets.operator(alice)
    await console.send_json_to({"type": "watch", "dialog": dialog.id})
    assert (await console.receive_json_from())["type"] == "watching"

    await database_sync_to_async(services.queue_dialog_export)(operator=alice, dialog_id=dialog.id)

    frame = await console.receive_json_from(timeout=2)
    assert set(frame) == {"type", "dialog", "html"}  # what static/crm/crm.js reads
    assert (frame["type"], frame["dialog"]) == ("export", dialog.id)
    assert "В очереди в Shop CRM…" in frame["html"]
