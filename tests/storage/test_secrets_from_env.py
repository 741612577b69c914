"""Secrets from the environment, a NAME_FILE or a mounted SECRETS_DIR, never from the
working copy (config/secrets.py); the embedded default generates a development key once
under var/secrets/ and a deployment without a key refuses to start."""

import os
import subprocess
import sys
from pathlib import Path

from django.core.management import call_command

from config import secrets

ROOT = Path(__file__).resolve().parents[2]
NAMES = ("SECRET_KEY", "WEBPUSH_VAPID_PUBLIC_KEY", "WEBPUSH_VAPID_PRIVATE_KEY", "SECRETS_DIR")


def test_a_value_comes_from_the_variable_then_its_file_then_the_secrets_dir(tmp_path, monkeypatch):
    for name in ("TOKEN", "TOKEN_FILE", "SECRETS_DIR"):
        monkeypatch.delenv(name, raising=False)
    volume = tmp_path / "volume"
    volume.mkdir()
    (volume / "TOKEN").write_text("from-the-volume\n")
    assert secrets.read("TOKEN", "none") == "none"
    assert secrets.read("TOKEN", secrets_dir=volume) == "from-the-volume"
    (tmp_path / "token.txt").write_text("from-a-file\n")
    monkeypatch.setenv("TOKEN_FILE", str(tmp_path / "token.txt"))
    assert secrets.read("TOKEN", secrets_dir=volume) == "from-a-file"
    monkeypatch.setenv("TOKEN", "from-the-variable")
    assert secrets.read("TOKEN", secrets_dir=volume) == "from-the-variable"


def test_a_generated_development_value_is_made_once_and_kept_private(tmp_path):
    path = tmp_path / "secrets" / "SECRET_KEY"
    first = secrets.generated(path)
    assert len(first) >= 50
    assert secrets.generated(path) == first
    assert path.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["SECRET_KEY"]  # no draft left


def settings_of(**variables) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in NAMES and not k.endswith("_FILE")}
    env.update(variables)
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECRET_KEY, s.WEBPUSH_VAPID_PUBLIC_KEY or '-')"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_a_deployment_reads_its_secrets_from_a_mounted_volume(tmp_path):
    volume = tmp_path / "run-secrets"
    volume.mkdir()
    (volume / "SECRET_KEY").write_text("k" * 60)
    call_command("generate_vapid_keys", write=str(volume))
    public = (volume / "WEBPUSH_VAPID_PUBLIC_KEY").read_text()
    result = settings_of(SECRETS_DIR=str(volume), ALLOWED_HOSTS="chat.example.com")
    assert result.stdout.split() == ["k" * 60, public], result.stderr


def test_a_deployment_without_a_key_refuses_to_start_and_the_embedded_default_has_one(tmp_path):
    result = settings_of(SECRETS_DIR=str(tmp_path), ALLOWED_HOSTS="chat.example.com")
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr
    embedded = settings_of(SECRETS_DIR=str(tmp_path))
    key = embedded.stdout.split()[0]
    assert key == (ROOT / "var" / "secrets" / "SECRET_KEY").read_text().strip()
    assert settings_of(SECRETS_DIR=str(tmp_path)).stdout.split()[0] == key
