"""Check mutmut's mutants with its switch, one pytest per mutant, on the test files you
name (docs/testing.md, "Mutation run").

mutmut's own runner runs every test covering a mutated function in no fixed order, so a
mutant a unit test kills in 0.2 s often runs into a slow socket test first. This runner
uses mutmut only to write the mutants (mutants/, the same names and the same
`mutants/<module>.py.meta` results `scripts/mutation_report.py` reads), then, inside
mutants/, runs `MUTANT_UNDER_TEST=<name> pytest -x <tests>` for each mutant, in the
order the tests are given (fast unit tests first):

    .venv/bin/python scripts/mutation_switch.py generate
    .venv/bin/python scripts/mutation_switch.py run 'chat.messaging.posting.*' \\
        -- tests/chat/test_posting.py tests/chat/test_message_path.py
    .venv/bin/python scripts/mutation_switch.py survivors 'chat.messaging.posting.*'
    .venv/bin/python scripts/mutation_switch.py show chat.messaging.posting.x_post__mutmut_3
    .venv/bin/python scripts/mutation_switch.py harvest mutants/mutation_batch_1234.jsonl

`run` checks only the mutants not checked yet; `--again` re-checks those whose last result
matches `--status` (default survived: after new tests, to get the "survived after" figure).
pytest exit 0 is "survived", 1 "killed"; a mutant over `--timeout` seconds is "timeout".
DATABASE_URL, REDIS_URL and CHANNEL_PREFIX are taken from the environment as they are;
every mutant shares one test database, kept between them (MUTATION_SHARED_TEST_DB=1 and
--reuse-db, as `make mutation MAX_CHILDREN=1`). Run it under `nice -n 10`.
"""

import argparse
import contextlib
import fnmatch
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTANTS = ROOT / "mutants"
TIMEOUT_EXIT = 36  # mutmut's code for a mutant stopped by the wall-clock limit
STATUS = {0: "survived", 1: "killed", TIMEOUT_EXIT: "timeout", None: "not checked"}


def generate() -> None:
    """Write mutants/ as `mutmut run` does before it runs any test."""
    from mutmut import __main__ as mm

    os.chdir(ROOT)
    mm.set_mutant_under_test("mutant_generation")
    MUTANTS.mkdir(exist_ok=True)
    mm.copy_src_dir()
    mm.copy_also_copy_files()
    mm.setup_source_paths()
    mm.store_lines_covered_by_tests()
    stats = mm.create_mutants(1)
    print(f"{stats.mutated} files mutated, {stats.unmodified} unmodified")


def metas() -> list[Path]:
    return sorted(MUTANTS.rglob("*.py.meta"))


def matching(pattern: str) -> list[tuple[Path, str, int | None]]:
    found = []
    for meta in metas():
        for name, code in json.loads(meta.read_text())["exit_code_by_key"].items():
            if fnmatch.fnmatch(name, pattern):
                found.append((meta, name, code))
    return found


def record(meta: Path, name: str, code: int, seconds: float) -> None:
    data = json.loads(meta.read_text())
    data["exit_code_by_key"][name] = code
    data["durations_by_key"][name] = seconds
    meta.write_text(json.dumps(data, indent=4))


def check(name: str, tests: list[str], timeout: float) -> tuple[int, float]:
    # one pytest at a time: every mutant shares one test database, kept (tests/conftest.py)
    env = dict(os.environ, MUTANT_UNDER_TEST=name, MUTATION_SHARED_TEST_DB="1")
    env["PYTEST_ADDOPTS"] = (env.get("PYTEST_ADDOPTS", "") + " --reuse-db").strip()
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider"]
    started = time.monotonic()
    try:
        done = subprocess.run(
            command + tests, cwd=MUTANTS, env=env, capture_output=True, timeout=timeout, check=False
        )
        code = done.returncode
        if code not in (0, 1):  # a collection or usage error: recorded as it is, said here
            print(f"  pytest exit {code}: {done.stdout.decode()[-500:]}")
    except subprocess.TimeoutExpired:
        code = TIMEOUT_EXIT
    return code, time.monotonic() - started


def run(
    pattern: str, tests: list[str], again: bool, status: str, timeout: float, batch: int
) -> None:
    todo = [
        (meta, name)
        for meta, name, code in matching(pattern)
        if (code is None) or (again and STATUS.get(code, "other") == status)
    ]
    print(f"{len(todo)} mutants to check")
    if batch > 1:
        for start in range(0, len(todo), batch):
            run_batch(todo[start : start + batch], tests, timeout)
        return
    for n, (meta, name) in enumerate(todo, 1):
        code, seconds = check(name, tests, timeout)
        record(meta, name, code, seconds)
        print(f"[{n}/{len(todo)}] {name}: {STATUS.get(code, code)} ({seconds:.1f} s)", flush=True)


