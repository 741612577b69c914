"""The container image's files, checked without building it (`make image-test` builds and
runs it): the entrypoint starts each role, the health check follows /healthz, and the
compose file and Kubernetes manifests run the four roles from one image with probes on
/healthz (docs/operations.md, "Container image")."""

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from werkzeug import Response

ROOT = Path(__file__).resolve().parents[2]
ENTRYPOINT = ROOT / "deploy" / "container" / "entrypoint.sh"
HEALTHCHECK = ROOT / "deploy" / "container" / "healthcheck.py"
ROLES = {"web", "worker", "beat", "migrate"}


@pytest.fixture
def fake_tools(tmp_path):
    """daphne, celery and python stand-ins that print how they were called."""
    for tool in ("daphne", "celery", "python"):
        stub = tmp_path / tool
        stub.write_text(f'#!/bin/sh\necho {tool} "$@"\n')
        stub.chmod(0o755)
    return tmp_path


def run_role(fake_tools, *args, **env) -> str:
    result = subprocess.run(
        ["sh", str(ENTRYPOINT), *args],
        env={"PATH": f"{fake_tools}:/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        ((), {}, "python -m config.serve --bind 0.0.0.0 --port 8000 config.asgi:application"),
        (
            ("web",),
            {"PORT": "9001"},
            "python -m config.serve --bind 0.0.0.0 --port 9001 config.asgi:application",
        ),
        (
            ("worker", "--concurrency", "2"),
            {},
            "celery -A config worker --loglevel info --concurrency 2",
        ),
        (("beat",), {}, "celery -A config beat --loglevel info"),
        (("migrate",), {}, "python manage.py migrate --noinput"),
        (("manage", "createsuperuser"), {}, "python manage.py createsuperuser"),
    ],
)
def test_the_command_picks_the_role(fake_tools, args, env, expected):
    assert run_role(fake_tools, *args, **env) == expected


def healthcheck(port: int, *args: str, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("ALLOWED_HOSTS", "PORT")}
    return subprocess.run(
        [sys.executable, str(HEALTHCHECK), *args],
        env={**clean, "PORT": str(port), **env},
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_healthcheck_is_healthy_only_on_200_from_healthz(httpserver):
    hosts = []

    def answer(request):
        hosts.append(request.headers["Host"])
        return Response('{"status": "ok"}', status=200)

    httpserver.expect_request("/healthz").respond_with_handler(answer)
    result = healthcheck(httpserver.port, ALLOWED_HOSTS="chat.example.com,localhost")
    assert result.returncode == 0, result.stderr
    assert hosts == ["chat.example.com"]  # a name the server accepts

    httpserver.clear()
    httpserver.expect_request("/healthz").respond_with_data('{"status": "fail"}', status=503)
    assert healthcheck(httpserver.port).returncode == 1


def test_liveness_only_asks_that_the_server_answers(httpserver):
    """A 503 (PostgreSQL or Redis away) keeps the pod alive: a restart would not help."""
    httpserver.expect_request("/healthz").respond_with_data('{"status": "fail"}', status=503)
    assert healthcheck(httpserver.port, "--alive").returncode == 0
    assert healthcheck(closed_port(), "--alive").returncode == 1


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_healthcheck_fails_when_nothing_listens():
    result = healthcheck(closed_port())
    assert result.returncode == 1
    assert "healthz" in result.stderr


def test_containerfile_is_multi_stage_non_root_and_health_checked():
    text = (ROOT / "Containerfile").read_text()
    assert re.search(r"^ARG BASE=.*bookworm-slim$", text, re.M)
    assert len(re.findall(r"^FROM \$\{BASE\}", text, re.M)) == 2
    user = re.findall(r"^USER (\S+)", text, re.M)
    assert user and user[-1].split(":")[0] not in ("0", "root")
    assert "deploy/container/healthcheck.py" in text
    assert "collectstatic" in text and "pybabel" in text


def kube_documents() -> list[dict]:
    documents = []
    for path in sorted((ROOT / "deploy" / "kubernetes").glob("*.yaml")):
        documents += [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    return documents


def test_kubernetes_runs_every_role_from_one_image_with_probes_on_healthz():
    documents = kube_documents()
    workloads = [doc for doc in documents if doc["kind"] in ("Deployment", "Job")]
    containers = [c for doc in workloads for c in doc["spec"]["template"]["spec"]["containers"]]
    assert {c["args"][0] for c in containers} == ROLES
    assert len({c["image"] for c in containers}) == 1
    (web,) = [c for c in containers if c["args"][0] == "web"]
    assert web["readinessProbe"]["httpGet"]["path"] == "/healthz"
    assert web["startupProbe"]["httpGet"]["path"] == "/healthz"
    for doc in workloads:
        assert doc["spec"]["template"]["spec"]["securityContext"]["runAsNonRoot"] is True
    kinds = {doc["kind"] for doc in documents}
    assert {"Service", "Ingress", "ConfigMap", "Kustomization"} <= kinds
    (ingress,) = [doc for doc in documents if doc["kind"] == "Ingress"]
    assert (
        int(ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/proxy-read-timeout"])
        >= 3600
    )


def test_compose_runs_the_roles_behind_a_tls_proxy():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    commands = {name: s.get("command", [None])[0] for name, s in services.items()}
    assert sorted(name for name, role in commands.items() if role == "web") == ["web1", "web2"]
    assert {commands["worker"], commands["beat"], commands["migrate"]} == {
        "worker",
        "beat",
        "migrate",
    }
    assert {"postgres", "redis", "proxy"} <= set(services)
    assert "443:443" in services["proxy"]["ports"]
