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
