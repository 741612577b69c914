"""Database side of the benchmark, run as a subprocess against the target database.

The environment picks the database (DATABASE_URL or none for the embedded SQLite file),
exactly as the server under test sees it. Commands (each prints one JSON object):

    python -m bench.fixtures chat --tag T --sites 10 --operators 50 --burst-operators 5
    python -m bench.fixtures seed-pages --dialogs 100000 --messages 1000000
    python -m bench.fixtures pages --tag T          # login cookie + query count per page
    python -m bench.fixtures authstorm --tag T --consoles 1000 --token-consoles 250 \
        --visitors 1000 --sites 10                  # the authenticated connect storm's
"""

import argparse
import json
import os
import random
import sys
import time
from datetime import datetime, timedelta

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from chat.models import Dialog, Site  # noqa: E402
from operators.models import Account, Operator  # noqa: E402

PAGES_ACCOUNT = "bench-pages-{dialogs}"
WORDS = [
    "order", "delivery", "price", "refund", "invoice", "account", "password", "shipping",
    "discount", "size", "colour", "warranty", "return", "payment", "card", "address",
    "parcel", "tracking", "store", "hours", "hello", "thanks",
]  # fmt: skip
# A word that appears in about one message in a thousand: the text search looks for it.
RARE_WORD = "zanzibar"


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def make_operator(account, username: str, sites) -> Operator:
    user = get_user_model().objects.create_user(username=username, first_name=username)
    operator = Operator.objects.create(
        user=user, account=account, display_name=username, can_see_others=True,
        can_join_others=True,
    )  # fmt: skip
    operator.sites.set(sites)
    return operator


@transaction.atomic
def chat_fixtures(tag: str, sites: int, operators: int, burst_operators: int) -> dict:
    """An account with `sites` sites and `operators` operators spread over them (operator j
    on site j % sites), plus a burst site with its own operators. Every name carries the tag,
    so runs never collide."""
    account = Account.objects.create(name=f"bench-{tag}")
    site_rows = [
        Site.objects.create(account=account, name=f"bench-{tag}-s{i}", domains="127.0.0.1")
        for i in range(sites)
    ]
    ops = []
    for j in range(operators):
        op = make_operator(account, f"b{tag}o{j}", [site_rows[j % sites]])
        ops.append({"id": op.id, "site": j % sites, "cookie": session_cookie(op.user)})
    burst_site = Site.objects.create(account=account, name=f"bench-{tag}-burst")
    burst_ops = []
    for j in range(burst_operators):
        op = make_operator(account, f"b{tag}burst{j}", [burst_site])
        burst_ops.append({"id": op.id, "site": 0, "cookie": session_cookie(op.user)})
    return {
        "sites": [s.widget_key for s in site_rows],
        "operators": ops,
        "burst_site": burst_site.widget_key,
        "burst_operators": burst_ops,
    }


def authstorm_fixtures(
    tag: str, consoles: int, token_consoles: int, visitors: int, sites: int
) -> dict:
    """The authenticated connect storm's credentials (issue 20): `consoles` operators, each
    with a console session cookie (Client.force_login), the first `token_consoles` of them
    with a personal access token instead (an app's socket: "Authorization: Bearer"), spread
    over `sites` sites; and `visitors` returning visitors, each with his token and an open
    dialog holding his first message, his widget closed since (the services a widget's
    socket calls, so the rows are the ones a real day leaves)."""
    from api import tokens
    from chat.messaging import posting
    from chat.visitors import sessions

    with transaction.atomic():
        account = Account.objects.create(name=f"authstorm-{tag}")
        site_rows = [
            Site.objects.create(account=account, name=f"authstorm-{tag}-s{i}", domains="127.0.0.1")
            for i in range(sites)
        ]
        console_rows = []
        for j in range(consoles):
            operator = make_operator(account, f"a{tag}o{j}", [site_rows[j % sites]])
            row = {"id": operator.id, "site": j % sites}
            if j < token_consoles:
                row["token"] = tokens.create_token(operator=operator, name="authstorm")[1]
            else:
                row["cookie"] = session_cookie(operator.user)
            console_rows.append(row)
    visitor_rows = []
    for n in range(visitors):
        site = site_rows[n % sites]
        session = sessions.start_visitor_session(
            site=site, token=None, ip="127.0.0.1", user_agent="authstorm"
        )
        message, _ = posting.post_visitor_message(
            visitor_id=session.visitor.id, visit_id=session.visit.id,
            client_id=f"authstorm-{n}", text="Hello",
        )  # fmt: skip
        sessions.end_visitor_session(visitor_id=session.visitor.id, visit_id=session.visit.id)
        visitor_rows.append(
            {"site": n % sites, "token": session.visitor.token, "dialog": message.dialog_id}
        )
    return {
        "sites": [s.widget_key for s in site_rows],
        "consoles": console_rows,
        "visitors": visitor_rows,
    }


