"""The benchmark's last line (bench/run.py): the keys issue 5 asks for, and its ratios."""

import json

from bench.run import summary

REQUIRED = {
    "delivered_per_s",
    "baseline_delivered_per_s",
    "p99_ms",
    "baseline_p99_ms",
    "idle_sockets",
    "bytes_per_socket",
    "mine_tab_p95_ms",
    "history_p95_ms",
    "messages_lost",
}


def test_summary_has_the_keys_and_ratios():
    results = {
        "chat": {"delivered_per_s": 50.0, "messages_lost": 0, "latency": {"p99_ms": 30.0}},
        "chat_relay": {"delivered_per_s": 100.0, "latency": {"p99_ms": 10.0}},
        "idle": {"idle_sockets": 10_000, "bytes_per_socket": 40_000},
        "pages": {
            "pages": {
                "mine": {"p95_ms": 12.5},
                "history": {"p95_ms": 20.0},
                "reports": {"p95_ms": 140.0},
            }
        },
        "page_queries": {"mine": 7, "history": 9, "leads": None, "reports": 12},
    }
    line = summary(results, quick=True)
    assert set(line) >= REQUIRED
    assert line["delivered_ratio"] == 0.5
    assert line["p99_ratio"] == 3.0
    assert line["mine_tab_queries"] == 7
    assert line["leads_p95_ms"] is None
    assert (line["reports_p95_ms"], line["reports_queries"]) == (140.0, 12)
    assert json.loads(json.dumps(line)) == line  # one JSON object


def test_summary_of_a_failed_run_is_still_a_line():
    line = summary({"chat": {"failed": "boom"}}, quick=False)
    assert set(line) >= REQUIRED
    assert line["delivered_per_s"] is None and line["delivered_ratio"] is None


def storm_result(got_hello: int, p99_ms: float | None) -> dict:
    return {"scenario": "storm", "got_hello": got_hello, "time_to_hello": {"p99_ms": p99_ms}}


def test_the_storm_figures_are_the_worst_trial_of_each_stack():
    results = {
        "sizes": {"storm": 200},
        "storm_relay_1": storm_result(200, 900.0),
        "storm_1": storm_result(200, 3000.0),
        "storm_2": storm_result(180, 5000.0),
        "storm_embedded_1": storm_result(200, 4000.0),
        "storm_embedded_2": {"scenario": "storm", "failed": "boom"},  # a trial that failed
    }
    line = summary(results, quick=True)
    assert line["storm_clients"] == 200
    assert (line["storm_fewest_hello"], line["storm_worst_p99_ms"]) == (180, 5000.0)
    assert line["storm_embedded_fewest_hello"] == 200
    assert line["storm_embedded_worst_p99_ms"] == 4000.0
    assert line["baseline_storm_worst_p99_ms"] == 900.0


def test_summary_has_the_knee_cpu_and_reconnect_keys_and_their_ratios():
    results = {
        "knee": {"knee_per_s": 300.0},
        "knee_relay": {"knee_per_s": 600.0},
        "chat": {"cpu_ms_per_delivered": 4.0},
        "chat_relay": {"cpu_ms_per_delivered": 1.0},
        "idle": {"cpu_ms_per_connect": 6.0, "connects_per_s": 100.0},
        "idle_relay": {"cpu_ms_per_connect": 2.0, "connects_per_s": 400.0},
        "reconnect": {
            "with_dialog": 100,
            "all_resumed_s": 12.5,
            "resumed": 100,
            "handshakes_refused": 0,
            "handshakes_timed_out": 0,
            "messages_lost": 0,
            "server_listening_s": 3.2,
        },  # fmt: skip
        "reconnect_relay": {"all_resumed_s": 6.0, "messages_lost": 0},
    }
    line = summary(results, quick=True)
    assert (line["knee_per_s"], line["baseline_knee_per_s"], line["knee_ratio"]) == (
        300.0, 600.0, 0.5,
    )  # fmt: skip
    assert line["cpu_per_delivered_ratio"] == 4.0
    assert (line["cpu_per_connect_ratio"], line["connects_ratio"]) == (3.0, 0.25)
    assert line["reconnect_all_resumed_s"] == 12.5
    assert line["baseline_reconnect_all_resumed_s"] == 6.0
    assert line["reconnect_messages_lost"] == 0
    assert line["reconnect_server_listening_s"] == 3.2
    assert json.loads(json.dumps(line)) == line


def test_the_reconnect_backoff_is_the_widgets():
    """static/chat/widget/socket.js: 0.5 s doubling up to 15 s, at random in [half, full]."""
    from bench.reconnect import backoff

    for attempt, ceiling in [(0, 0.5), (1, 1.0), (4, 8.0), (5, 15.0), (9, 15.0)]:
        waits = [backoff(attempt) for _ in range(200)]
        assert ceiling / 2 <= min(waits) and max(waits) <= ceiling


def test_the_widget_cost_keys_come_from_the_page_weight_run():
    results = {
        "page_weight": {
            "loader_gzip_bytes": 6144,
            "loader_bytes": 6554,
            "bytes_at_load": 6554,
            "bytes_before_open": 78643,
            "frame_at_load": False,
            "socket_at_load": False,
            "main_thread_ms_before_open": 70,
            "widget_cls": 0,
        }
    }
    line = summary(results, quick=True)
    assert line["widget_loader_kb_gz"] == 6.0
    assert (line["widget_kb_at_load"], line["widget_kb_before_open"]) == (6.4, 76.8)
    assert line["widget_frame_at_load"] is False and line["widget_cls"] == 0
    assert line["widget_main_thread_ms"] == 70
    assert summary({}, quick=True)["widget_loader_kb_gz"] is None  # not run: still a key
