"""The verification examples of docs/webhooks.md (Python and Node.js) accept what is really
sent to a local receiver and refuse another secret or a changed body."""

import base64
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from webhooks import services

pytestmark = pytest.mark.django_db

DOC = (Path(settings.BASE_DIR) / "docs" / "webhooks.md").read_text()
STRANGER = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"


def example(language: str) -> str:
    [block] = re.findall(rf"```{language}\n(.*?)```", DOC, flags=re.S)
    return block


@pytest.fixture
def sent(receiver, make_endpoint, site, django_capture_on_commit_callbacks):
    endpoint = make_endpoint(receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        services.send_test_event(account_id=site.account_id, endpoint_id=endpoint.pk)
    [(headers, raw)] = receiver.requests
    return headers, raw, endpoint.secret


def test_the_python_example(sent):
    namespace = {}
    exec(example("python"), namespace)  # the documented code, as a receiver pastes it
    headers, raw, secret = sent
    assert namespace["verify"](headers, raw, secret) is True
    assert namespace["verify"](headers, raw, STRANGER) is False
    assert namespace["verify"](headers, raw + b" ", secret) is False


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js")
def test_the_nodejs_example(sent, tmp_path):
    headers, raw, secret = sent
    script = tmp_path / "verify.js"
    script.write_text(
        example("javascript")
        + "\nconst [headers, body, secrets] = JSON.parse(process.argv[2]);\n"
        + "process.stdout.write(secrets.map((s) => String(verify(headers, "
        + "Buffer.from(body, 'base64'), s))).join(','));\n"
    )
    argument = json.dumps([headers, base64.b64encode(raw).decode(), [secret, STRANGER]])
    result = subprocess.run(
        ["node", str(script), argument], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "true,false"
