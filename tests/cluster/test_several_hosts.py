"""Several hosts, proven (conftest.py builds them: two application hosts in network
namespaces, each running Daphne, a Celery worker and beat from this checkout, HAProxy in
front checking /healthz, PostgreSQL, Redis and S3 reached over the namespaces' network).

Visitors and operators talk through HAProxy, behaving as the widget and the console do
(tests/faults/chat_client.py: reconnect, resume, resend by client_id), while one host is
killed and brought back, and while both are restarted one after the other. Afterwards
every message is stored once and shown once on every screen of its dialog, none lost; the
figures of each fault go to test-artifacts/cluster/figures.json and are printed (-s)."""

import asyncio
import io
import json
import time
from collections import Counter

import pytest
import requests
from channels.db import database_sync_to_async
from chat_client import ChatClient
from django.urls import reverse
from PIL import Image
from test_delivery_under_faults import figures, stored_times, stored_transcripts, until

from chat.console.selectors import active_operators
from chat.models import Message
from tests.cluster.hosts import ARTIFACTS, http_get, production_stack

pytestmark = [
    pytest.mark.production_stack,
    pytest.mark.skipif(
        not production_stack(),
        reason="needs DATABASE_URL (PostgreSQL) and REDIS_URL: real hosts share them",
    ),
    pytest.mark.django_db(transaction=True),
]

VISITORS = 6
PACE = 0.2  # seconds between two messages of one client
IN_FLIGHT = 4  # a client types his next message once fewer of his are unacknowledged
UNDER_WAY = 30  # messages acknowledged before the fault strikes ...
AFTER_FAULT = 30  # ... and after it is over, before the clients stop typing
SETTLE_SECONDS = 60  # at most, for the last acks and screens once everything was typed
SUMMARY = ("sent", "stored", "shown_visitors", "shown_consoles", "lost", "duplicates",
           "missing_on_screens", "reconnects", "reconnect_max_s", "reconnect_median_s",
           "beat_takeover_s")  # fmt: skip

results: dict[str, dict] = {}


@pytest.fixture(scope="module", autouse=True)
def figures_written():
    """Every fault's figures in test-artifacts/cluster/figures.json, one line each printed."""
    yield
    if results:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "figures.json").write_text(json.dumps(results, indent=2, sort_keys=True))
        for name, result in results.items():
            shown = {k: result[k] for k in SUMMARY if k in result} or result
            print(f"\n[cluster] {name}: " + json.dumps(shown))


class ClusterClient(ChatClient):
    """The fault tests' client, also noting which host HAProxy gave each socket to and the
    attachments of the messages it shows."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.hosts: list[str | None] = []
        self.attachments: dict[int, dict] = {}

    @property
    def host(self) -> str | None:
        return self.hosts[-1] if self.hosts and self.ready.is_set() else None

    async def on_hello(self, frame: dict) -> None:
        self.hosts.append(self.ws.response.headers.get("X-Served-By"))
        await super().on_hello(frame)

    def on_frame(self, frame: dict) -> None:
        if frame["type"] == "message" and frame["message"].get("attachment"):
            self.attachments[frame["message"]["id"]] = frame["message"]["attachment"]
        super().on_frame(frame)


def acked(clients) -> int:
    return sum(len(client.acked) for client in clients)


def connect_through_balancer(cluster, cookie: str, dialog: int) -> None:
    """The operator joins the dialog as the console's button does, through HAProxy."""
    session = requests.Session()
    session.headers["Cookie"] = cookie
    page = session.get(cluster.url(f"/console/dialogs/{dialog}/"), timeout=20)
    assert page.status_code == 200, page.status_code
    token = session.cookies.get("csrftoken") or page.cookies.get("csrftoken")
    session.headers["Cookie"] = f"{cookie}; csrftoken={token}"
    answer = session.post(
        cluster.url(f"/console/dialogs/{dialog}/connect/"),
        headers={"X-CSRFToken": token},
        allow_redirects=False,
        timeout=20,
    )
    assert answer.status_code == 302, (answer.status_code, answer.text[:300])


