"""The verification examples of docs/crm.md (Python and Node.js, no library) accept what
the webhook connector sends, with either secret during a rotation, and refuse a stranger."""

import base64
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from crm import payloads
from crm.connectors import encode_body
from crm.connectors.webhook import WebhookConnector
from crm.models import Export

pytestmark = pytest.mark.django_db

DOC = (Path(settings.BASE_DIR) / "docs" / "crm.md").read_text()
OLD = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
NEW = "a text secret, not whsec_, ünïcode"
STRANGER = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"


def example(language: str) -> str:
    blocks = re.findall(rf"```{language}\n(.*?)```", DOC, flags=re.S)
    [block] = [b for b in blocks if "function verify(" in b or "def verify(" in b]
    return block


@pytest.fixture
def sent(make_integration, dialog):
    """Headers (lower-case names, as a server gives them) and the raw body of a delivery
    signed with NEW and, while rotating, OLD."""
    integration = make_integration(
        "webhook",
        settings={"url": "https://crm.example/hook", "secret": NEW, "previous_secret": OLD},
    )
    export = Export.objects.create(integration=integration, dialog=dialog)
    request = WebhookConnector(integration.settings).build_request(payloads.build(export))
    return {k.lower(): v for k, v in request.headers.items()}, encode_body(request.json)


@pytest.mark.parametrize(("secret", "accepted"), [(OLD, True), (NEW, True), (STRANGER, False)])
def test_the_python_example(sent, secret, accepted):
    namespace = {}
    exec(example("python"), namespace)  # the documented code, as a receiver would paste it
    headers, raw = sent

    assert namespace["verify"](headers, raw, secret) is accepted
    assert namespace["verify"](headers, raw + b" ", secret) is False


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js")
@pytest.mark.parametrize(("secret", "accepted"), [(OLD, True), (NEW, True), (STRANGER, False)])
def test_the_nodejs_example(sent, secret, accepted, tmp_path):
    headers, raw = sent
    script = tmp_path / "verify.js"
    script.write_text(
        example("javascript")
        + "\nconst [headers, body, secret] = JSON.parse(process.argv[2]);\n"
        + "process.stdout.write(String(verify(headers, Buffer.from(body, 'base64'), secret)));\n"
    )
    argument = json.dumps([headers, base64.b64encode(raw).decode(), secret])

    result = subprocess.run(
        ["node", str(script), argument], capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout == ("true" if accepted else "false")