def _copy(cursor, table: str, columns: list[str], rows) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def seed_pages(dialogs: int, messages: int) -> dict:
    """One account, one site, one operator, `dialogs` dialogs over the last year and
    `messages` messages, written with PostgreSQL COPY (bulk_create on SQLite). Skipped when
    the account already holds them all (the seed is reused by later runs)."""
    name = PAGES_ACCOUNT.format(dialogs=dialogs)
    earlier = Account.objects.filter(name=name).first()
    if earlier is not None:
        found = Dialog.objects.filter(account=earlier).count()
        if found == dialogs:
            return {"seeded": False, "dialogs": found, **report_facts()}
        # A seed that stopped half-way: start again rather than measure a partial one.
        earlier.delete()
    get_user_model().objects.filter(username__startswith=f"{name}-").delete()
    started = time.monotonic()
    rng = random.Random(5)
    now = timezone.now()
    with transaction.atomic():
        account = Account.objects.create(name=name, last_dialog_number=dialogs)
        site = Site.objects.create(account=account, name=f"{name}-site", domains="127.0.0.1")
        colleague = make_operator(account, f"{name}-colleague", [site])
        make_operator(account, f"{name}-op", [site])
    visitor_ids = _bulk_visitors(site.id, dialogs, now)
    dialog_rows = []
    for n in range(dialogs):
        created = now - timedelta(seconds=rng.uniform(0, 365 * 86400))
        r = rng.random()
        # Mostly history; a few hundred open ones, like a busy site.
        status = "closed"
        if r < 0.002:
            status = "new"
        elif r < 0.004:
            status = "active"
        elif r < 0.006:
            status = "missed"
        open_ok = status != "closed"
        dialog_rows.append((account.id, site.id, visitor_ids[n], n + 1, status, created, open_ok))
    # One open dialog per visitor is a constraint: visitors are unique per dialog here.
    dialog_ids = _bulk_dialogs(dialog_rows, now, rng)
    per_dialog = max(1, messages // dialogs)
    _bulk_messages(dialog_ids, dialog_rows, per_dialog, colleague.id, rng)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE chat_dialog; ANALYZE chat_message; ANALYZE chat_visitor;")
    return {
        "seeded": True,
        "dialogs": dialogs,
        "messages": per_dialog * dialogs,
        "seconds": round(time.monotonic() - started, 1),
        **report_facts(),
    }


def report_facts() -> dict:
    """The Reports page's per-dialog facts of the seeded dialogs, as the dialog_ended hook
    would have written them had the dialogs ended live (reports.facts; the seed writes
    rows around the services). Only those missing: a reused seed costs one query."""
    from reports import facts

    started = time.monotonic()
    written = facts.refresh_stale()
    if written and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE reports_dialogfacts")
    return {"report_facts": written, "report_facts_seconds": round(time.monotonic() - started, 1)}


def _bulk_visitors(site_id: int, count: int, now) -> list[int]:
    from chat.models import Visitor, new_visitor_token

    if connection.vendor != "postgresql":
        objs = [
            Visitor(site_id=site_id, token=new_visitor_token(), animal="fox") for _ in range(count)
        ]
        return [v.id for v in Visitor.objects.bulk_create(objs, batch_size=2000)]
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM chat_visitor")
        start = cursor.fetchone()[0] + 1
        rows = (
            (start + i, site_id, new_visitor_token(), "fox", f"Visitor {i}", "", "", 1, 0, now, now)
            for i in range(count)
        )
        columns = [
            "id", "site_id", "token", "animal", "name", "email", "phone", "visits_count",
            "open_sockets", "first_seen_at", "last_seen_at",
        ]  # fmt: skip
        _copy(cursor, "chat_visitor", columns, rows)
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('chat_visitor', 'id'), %s)", [start + count]
        )
    return list(range(start, start + count))


