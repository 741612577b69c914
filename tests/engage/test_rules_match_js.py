"""The widget's rule matching (static/engage/rules-match.js) is tested by node's own test
runner (tests/engage/rules-match.test.cjs); this runs it with the Python suite."""

import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js")
def test_the_widgets_rule_matching_table():
    done = subprocess.run(
        ["node", "--test", str(HERE / "rules-match.test.cjs")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "# fail 0" in done.stdout
