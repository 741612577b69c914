"""Secrets read from the environment or from a mounted volume, never from the code's
working copy (docs/operations.md, "Secrets").

A value NAME comes from, in order: the variable NAME; the file the variable NAME_FILE names
(Docker and Kubernetes secrets); the file SECRETS_DIR/NAME (a mounted secret volume whose
keys are the variable names). The embedded default keeps generated development values
under var/secrets/, so `make run` works with nothing set.
"""

import os
import secrets
from pathlib import Path


def read(name: str, default: str = "", *, secrets_dir: Path | None = None) -> str:
    value = os.environ.get(name, "")
    if value:
        return value
    file = os.environ.get(f"{name}_FILE", "")
    if file:
        return Path(file).read_text().strip()
    directory = os.environ.get("SECRETS_DIR") or secrets_dir
    if directory and (Path(directory) / name).is_file():
        return (Path(directory) / name).read_text().strip()
    return default


def generated(path: Path) -> str:
    """A random development value kept at path: made once, then the same for every process
    of this host (Daphne, the worker, the test servers). Made atomically, so two processes
    starting together agree on one value."""
    if path.is_file():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}")
    draft.write_text(secrets.token_urlsafe(50))
    draft.chmod(0o600)
    try:
        os.link(draft, path)  # fails if another process made it first
    except FileExistsError:
        pass
    finally:
        draft.unlink()
    return path.read_text().strip()
