"""The code keeps its types: mypy, strict, passes on the package (configured in pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow  # cold, as in a fresh clone, mypy takes 15 to 40 s: started first, not last
def test_mypy_passes_on_package():
    """Strict mypy reports nothing in sim/ (mypy and the stubs it needs are in the dev extra)."""
    done = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stdout + done.stderr
