"""The authenticated connect storm (issue 20): its credentials and its summary-line keys."""

import json

import pytest

from bench.authstorm import outcome_of, sockets_of
from bench.run import summary


def storm_result(got: int, all_hello_s, cpu_ms: float, **extra) -> dict:
    return {
        "scenario": "authstorm",
        "clients": 200,
        "got_hello": got,
        "all_hello_s": all_hello_s,
        "time_to_hello": {"p99_ms": 900.0},
        "time_to_hello_by_kind": {"console": {"p99_ms": 800.0}, "visitor": {"p99_ms": 900.0}},
        "handshakes_refused": 0,
        "handshakes_timed_out": 0,
        "closed_before_hello": 0,
        "cpu_ms_per_connect": cpu_ms,
        **extra,
    }


def test_summary_has_the_authstorm_keys_and_their_ratios():
    results = {
        "authstorm": storm_result(200, 6.0, 12.0),
        "authstorm_relay": storm_result(200, 1.5, 1.5),
    }
    line = summary(results, quick=True)
    assert line["authstorm_clients"] == 200
    assert (line["authstorm_got_hello"], line["baseline_authstorm_got_hello"]) == (200, 200)
    assert (line["authstorm_all_hello_s"], line["baseline_authstorm_all_hello_s"]) == (6.0, 1.5)
    assert (line["authstorm_console_p99_ms"], line["authstorm_visitor_p99_ms"]) == (800.0, 900.0)
    assert (line["authstorm_refused"], line["authstorm_timed_out"]) == (0, 0)
    assert line["authstorm_all_hello_ratio"] == 4.0
    assert line["authstorm_cpu_per_connect_ratio"] == 8.0
    assert json.loads(json.dumps(line)) == line


def test_a_storm_that_left_sockets_unserved_has_no_all_hello_time_nor_ratio():
    results = {
        "authstorm": storm_result(150, None, 12.0, handshakes_refused=50),
        "authstorm_relay": storm_result(200, 1.5, 1.5),
    }
    line = summary(results, quick=True)
    assert (line["authstorm_got_hello"], line["authstorm_refused"]) == (150, 50)
    assert line["authstorm_all_hello_s"] is None and line["authstorm_all_hello_ratio"] is None
    assert summary({}, quick=True)["authstorm_got_hello"] is None  # not run: still a key


def test_every_credential_goes_to_its_socket_consoles_and_visitors_interleaved():
    fixtures = {
        "sites": ["k0", "k1"],
        "consoles": [{"site": 0, "token": "lcpat_x"}, {"site": 1, "cookie": "c1"}],
        "visitors": [{"site": 1, "token": "v1", "dialog": 7}] * 3,
    }
    plan = sockets_of(fixtures, "ws://127.0.0.1:1")
    assert [kind for kind, _url, _headers in plan] == [
        "token", "visitor", "console", "visitor", "visitor",
    ]  # fmt: skip
    assert plan[0] == (
        "token", "ws://127.0.0.1:1/ws/console/?site=k0", {"Authorization": "Bearer lcpat_x"},
    )  # fmt: skip
    assert plan[2][2] == {"Cookie": "sessionid=c1"}
    assert plan[1][1] == "ws://127.0.0.1:1/ws/visitor/k1/?token=v1"


def test_a_dropped_handshake_is_refused_and_a_silent_one_timed_out():
    assert outcome_of("handshake", ConnectionResetError()) == "refused:ConnectionResetError"
    assert outcome_of("handshake", TimeoutError()) == "timed_out:handshake"
    assert outcome_of("hello", TimeoutError()) == "timed_out:hello"
    assert outcome_of("hello", RuntimeError()) == "closed:RuntimeError"
    from websockets.datastructures import Headers
    from websockets.exceptions import InvalidStatus
    from websockets.http11 import Response

    late = InvalidStatus(Response(403, "Access denied", Headers()))
    assert outcome_of("handshake", late) == "refused:InvalidStatus:403"
    from websockets.exceptions import ConnectionClosedError
    from websockets.frames import Close

    closed = ConnectionClosedError(Close(4012, "resync"), None)
    assert outcome_of("hello", closed) == "closed:ConnectionClosedError:4012"


@pytest.mark.django_db(transaction=True)
def test_the_fixtures_credentials_open_what_they_claim():
    """Each console's cookie is a signed-in session of its operator, each token is usable,
    and each visitor's token finds him with his open dialog."""
    from django.contrib.sessions.backends.db import SessionStore

    from api import tokens
    from bench import fixtures
    from chat.models import Dialog, Visitor
    from operators.models import Operator

    made = fixtures.authstorm_fixtures("t1", consoles=3, token_consoles=1, visitors=2, sites=2)
    token_row, *cookie_rows = made["consoles"]
    token = tokens.authenticate(token_row["token"])
    assert token is not None and token.operator.id == token_row["id"]
    for row in cookie_rows:
        session = SessionStore(session_key=row["cookie"])
        operator = Operator.objects.get(id=row["id"])
        assert session.get("_auth_user_id") == str(operator.user_id)
    assert len(made["visitors"]) == 2
    for row in made["visitors"]:
        visitor = Visitor.objects.get(token=row["token"])
        assert visitor.site.widget_key == made["sites"][row["site"]]
        dialog = Dialog.objects.get(id=row["dialog"], visitor=visitor)
        assert dialog.status != Dialog.Status.CLOSED