async def open_conversations(cluster, team, label: str, visitors_count: int = VISITORS):
    """Visitors write first (that opens their dialogs), each operator joins them all and
    opens a console socket with one of them on screen; every socket goes through HAProxy."""
    site, operators = team
    widget = cluster.url(f"/ws/visitor/{site.widget_key}/", "ws")
    visitors = [
        ClusterClient(f"{label}-v{n}", widget, cluster.origin) for n in range(visitors_count)
    ]
    tasks = [asyncio.create_task(client.run()) for client in visitors]
    dialogs = []
    for client in visitors:
        await asyncio.wait_for(client.ready.wait(), 30)
        client_id = await client.write(f"{client.name}-hello")
        await until(lambda c=client, cid=client_id: cid in c.acked, "the first message")
        dialog = await database_sync_to_async(
            lambda cid=client_id: Message.objects.get(client_id=cid).dialog_id
        )()
        client.visitor_dialog = dialog
        dialogs.append(dialog)
    consoles = []
    for number, (operator, cookie) in enumerate(operators):
        for dialog in dialogs:
            await asyncio.to_thread(connect_through_balancer, cluster, cookie, dialog)
            joined = await database_sync_to_async(active_operators)(dialog)
            assert operator.id in {op.id for op in joined}
        console = ClusterClient(
            f"{label}-op{number}", cluster.url("/ws/console/", "ws"), cluster.origin, cookie=cookie
        )
        console.dialog = dialogs[number % len(dialogs)]
        consoles.append(console)
        tasks.append(asyncio.create_task(console.run()))
    for console in consoles:
        await asyncio.wait_for(console.ready.wait(), 30)
    return visitors, consoles, tasks


async def stop_clients(clients, tasks) -> None:
    for client in clients:
        client.stopped = True
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def converse_through(cluster, team, label: str, fault) -> dict:
    """A conversation of every visitor with both operators, the fault in its middle."""
    visitors, consoles, tasks = await open_conversations(cluster, team, label)
    clients = visitors + consoles
    tasks += [asyncio.create_task(client.resend_stale()) for client in clients]
    dialogs = [visitor.visitor_dialog for visitor in visitors]
    done_typing = asyncio.Event()

    async def writes(client, dialog_of=lambda number: None):
        number = 0
        while not done_typing.is_set():
            if len(client.outbox) < IN_FLIGHT:
                await client.write(f"{client.name}-{number}", dialog_of(number))
                number += 1
            await asyncio.sleep(PACE)

    writers = [asyncio.create_task(writes(client)) for client in visitors]
    writers += [
        asyncio.create_task(writes(console, lambda n: dialogs[n % len(dialogs)]))
        for console in consoles
    ]
    started = time.monotonic()
    await until(lambda: acked(clients) >= UNDER_WAY, "the conversation under way", timeout=60)
    served_before = Counter(client.host for client in clients)
    details = await fault(clients)
    after = acked(clients)
    await until(
        lambda: acked(clients) >= after + AFTER_FAULT, "the conversation going on", timeout=60
    )
    done_typing.set()
    await asyncio.gather(*writers)
    typed = time.monotonic()

    def transcripts_of_this_test():
        everything = stored_transcripts()
        return {dialog: everything.get(dialog, []) for dialog in dialogs}

    deadline = time.monotonic() + SETTLE_SECONDS
    while time.monotonic() < deadline:
        transcripts = await database_sync_to_async(transcripts_of_this_test)()
        if all(
            not c.outbox and sorted(c.screen) == [m[0] for m in transcripts[screen_of(c)]]
            for c in clients
        ):
            break
        await asyncio.sleep(0.5)
    await stop_clients(clients, tasks)
    result = figures(visitors, consoles, transcripts, None)
    del result["healthz_during_fault"]
    resent = {cid: at for c in clients for cid, at in c.resent_on_reconnect.items()}
    stored_at = await database_sync_to_async(stored_times)(list(resent))
    # Copies of messages a host had stored before the socket dropped, unacknowledged:
    # recognised by client_id wherever they arrived (else "duplicates" would count them).
    result["resent_already_stored"] = sum(
        1 for cid, at in resent.items() if cid in stored_at and stored_at[cid] < at
    )
    result["served_by_before_fault"] = dict(served_before)
    result["seconds_typing"] = round(typed - started, 1)
    result["seconds_to_settle"] = round(time.monotonic() - typed, 1)
    result.update(details)
    return result


