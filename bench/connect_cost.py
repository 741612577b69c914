"""What one widget connect costs the server: CPU time, database statements, and where it goes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/livechat_bench_cost \
        .venv/bin/python -m bench.connect_cost [--connects 200] [--profile] [--returning]
        .venv/bin/python -m bench.connect_cost --console [--connects 200] [--profile]

Opens widget sockets on the product's ASGI application in this process (Channels'
WebsocketCommunicator, no Daphne): the socket handshake, `hello` and the close, as the
bundled widget does. A new visitor has no token; --returning reconnects visitors with a
token and an open dialog with an operator connected (a widget after a day of traffic,
the reconnect storm's case); --console opens an operator's console socket with his
session cookie instead (the authenticated connect storm's). CPU is process time
(user + system, every thread). Prints
one JSON object; --profile also prints the top of a cProfile (SORT=tottime for own time).
The server-side figures beside the relay are bench/run.py's (`connect_cpu_ms`).
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

from channels.testing import WebsocketCommunicator  # noqa: E402
from django.core.management import call_command  # noqa: E402

from bench.message_cost import QueryCounter  # noqa: E402
from chat.dialogs import lifecycle  # noqa: E402
from chat.messaging import posting  # noqa: E402
from chat.models import Site  # noqa: E402
from chat.visitors import sessions  # noqa: E402
from config.asgi import application  # noqa: E402
from operators.models import Account, Operator  # noqa: E402

HEADERS = [(b"origin", b"http://cost.example"), (b"host", b"cost.example"),
           (b"user-agent", b"Mozilla/5.0 (X11; Linux x86_64) Firefox/120.0"),
           (b"accept-language", b"en-GB,en;q=0.9")]  # fmt: skip


def make_site():
    from django.contrib.auth import get_user_model

    tag = uuid.uuid4().hex[:8]
    account = Account.objects.create(name=f"connect-{tag}")
    site = Site.objects.create(account=account, name="Cost", domains="cost.example")
    user = get_user_model().objects.create_user(username=f"connect-{tag}")
    operator = Operator.objects.create(user=user, account=account, display_name="Cost")
    operator.sites.set([site])
    return site, operator


def returning_tokens(site, operator, count: int) -> list[str]:
    tokens = []
    for n in range(count):
        session = sessions.start_visitor_session(
            site=site, token=None, ip="10.0.0.1", user_agent=""
        )
        message, _ = posting.post_visitor_message(
            visitor_id=session.visitor.id, visit_id=session.visit.id,
            client_id=f"first-{n}", text="hi",
        )  # fmt: skip
        lifecycle.connect_operator(operator=operator, dialog_id=message.dialog_id)
        sessions.end_visitor_session(visitor_id=session.visitor.id, visit_id=session.visit.id)
        tokens.append(session.visitor.token)
    return tokens


async def hello_then_close(path: str, headers) -> dict:
    """Open one socket on the application, take its hello, close it."""
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await communicator.connect(timeout=30)
    assert connected
    hello = await communicator.receive_json_from(timeout=30)
    assert hello["type"] == "hello", hello
    await communicator.disconnect(timeout=30)
    return hello


async def one_connect(site_key: str, token: str | None) -> dict:
    path = f"/ws/visitor/{site_key}/" + (f"?token={token}" if token else "")
    return await hello_then_close(path, HEADERS)


def console_cookie(operator) -> str:
    from django.test import Client

    client = Client()
    client.force_login(operator.user)
    return client.cookies["sessionid"].value


async def one_console(cookie: str) -> dict:
    headers = [(b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1"),
               (b"cookie", f"sessionid={cookie}".encode())]  # fmt: skip
    return await hello_then_close("/ws/console/", headers)


async def measure(site_key: str, tokens: list, counter: QueryCounter, cookie=None) -> dict:
    cpu, wall = time.process_time(), time.perf_counter()
    for token in tokens:
        await (one_console(cookie) if cookie else one_connect(site_key, token))
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return {
        "connects": len(tokens),
        "cpu_ms_per_connect": round(cpu * 1000 / len(tokens), 3),
        "wall_ms_per_connect": round(wall * 1000 / len(tokens), 3),
        "queries_per_connect": round(counter.count / len(tokens), 2),
    }


def instrument(counter: QueryCounter, profilers: dict) -> None:
    """Every database-thread call counted, and profiled on its own thread's profiler
    (cProfile sees only the thread it is enabled on)."""
    import threading

    from chat.realtime import db_threads
    from chat.realtime.consumers import operator as operator_module
    from chat.realtime.consumers import visitor as visitor_module

    original = db_threads.db_thread

    def profiled(func):
        def call(*args, **kwargs):
            if not profilers:
                return func(*args, **kwargs)
            profiler = profilers.setdefault(
                threading.get_ident(), cProfile.Profile(time.thread_time)
            )
            profiler.enable()
            try:
                return func(*args, **kwargs)
            finally:
                profiler.disable()

        return call

    def printed(func):
        def call(*args, **kwargs):
            if not os.environ.get("PRINT_SQL"):
                return func(*args, **kwargs)
            from django.db import connection
            from django.test.utils import CaptureQueriesContext

            with CaptureQueriesContext(connection) as captured:
                result = func(*args, **kwargs)
            for query in captured:
                print(func.__name__, query["sql"][:300])
            return result

        return call

    def counted_db_thread(func):
        return original(profiled(counter.wrap(printed(func))))

    visitor_module.db_thread = counted_db_thread
    operator_module.db_thread = counted_db_thread


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connects", type=int, default=200)
    parser.add_argument("--returning", action="store_true")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--console", action="store_true")
    args = parser.parse_args(argv)

    call_command("migrate", verbosity=0)
    site, operator = make_site()
    tokens = (
        returning_tokens(site, operator, args.connects)
        if args.returning
        else [None] * args.connects
    )
    from django.db import connection

    cookie = console_cookie(operator) if args.console else None
    if cookie:  # imports, templates, connections
        asyncio.run(one_console(cookie))
    else:
        asyncio.run(one_connect(site.widget_key, tokens[0]))
    counter = QueryCounter()
    profilers = {"main": cProfile.Profile(time.thread_time)} if args.profile else {}
    instrument(counter, profilers)
    if profilers:
        profilers["main"].enable()
    result = asyncio.run(measure(site.widget_key, tokens, counter, cookie))
    if profilers:
        profilers["main"].disable()
        out = io.StringIO()
        stats = pstats.Stats(profilers.pop("main"), stream=out)
        for profiler in profilers.values():
            stats.add(profiler)
        stats.sort_stats(os.environ.get("SORT", "cumulative"))
        stats.print_stats(int(os.environ.get("TOP", "45")))
        print(out.getvalue())
    result.update(
        {"database": connection.vendor, "returning": args.returning, "console": args.console}
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
