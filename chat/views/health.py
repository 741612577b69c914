"""GET /healthz: whether each part the chat needs answers, for load balancers and uptime
checks (docs/operations.md, Health and faults).

Three checks run at the same time, each bounded by CHECK_SECONDS: the database (SELECT 1),
the channel layer (a message sent to a throwaway channel and received back) and the Celery
broker (a connection). 200 when all answer, 503 otherwise, with a short error per failed
check. No login, no personal data: only which part is down and why.

A process that is draining before it stops (chat/realtime/drain.py) answers 404
{"status": "draining", "draining": true} at once, without the checks: the load balancer
takes it out of rotation while its sockets move to the other servers. 404, not 503: it is
HAProxy's graceful stop (`http-check disable-on-404`: no new connections, the ones it
holds stay until the drain closes them), where a 503 marks the server down and
`on-marked-down shutdown-sessions` would cut its sockets; any other balancer or probe
takes a 404 for a failed check like a 503 (docs/operations.md, "Restarting without a
drop").
"""

import asyncio
import logging
import time

from asgiref.sync import sync_to_async
from celery import current_app
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connection
from django.http import JsonResponse

from chat.realtime.drain import DRAIN

log = logging.getLogger(__name__)

CHECK_SECONDS = 1.5
DRAINING_STATUS = 404  # HAProxy's `http-check disable-on-404` (see above)


def _select_one() -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        connection.close()  # this thread is not a request's: hand the connection back now


async def database() -> dict:
    await sync_to_async(_select_one, thread_sensitive=False)()
    return {}


async def channel_layer() -> dict:
    layer = get_channel_layer()
    channel = await layer.new_channel("healthz.")
    receiving = asyncio.ensure_future(layer.receive(channel))
    try:
        await layer.send(channel, {"type": "healthz.ping"})
        await asyncio.shield(receiving)
    finally:
        # A cancelled receive is how the layers forget a channel.
        receiving.cancel()
        forgetting = asyncio.ensure_future(layer.receive(channel))
        await asyncio.sleep(0)
        forgetting.cancel()
    return {}


def _connect_to_broker() -> None:
    with current_app.connection_for_write() as broker:
        broker.connect()


async def broker() -> dict:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"mode": "eager"}  # tasks run in the calling process: nothing to reach
    await sync_to_async(_connect_to_broker, thread_sensitive=False)()
    return {}


async def run_check(check) -> dict:
    started = time.monotonic()
    try:
        async with asyncio.timeout(CHECK_SECONDS):
            details = await check()
    except TimeoutError:
        result = {"ok": False, "error": f"no answer within {CHECK_SECONDS} s"}
    except Exception as error:
        # The class only: messages name hosts, ports and users, and this page is public.
        log.warning("health check %s failed: %r", check.__name__, error)
        result = {"ok": False, "error": type(error).__name__}
    else:
        result = {"ok": True, **details}
    result["ms"] = round((time.monotonic() - started) * 1000)
    return result


CHECKS = {"database": database, "channel_layer": channel_layer, "broker": broker}


async def healthz(request):
    if DRAIN.draining:
        return JsonResponse(
            {"status": "draining", "draining": True},
            status=DRAINING_STATUS,
            headers={"Cache-Control": "no-store"},
        )
    results = await asyncio.gather(*(run_check(check) for check in CHECKS.values()))
    checks = dict(zip(CHECKS, results, strict=True))
    healthy = all(result["ok"] for result in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "fail", "checks": checks},
        status=200 if healthy else 503,
        headers={"Cache-Control": "no-store"},
    )