def run_batch(todo: list[tuple[Path, str]], tests: list[str], timeout: float) -> None:
    """Several mutants in one pytest: the trampoline reads MUTANT_UNDER_TEST at every call,
    so the plugin below sets it, runs the tests (stopping at the first failure), and goes
    on to the next mutant; the process start and the database set-up are paid once.
    A mutant left unanswered (the batch ran over its time) is checked on its own."""
    out = MUTANTS / f"mutation_batch_{os.getpid()}.jsonl"
    out.unlink(missing_ok=True)
    env = dict(
        os.environ,
        MUTANT_UNDER_TEST="",
        MUTATION_SHARED_TEST_DB="1",
        MUTATION_BATCH=",".join(name for _meta, name in todo),
        MUTATION_BATCH_OUT=str(out),
        PYTHONPATH=os.pathsep.join(
            filter(None, [str(ROOT / "scripts"), os.environ.get("PYTHONPATH")])
        ),
    )
    env["PYTEST_ADDOPTS"] = (env.get("PYTEST_ADDOPTS", "") + " --reuse-db").strip()
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "-p",
        "mutation_switch",
    ]
    with contextlib.suppress(subprocess.TimeoutExpired):
        subprocess.run(
            command + tests,
            cwd=MUTANTS,
            env=env,
            capture_output=True,
            timeout=timeout * len(todo),
            check=False,
        )
    answered = {}
    if out.exists():
        for line in out.read_text().splitlines():
            result = json.loads(line)
            answered[result["name"]] = result
    for meta, name in todo:
        if name in answered:
            code, seconds = answered[name]["code"], answered[name]["seconds"]
        else:
            code, seconds = check(name, tests, timeout)
        record(meta, name, code, seconds)
        print(f"{name}: {STATUS.get(code, code)} ({seconds:.1f} s)", flush=True)


def pytest_runtestloop(session):
    """The plugin's half (`-p mutation_switch`, only when MUTATION_BATCH is set): each
    mutant of MUTATION_BATCH against the collected tests, in order, until one fails."""
    if not os.environ.get("MUTATION_BATCH"):
        return None
    from _pytest.runner import runtestprotocol

    items = session.items
    with open(os.environ["MUTATION_BATCH_OUT"], "a") as out:
        for name in os.environ["MUTATION_BATCH"].split(","):
            os.environ["MUTANT_UNDER_TEST"] = name
            started = time.monotonic()
            code = 0
            for n, item in enumerate(items):
                # the last test of a mutant hands over to the first one: session and module
                # fixtures stay set up for the next mutant
                nextitem = items[n + 1] if n + 1 < len(items) else items[0]
                if hasattr(item, "_initrequest"):
                    item._initrequest()
                reports = runtestprotocol(item, nextitem=nextitem, log=False)
                if any(report.failed for report in reports):
                    code = 1
                    session._setupstate.teardown_exact(items[0])
                    break
            os.environ["MUTANT_UNDER_TEST"] = ""
            seconds = time.monotonic() - started
            out.write(json.dumps({"name": name, "code": code, "seconds": seconds}) + "\n")
            out.flush()
    return True


def harvest(path: str) -> None:
    """Record the answers of a batch stopped before its end (its mutation_batch_*.jsonl)."""
    metas_by_name = {name: meta for meta, name, _code in matching("*")}
    for line in Path(path).read_text().splitlines():
        result = json.loads(line)
        record(metas_by_name[result["name"]], result["name"], result["code"], result["seconds"])
        print(f"{result['name']}: {STATUS.get(result['code'], result['code'])}")


def survivors(pattern: str) -> None:
    for _meta, name, code in matching(pattern):
        if code == 0:
            print(name)


def show(name: str) -> None:
    """The mutant's diff against the original function (mutmut's own `show`)."""
    os.chdir(ROOT)
    subprocess.run([sys.executable, "-m", "mutmut", "show", name], check=False)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("generate")
    run_parser = sub.add_parser("run")
    run_parser.add_argument("pattern")
    run_parser.add_argument("tests", nargs="+")
    run_parser.add_argument("--again", action="store_true")
    run_parser.add_argument("--status", default="survived")
    run_parser.add_argument("--timeout", type=float, default=300)
    run_parser.add_argument("--batch", type=int, default=1, help="mutants per pytest process")
    sub.add_parser("survivors").add_argument("pattern")
    sub.add_parser("harvest").add_argument("path")
    sub.add_parser("show").add_argument("name")
    args = parser.parse_args()
    if args.command == "generate":
        generate()
    elif args.command == "run":
        run(args.pattern, args.tests, args.again, args.status, args.timeout, args.batch)
    elif args.command == "harvest":
        harvest(args.path)
    elif args.command == "survivors":
        survivors(args.pattern)
    else:
        show(args.name)


if __name__ == "__main__":
    main()