def _bulk_dialogs(rows, now, rng) -> list[int]:
    columns = [
        "id", "account_id", "site_id", "visitor_id", "number", "status", "created_at",
        "last_message_at", "last_message_text", "last_message_author", "unread_count",
        "read_up_to", "closed_at", "closed_automatically",
    ]  # fmt: skip
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor
        if connection.vendor == "postgresql":
            cursor.execute("SELECT COALESCE(MAX(id), 0) FROM chat_dialog")
            start = cursor.fetchone()[0] + 1
        else:
            start = (Dialog.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
        data = (
            (
                start + i,
                a,
                s,
                v,
                n,
                st,
                c,
                c + timedelta(minutes=5),
                "Thanks!",
                "visitor",
                0,
                0,
                None if _open else c + timedelta(minutes=20),
                not _open and i % 3 == 0,
            )
            for i, (a, s, v, n, st, c, _open) in enumerate(rows)
        )
        if connection.vendor == "postgresql":
            _copy(cursor, "chat_dialog", columns, data)
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('chat_dialog', 'id'), %s)",
                [start + len(rows)],
            )
        else:
            # As the ORM stores them (naive UTC text): reports.facts compares these
            # moments with the ones it wrote itself.
            adapt = connection.ops.adapt_datetimefield_value
            cursor.executemany(
                f"INSERT INTO chat_dialog ({', '.join(columns)}) VALUES "
                f"({', '.join(['%s'] * len(columns))})",
                [tuple(adapt(v) if isinstance(v, datetime) else v for v in row) for row in data],
            )
    return list(range(start, start + len(rows)))


def _bulk_messages(dialog_ids, dialog_rows, per_dialog: int, operator_id: int, rng) -> None:
    columns = ["dialog_id", "author_kind", "operator_id", "text", "client_id", "created_at"]

    def rows():
        for dialog_id, row in zip(dialog_ids, dialog_rows, strict=True):
            created = row[5]
            for k in range(per_dialog):
                visitor = k % 2 == 0
                words = rng.choices(WORDS, k=8)
                if rng.random() < 0.001:
                    words[3] = RARE_WORD
                yield (
                    dialog_id,
                    "visitor" if visitor else "operator",
                    None if visitor else operator_id,
                    " ".join(words),
                    f"c{dialog_id}-{k}",
                    created + timedelta(seconds=20 * k),
                )

    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor
        if connection.vendor == "postgresql":
            _copy(cursor, "chat_message", columns, rows())
        else:
            buffer = list(rows())
            cursor.executemany(
                f"INSERT INTO chat_message ({', '.join(columns)}) VALUES "
                f"({', '.join(['%s'] * len(columns))})",
                buffer,
            )


PAGES = {
    "mine": "/console/",
    "history": "/console/history/",
    "history_search": f"/console/history/?q={RARE_WORD}",
    "leads": "/console/leads/",
}
# The Reports page over the last REPORT_DAYS days (issue 16: p95 at most 300 ms for 30).
REPORT_DAYS = 30


def report_url(today) -> str:
    first = today - timedelta(days=REPORT_DAYS - 1)
    return f"/console/reports/?date_from={first.isoformat()}&date_to={today.isoformat()}"


def pages_fixtures(dialogs: int) -> dict:
    """The seeded operator's session cookie, and each page's status and query count."""
    account = Account.objects.get(name=PAGES_ACCOUNT.format(dialogs=dialogs))
    operator = Operator.objects.get(account=account, user__username__endswith="-op")
    Operator.objects.filter(pk=operator.pk).update(can_see_reports=True)
    client = Client()
    client.force_login(operator.user)
    result = {"cookie": client.cookies["sessionid"].value, "pages": {}}
    pages = {**PAGES, "reports": report_url(timezone.localdate())}
    for name, url in pages.items():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, HTTP_HOST="127.0.0.1")
        result["pages"][name] = {
            "url": url,
            "status": response.status_code,
            "queries": len(queries) if response.status_code == 200 else None,
        }
    return result


def main(argv=None) -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    chat = sub.add_parser("chat")
    chat.add_argument("--tag", required=True)
    chat.add_argument("--sites", type=int, default=10)
    chat.add_argument("--operators", type=int, default=50)
    chat.add_argument("--burst-operators", type=int, default=5)
    seed = sub.add_parser("seed-pages")
    seed.add_argument("--dialogs", type=int, default=100_000)
    seed.add_argument("--messages", type=int, default=1_000_000)
    pages = sub.add_parser("pages")
    pages.add_argument("--dialogs", type=int, default=100_000)
    storm = sub.add_parser("authstorm")
    storm.add_argument("--tag", required=True)
    storm.add_argument("--consoles", type=int, default=1000)
    storm.add_argument("--token-consoles", type=int, default=250)
    storm.add_argument("--visitors", type=int, default=1000)
    storm.add_argument("--sites", type=int, default=10)
    args = parser.parse_args(argv)
    if args.command == "authstorm":
        out = authstorm_fixtures(
            args.tag, args.consoles, args.token_consoles, args.visitors, args.sites
        )
    elif args.command == "chat":
        out = chat_fixtures(args.tag, args.sites, args.operators, args.burst_operators)
    elif args.command == "seed-pages":
        out = seed_pages(args.dialogs, args.messages)
    else:
        out = pages_fixtures(args.dialogs)
    sys.stdout.write(json.dumps(out) + "\n")


if __name__ == "__main__":
    main()
