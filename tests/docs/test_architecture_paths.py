"""docs/architecture.md stays true to the tree: every file it names exists."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NAMED = re.compile(r"`([\w./-]+\.(?:py|js|css|html|md))`")


def tracked_files() -> list[str]:
    listing = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return listing.stdout.split()


def test_every_file_the_architecture_names_exists():
    files = tracked_files() + [str(p.relative_to(ROOT)) for p in ROOT.glob("*/**/*.*")]
    text = (ROOT / "docs" / "architecture.md").read_text()
    missing = []
    for name in sorted(set(NAMED.findall(text))):
        if name.startswith("/") or name.startswith("shared/"):
            continue  # a URL, or the design notes beside the repository (../shared)
        # A path from the root, or one relative to the folder the text is about.
        if not any(f == name or f.endswith("/" + name) for f in files):
            missing.append(name)
    assert missing == []
