"""`make image-test`: build the OCI image (Containerfile) with podman and prove it works.

1. A Debian bookworm base made by debootstrap and imported as localhost/debian:bookworm-slim
   (kept: skipped when that image exists; base images cannot be pulled here).
2. The image built from the Containerfile (podman with runc, host network).
3. From that image, against the machine's PostgreSQL (127.0.0.1:5432, user postgres) and
   Redis (127.0.0.1:6379), on a database (lc_image) and a key prefix (image) of its own:
   migrate, then two web containers, a worker and a beat. Both webs must answer /healthz
   and the image's HEALTHCHECK must pass; beat's periodic tasks must run on the worker.
4. A conversation through the containers, in the project's socket protocol: a visitor on
   one web writes, an operator (access token, console socket) on the other web sees the
   new dialog and the message, joins and answers, the visitor receives the answer.
5. The Kubernetes manifests (deploy/kubernetes/) played with `podman kube play` as far as
   podman can: the Deployments (web, worker, beat) and the migration Job's pod.

Prints the measured figures; exits non-zero on any failure. Stops only the containers and
pods it started. Needs root (podman's storage), debootstrap, podman and runc.
"""

import asyncio
import contextlib
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
from image_checks.common import (
    RUN_ID,
    WORK,
    Failure,
    figures,
    free_port,
    played,
    podman,
    started,
    step,
    wait_for,
)
from image_checks.conversation import conversation
from image_checks.image import build, ensure_base
from image_checks.kube import kube, kube_containers
from image_checks.roles import (
    fresh_database,
    healthz,
    logs,
    once,
    role_env,
    running,
    setup_data,
    start,
)

# --- the run -----------------------------------------------------------------------------


def main() -> int:
    total = time.monotonic()
    try:
        ensure_base()
        build()
        step("PostgreSQL database and settings")
        database_url = fresh_database()
        secrets_dir = Path(tempfile.mkdtemp(dir=WORK, prefix="secrets-"))
        secrets_dir.chmod(0o755)
        (secrets_dir / "SECRET_KEY").write_text(secrets.token_urlsafe(50))
        (secrets_dir / "SECRET_KEY").chmod(0o644)  # readable by the image's user
        env = role_env(database_url, secrets_dir)

        step("migrate")
        started_at = time.monotonic()
        once(env, "migrate")
        figures["migrate"] = f"{time.monotonic() - started_at:.1f} s"
        data = setup_data(env)

        step("web x2, worker, beat")
        ports = [free_port(), free_port()]
        started_at = time.monotonic()
        webs = [start(env, "web", port=port) for port in ports]
        worker = start(env, "worker")
        beat = start(env, "beat")
        for name, port in zip(webs, ports, strict=True):
            try:
                wait_for(lambda p=port: healthz(p)[0] == 200, f"{name} answers /healthz 200")
            except Failure:
                print(healthz(port), logs(name)[-3000:])
                raise
        figures["start to healthy (2 webs)"] = f"{time.monotonic() - started_at:.1f} s"
        status, body = healthz(ports[0])
        if body.get("checks", {}).get("broker", {}).get("ok") is not True:
            raise Failure(f"/healthz without a broker: {body}")
        check = podman("healthcheck", "run", webs[0], check=False)
        if check.returncode != 0:
            raise Failure(f"the image's HEALTHCHECK failed: {check.stdout}")
        figures["HEALTHCHECK"] = "podman healthcheck run: healthy"
        wait_for(
            lambda: "offer_waiting_dialogs" in logs(worker) and "succeeded" in logs(worker),
            "the worker runs a periodic task beat sent",
        )
        figures["beat -> worker"] = "chat.tasks.offer_waiting_dialogs sent by beat, run by worker"
        for name in (worker, beat):
            if not running(name):
                raise Failure(f"{name} stopped:\n{logs(name)[-3000:]}")

        step("conversation: visitor on web 1, operator on web 2")
        asyncio.run(conversation(ports[0], ports[1], data))

        for name in [*webs, worker, beat]:
            podman("stop", "-t", "10", name, check=False)
        kube(env)
    except (Failure, subprocess.CalledProcessError, psycopg.Error, OSError) as error:
        print(f"\nimage-test FAILED: {error}", file=sys.stderr)
        for name in started + kube_containers():
            print(f"--- {name} (last lines)\n{logs(name)[-1500:]}", file=sys.stderr)
        return 1
    finally:
        cleanup()
        figures["total"] = f"{time.monotonic() - total:.0f} s"
        print("\nimage-test figures:")
        for key, value in figures.items():
            print(f"  {key}: {value}")
    print("image-test: 1 passed, 0 failed")
    return 0


def cleanup() -> None:
    for path in played:
        with contextlib.suppress(Exception):
            podman("kube", "down", str(path), check=False)
    # Pods a half-played file left (kube down stops at the first one it cannot find): ours
    # carry this run's id in their names.
    if played:
        listing = podman("pod", "ps", "--format", "{{.Name}}", check=False).stdout.split()
        for pod in listing:
            if RUN_ID in pod:
                podman("pod", "rm", "-f", pod, check=False)
    for name in started:
        with contextlib.suppress(Exception):
            podman("rm", "-f", "-t", "5", name, check=False)
    for directory in WORK.glob("secrets-*"):
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
