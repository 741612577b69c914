"""What a visitor's first message and an operator's Connect cost the server: CPU time and
database statements, and where they go.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/livechat_bench_cost \
        .venv/bin/python -m bench.first_message_cost [--dialogs 200] [--operators 5] [--profile]

The first message is posted as the visitor's socket posts it: from an event loop through
chat/realtime/db_threads.py (post_visitor_message, which opens the dialog and fans its
row out to every operator's Mine/Others/Missed), so its on-commit events reach the
configured channel layer through the loop as in Daphne. The Connect is the console's
POST (/console/dialogs/<id>/connect/) through Django's test client: the view, its
middleware (session, authentication, CSRF exempt in the client) and connect_operator.
--operators: the site's operators (one of them connects); the other apps' hooks run as
installed. CPU is process time (user + system, every thread). Prints one JSON object;
--profile also prints the top of a cProfile of each part (SORT=tottime for own time).
"""

import argparse
import asyncio
import cProfile
import io
import json
import os
import pstats
import time
import uuid

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from asgiref.sync import sync_to_async  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from bench.message_cost import QueryCounter  # noqa: E402
from chat.messaging import posting  # noqa: E402
from chat.models import Site  # noqa: E402
from chat.realtime.db_threads import db_thread  # noqa: E402
from chat.visitors import sessions  # noqa: E402
from operators.models import Account, Operator  # noqa: E402


def make_site(operators: int):
    tag = uuid.uuid4().hex[:8]
    account = Account.objects.create(name=f"first-{tag}")
    site = Site.objects.create(account=account, name="Cost", domains="cost.example")
    made = []
    for n in range(operators):
        user = get_user_model().objects.create_user(username=f"first-{tag}-{n}")
        operator = Operator.objects.create(user=user, account=account, display_name=f"Op {n}")
        operator.sites.set([site])
        made.append(operator)
    return site, made


def visitors(site, count: int):
    return [
        sessions.start_visitor_session(site=site, token=None, ip="10.0.0.1", user_agent="")
        for _ in range(count)
    ]


def profiled(func, profiler):
    """cProfile sees only the thread it is enabled on: enabled inside the call."""
    if profiler is None:
        return func

    def call(*args, **kwargs):
        profiler.enable()
        try:
            return func(*args, **kwargs)
        finally:
            profiler.disable()

    return call


async def first_messages(started, counter: QueryCounter, profiler=None) -> list[int]:
    post = db_thread(profiled(counter.wrap(posting.post_visitor_message), profiler))
    dialog_ids = []
    for session in started:
        message, created = await post(
            visitor_id=session.visitor.id,
            visit_id=session.visit.id,
            client_id="first",
            text="Hello, is anyone there?",
        )
        assert created
        dialog_ids.append(message.dialog_id)
    return dialog_ids


async def connects(client: Client, dialog_ids, counter: QueryCounter, profiler=None):
    """On Django's sync thread, as Daphne runs a view: the on-commit publish goes back
    to the event loop (async_to_sync), not to a loop of its own."""

    def post(dialog_id):
        response = client.post(f"/console/dialogs/{dialog_id}/connect/")
        assert response.status_code == 302, response.status_code

    counted = sync_to_async(profiled(counter.wrap(post), profiler))
    for dialog_id in dialog_ids:
        await counted(dialog_id)


def timed(run, count: int, counter: QueryCounter) -> dict:
    cpu, wall = time.process_time(), time.perf_counter()
    run()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return {
        "cpu_ms": round(cpu * 1000 / count, 3),
        "wall_ms": round(wall * 1000 / count, 3),
        "queries": round(counter.count / count, 2),
    }


def printed(profiler) -> str:
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats(os.environ.get("SORT", "cumulative"))
    stats.print_stats(int(os.environ.get("TOP", "45")))
    return out.getvalue()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dialogs", type=int, default=200)
    parser.add_argument("--operators", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)

    call_command("migrate", verbosity=0)
    site, operators = make_site(max(1, args.operators))
    client = Client(HTTP_HOST="localhost")
    client.force_login(operators[0].user)

    # warm: imports, templates, translations, per-site caches, connections
    warm = QueryCounter()
    asyncio.run(connects(client, asyncio.run(first_messages(visitors(site, 3), warm)), warm))

    started = visitors(site, args.dialogs)
    dialog_ids = []
    message_counter, connect_counter = QueryCounter(), QueryCounter()
    message_profiler = cProfile.Profile(time.thread_time) if args.profile else None
    connect_profiler = cProfile.Profile(time.thread_time) if args.profile else None

    def run_messages():
        dialog_ids.extend(asyncio.run(first_messages(started, message_counter, message_profiler)))

    first = timed(run_messages, args.dialogs, message_counter)
    connect = timed(
        lambda: asyncio.run(connects(client, dialog_ids, connect_counter, connect_profiler)),
        args.dialogs,
        connect_counter,
    )
    if args.profile:
        print("--- first message ---")
        print(printed(message_profiler))
        print("--- Connect POST ---")
        print(printed(connect_profiler))
    print(
        json.dumps(
            {
                "database": connection.vendor,
                "dialogs": args.dialogs,
                "operators": len(operators),
                "first_message": first,
                "connect": connect,
            }
        )
    )


if __name__ == "__main__":
    main()