def screen_of(client) -> int:
    return client.dialog if client.is_console else client.visitor_dialog


def check(name: str, result: dict) -> None:
    results[name] = result
    print(f"\n[cluster] {name}: " + json.dumps(result, sort_keys=True))
    assert result["unacked"] == 0, result
    assert result["acked"] == result["sent"], result
    assert result["stored"] == result["sent"], result  # stored once each
    assert result["duplicates"] == 0, result
    assert result["lost"] == 0, result
    assert result["missing_on_screens"] == 0, result  # shown on every screen ...
    assert result["extra_on_screens"] == 0, result  # ... once (screens key by id)


def seconds_since(moment: float) -> float:
    return round(time.monotonic() - moment, 2)


def rounded(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 2)


async def seconds_until(condition, what: str, since: float) -> float:
    """Seconds from `since` until condition() holds (at most a minute)."""
    await until(condition, what, timeout=60)
    return seconds_since(since)


async def back_in_service(cluster, host) -> None:
    await asyncio.to_thread(host.start)
    await asyncio.to_thread(host.wait_ready)
    await asyncio.to_thread(cluster.balancer.wait_status, host.name, "UP")


async def test_a_file_uploaded_through_one_host_is_downloaded_through_the_other(cluster, team):
    app1, app2 = cluster.hosts
    (visitor,), consoles, tasks = await open_conversations(cluster, team, "file", visitors_count=1)
    console = consoles[0]  # the operator with the visitor's dialog on screen
    try:
        content = png()
        upload = await asyncio.to_thread(
            requests.post,
            app1.url(reverse("widget_attachments", args=[team[0].widget_key])),
            data={"client_id": "cluster-file-1", "text": "the part"},
            files={"file": ("part.png", content, "image/png")},
            headers={"X-Visitor-Token": visitor.token},
            timeout=30,
        )
        assert upload.status_code == 200, upload.text
        message_id = upload.json()["ack"]["id"]
        await until(
            lambda: message_id in visitor.attachments and message_id in console.attachments,
            "the file on both screens",
        )
        signed = visitor.attachments[message_id]["url"]  # the visitor's signed link
        console_url = console.attachments[message_id]["url"]  # checked against the session
        assert signed.startswith("/") and console_url.startswith("/")

        status, body, headers = await asyncio.to_thread(http_get, app2.url(signed))
        assert (status, body) == (200, content)
        assert headers["Content-Type"] == "image/png"
        operator_cookie = team[1][0][1]
        status, body, _ = await asyncio.to_thread(
            http_get, app2.url(console_url), headers={"Cookie": operator_cookie}
        )
        assert (status, body) == (200, content)
        status, _, _ = await asyncio.to_thread(http_get, app2.url(console_url))
        assert status == 302  # no session, no file: to the login page

        keys = cluster.bucket.keys()
        assert len(keys) == 2  # the file and its thumbnail, in the bucket the hosts share
        assert content in [cluster.bucket.body(key) for key in keys]
        for media_root in cluster.media_roots:
            assert not media_root.exists() or not any(p.is_file() for p in media_root.rglob("*"))
        results["attachment across hosts"] = {
            "uploaded_through": app1.name,
            "downloaded_through": app2.name,
            "bytes": len(content),
            "bucket_keys": len(keys),
        }
    finally:
        await stop_clients([visitor, *consoles], tasks)


