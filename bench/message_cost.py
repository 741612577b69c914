"""What one stored message costs the server: CPU time and database round trips.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/livechat_bench_cost \
        .venv/bin/python -m bench.message_cost [--messages 400] [--profile]

Calls the services the consumers call (post_visitor_message, post_operator_message) the way
the consumers do: from an event loop, through chat/realtime/db_threads.py, so the on-commit events
reach the configured channel layer through the loop as in Daphne. CPU time is process time
(user + system, every thread), so it depends little on what else the machine runs.
Prints one JSON object; --profile also prints the top of a cProfile by cumulative time
(SORT=tottime to sort otherwise): the event loop's thread and the pool threads the services
run on, in one listing (cProfile sees only the thread it was enabled in). Its times are
wall-clock: on a loaded machine they include waiting.
"""

import argparse
import asyncio
import cProfile
import io
import json
import os
import pstats
import threading
import time
import uuid

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from chat.dialogs import lifecycle  # noqa: E402
from chat.messaging import posting  # noqa: E402
from chat.models import Site  # noqa: E402
from chat.realtime.db_threads import db_thread  # noqa: E402
from chat.visitors import sessions  # noqa: E402
from operators.models import Account, Operator  # noqa: E402


class QueryCounter:
    """Counts the statements a service runs, on whichever pool thread it runs."""

    # --profile: a cProfile enabled around each service call on its pool thread (the
    # calls are awaited one at a time, so never two threads at once).
    thread_profiler = None

    def __init__(self):
        self.count = 0
        self.lock = threading.Lock()

    def __call__(self, execute, sql, params, many, context):
        with self.lock:
            self.count += 1
        return execute(sql, params, many, context)

    def wrap(self, func):
        def counted(*args, **kwargs):
            profiler = QueryCounter.thread_profiler
            if profiler:
                profiler.enable()
            try:
                with connection.execute_wrapper(self):
                    return func(*args, **kwargs)
            finally:
                if profiler:
                    profiler.disable()

        return counted


def make_dialogs(count: int):
    tag = uuid.uuid4().hex[:8]
    account = Account.objects.create(name=f"cost-{tag}")
    site = Site.objects.create(account=account, name="Cost", domains="cost.example")
    user = get_user_model().objects.create_user(username=f"cost-{tag}")
    operator = Operator.objects.create(user=user, account=account, display_name="Cost")
    operator.sites.set([site])
    pairs = []
    for n in range(count):
        session = sessions.start_visitor_session(
            site=site, token=None, ip="10.0.0.1", user_agent=""
        )
        message, _ = posting.post_visitor_message(
            visitor_id=session.visitor.id,
            visit_id=session.visit.id,
            client_id=f"first-{n}",
            text="hi",
        )
        lifecycle.connect_operator(operator=operator, dialog_id=message.dialog_id)
        pairs.append((session, message.dialog_id))
    return operator, pairs


async def visitor_round(pairs, seq: int, counter: QueryCounter):
    post = db_thread(counter.wrap(posting.post_visitor_message))
    for session, _dialog_id in pairs:
        await post(
            visitor_id=session.visitor.id,
            visit_id=session.visit.id,
            client_id=f"v{seq}",
            text=f"visitor message {seq}",
        )


async def operator_round(operator, pairs, seq: int, counter: QueryCounter):
    post = db_thread(counter.wrap(posting.post_operator_message))
    site_ids = {pairs[0][0].visitor.site_id}  # as the console socket holds them
    for _session, dialog_id in pairs:
        await post(
            operator=operator,
            dialog_id=dialog_id,
            client_id=f"o{seq}",
            text=f"answer {seq}",
            site_ids=site_ids,
        )


async def measure(make_round, rounds: int, per_round: int) -> dict:
    counter = QueryCounter()
    cpu, wall = time.process_time(), time.perf_counter()
    for seq in range(rounds):
        await make_round(seq, counter)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    messages = rounds * per_round
    return {
        "cpu_ms_per_message": round(cpu * 1000 / messages, 3),
        "wall_ms_per_message": round(wall * 1000 / messages, 3),
        "queries_per_message": round(counter.count / messages, 2),
    }


async def run(operator, pairs, rounds: int) -> dict:
    warm = QueryCounter()  # templates, translations, connections
    await visitor_round(pairs, -1, warm)
    await operator_round(operator, pairs, -1, warm)
    return {
        "database": connection.vendor,
        "messages": rounds * len(pairs),
        "visitor": await measure(lambda seq, c: visitor_round(pairs, seq, c), rounds, len(pairs)),
        "operator": await measure(
            lambda seq, c: operator_round(operator, pairs, seq, c), rounds, len(pairs)
        ),
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=400)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)

    call_command("migrate", verbosity=0)
    operator, pairs = make_dialogs(50)
    rounds = max(1, args.messages // len(pairs))
    profiler = cProfile.Profile() if args.profile else None
    if profiler:
        QueryCounter.thread_profiler = cProfile.Profile()
        profiler.enable()
    result = asyncio.run(run(operator, pairs, rounds))
    if profiler:
        profiler.disable()
        out = io.StringIO()
        sort = os.environ.get("SORT", "cumulative")
        stats = pstats.Stats(profiler, stream=out)
        stats.add(QueryCounter.thread_profiler)
        stats.sort_stats(sort).print_stats(45)
        print(out.getvalue())
    print(json.dumps(result))


if __name__ == "__main__":
    main()
