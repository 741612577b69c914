"""1. The debootstrapped base and 2. the image built from the Containerfile."""

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from image_checks.common import (
    BASE,
    CA_BUNDLE,
    IMAGE,
    MIRROR,
    ROOT,
    WORK,
    Failure,
    figures,
    podman,
    step,
)

# --- 1. the base -------------------------------------------------------------------------


def ensure_base() -> None:
    WORK.mkdir(parents=True, exist_ok=True)
    (WORK / "containers.conf").write_text("[containers]\ndefault_ulimits = []\n")
    if podman("image", "exists", BASE, check=False).returncode == 0:
        figures["base"] = f"{BASE} already there (debootstrap skipped)"
        return
    step(f"debootstrap --variant=minbase bookworm -> {BASE}")
    started_at = time.monotonic()
    with tempfile.TemporaryDirectory(dir=WORK) as directory:
        rootfs = Path(directory) / "rootfs"
        subprocess.run(
            ["debootstrap", "--variant=minbase", "bookworm", str(rootfs), MIRROR],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        # Slim: no package cache, lists, manuals or docs.
        for garbage in ("var/cache/apt/archives", "var/lib/apt/lists", "usr/share/doc"):
            for child in (rootfs / garbage).glob("*"):
                if child.is_file():
                    child.unlink()
                elif child.is_dir():
                    shutil.rmtree(child)
        shutil.rmtree(rootfs / "usr/share/man", ignore_errors=True)
        tar = subprocess.Popen(["tar", "-C", str(rootfs), "-c", "."], stdout=subprocess.PIPE)
        env = {**os.environ, "CONTAINERS_CONF": str(WORK / "containers.conf")}
        subprocess.run(
            ["podman", "import", "--quiet", "-", BASE],
            stdin=tar.stdout,
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        tar.wait()
    figures["base"] = f"debootstrap + import {time.monotonic() - started_at:.0f} s"


# --- 2. the image ------------------------------------------------------------------------


def build() -> None:
    step(f"podman build -> {IMAGE}")
    args = ["build", "--network", "host", "--format", "docker", "--build-arg", f"BASE={BASE}"]
    if CA_BUNDLE.is_file():  # this machine's egress CA, for pip inside the build
        args += ["--secret", f"id=ca_bundle,src={CA_BUNDLE}"]
    previous = podman("image", "inspect", IMAGE, "--format", "{{.Id}}", check=False)
    started_at = time.monotonic()
    podman(*args, "-t", IMAGE, "-f", "Containerfile", str(ROOT))
    figures["build"] = f"{time.monotonic() - started_at:.1f} s"
    current = podman("image", "inspect", IMAGE, "--format", "{{.Id}}").stdout.strip()
    if previous.returncode == 0 and previous.stdout.strip() != current:
        # This test's previous build, now untagged: removed (never any other image).
        podman("rmi", previous.stdout.strip(), check=False)
    size = podman("image", "inspect", IMAGE, "--format", "{{.Size}}").stdout.strip()
    figures["image size"] = f"{int(size) / 1e6:.0f} MB"
    user = podman("image", "inspect", IMAGE, "--format", "{{.Config.User}}").stdout.strip()
    if user.split(":")[0] in ("", "0", "root"):
        raise Failure(f"the image runs as root (User={user!r})")
    figures["image user"] = user
