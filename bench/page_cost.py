"""CPU time and SQL time of the console's list pages, in one process (no server).

    BENCH_DB=livechat_bench .venv/bin/python -m bench.page_cost [--requests 40]

Runs against the database `bench.run --only pages` seeded (100,000 dialogs, 1,000,000
messages; DATABASE_URL from BENCH_DB unless set). For Mine, History and History's text
search: the process CPU time of each request through Django's test client (median and
p95), and the summed execution time of the page's SELECTs by `EXPLAIN ANALYZE` (median of
5). On a shared machine these move less with the load than the served p95 does.
Prints one JSON object.
"""

import argparse
import json
import os
import statistics
import time

PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"{PG}/{os.environ.get('BENCH_DB', 'livechat_bench')}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.fixtures import PAGES, PAGES_ACCOUNT  # noqa: E402
from operators.models import Operator  # noqa: E402

MEASURED = ("mine", "history", "history_search")


def sql_ms(queries) -> float:
    total = 0.0
    with connection.cursor() as cursor:
        for query in queries:
            if query["sql"].lstrip().upper().startswith("SELECT"):
                cursor.execute("EXPLAIN (ANALYZE) " + query["sql"])
                total += float(cursor.fetchall()[-1][0].split(":")[1].split()[0])
    return total


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--dialogs", type=int, default=100_000)
    args = parser.parse_args(argv)
    account = PAGES_ACCOUNT.format(dialogs=args.dialogs)
    operator = Operator.objects.get(account__name=account, user__username__endswith="-op")
    client = Client()
    client.force_login(operator.user)
    out = {"load_avg_1m": round(os.getloadavg()[0], 2)}
    for name in MEASURED:
        url = PAGES[name]
        for _ in range(3):
            client.get(url, HTTP_HOST="127.0.0.1")
        cpu = []
        for _ in range(args.requests):
            started = time.process_time()
            client.get(url, HTTP_HOST="127.0.0.1")
            cpu.append((time.process_time() - started) * 1000)
        with CaptureQueriesContext(connection) as queries:
            client.get(url, HTTP_HOST="127.0.0.1")
        cpu.sort()
        sql = [sql_ms(queries.captured_queries) for _ in range(5)]
        out[name] = {
            "queries": len(queries),
            "cpu_ms_p50": round(statistics.median(cpu), 1),
            "cpu_ms_p95": round(cpu[max(0, int(0.95 * len(cpu)) - 1)], 1),
            "sql_ms": round(statistics.median(sql), 1),
        }
    out["load_avg_1m_end"] = round(os.getloadavg()[0], 2)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