async def test_a_host_killed_mid_conversation_the_other_carries_it_and_takes_over_beat(
    cluster, team
):
    async def fault(clients):
        beats = {host.name: host.beat_sends() for host in cluster.hosts}
        assert sorted(beats.values())[0] == 0, beats  # exactly one beat sends the schedule
        victim = next(host for host in cluster.hosts if beats[host.name])  # the lock's holder
        survivor = cluster.other(victim)
        on_victim = [client for client in clients if client.host == victim.name]
        killed = time.monotonic()
        await asyncio.to_thread(victim.kill)
        moved, marked_down, takeover = await asyncio.gather(
            seconds_until(
                lambda: all(client.host == survivor.name for client in on_victim),
                "the killed host's sockets back through the other",
                killed,
            ),
            seconds_until(
                lambda: cluster.balancer.status().get(victim.name) == "DOWN",
                "HAProxy marking the killed host down",
                killed,
            ),
            seconds_until(lambda: survivor.beat_sends() > 0, "the survivor's beat sending", killed),
        )
        during = acked(clients)
        await until(
            lambda: acked(clients) >= during + AFTER_FAULT, "messages with one host", timeout=60
        )
        down_for = seconds_since(killed)
        back = time.monotonic()
        await back_in_service(cluster, victim)
        return {
            "killed_host": victim.name,
            "sockets_on_killed_host": len(on_victim),
            "sockets_moved_within_s": moved,
            "haproxy_marked_down_after_s": marked_down,
            "beat_takeover_s": takeover,
            "acked_while_one_host": acked(clients) - during,
            "host_down_s": down_for,
            "host_back_in_service_s": seconds_since(back),
            # The host back waits for the lock: still one beat.
            "beat_sends_of_host_back": victim.beat_sends(),
        }

    result = await converse_through(cluster, team, "kill", fault)
    check("host killed (SIGKILL) and brought back", result)
    assert result["sockets_on_killed_host"] > 0  # the fault hit somebody
    assert result["clients_reconnected"] >= result["sockets_on_killed_host"]
    assert result["beat_takeover_s"] < 60
    assert result["beat_sends_of_host_back"] == 0


async def test_both_hosts_restarted_one_after_the_other_during_a_conversation(cluster, team):
    async def fault(clients):
        steps = []
        # The busier host first: its sockets move to the other, which then has them all,
        # so each restart hits somebody whatever the balancer did.
        busiest_first = sorted(
            cluster.hosts, key=lambda h: -sum(1 for c in clients if c.host == h.name)
        )
        for host in busiest_first:
            other = cluster.other(host)
            on_host = [client for client in clients if client.host == host.name]
            held_beat = host.beat_sends() > 0
            stopped = time.monotonic()
            stopping = asyncio.create_task(asyncio.to_thread(host.stop, 20))
            waits = [
                seconds_until(
                    lambda on_host=on_host, other=other: all(c.host == other.name for c in on_host),
                    f"{host.name}'s sockets back through {other.name}",
                    stopped,
                )
            ]
            if held_beat:  # a beat stopped cleanly gives the lock back at once
                waits.append(
                    seconds_until(
                        lambda other=other: other.beat_sends() > 0, "the other beat", stopped
                    )
                )
            moved, *takeover = await asyncio.gather(*waits)
            exits = await stopping
            step = {
                "host": host.name,
                "sockets_on_host": len(on_host),
                "seconds_to_exit": {name: rounded(took) for name, took in exits.items()},
                "sockets_moved_within_s": moved,
                "beat_takeover_s": takeover[0] if takeover else None,
            }
            await back_in_service(cluster, host)
            step["back_in_service_after_s"] = seconds_since(stopped)
            steps.append(step)
        # Still exactly one beat sends the schedule.
        sends = {host.name: host.beat_sends() for host in cluster.hosts}
        assert sorted(sends.values())[0] == 0 < sorted(sends.values())[1], sends
        return {"restarts": steps}

    result = await converse_through(cluster, team, "rolling", fault)
    check("rolling restart (SIGTERM, one host after the other)", result)
    # Every client was on a restarted host at some point and came back by itself.
    assert result["clients_reconnected"] == len(team[1]) + VISITORS
    assert all(step["sockets_on_host"] > 0 for step in result["restarts"])


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (20, 120, 60)).save(out, "PNG")
    return out.getvalue()
