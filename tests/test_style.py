"""The code keeps its style: ruff (with docstring rules) passes on the package and tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_passes_on_package_tests_and_notebooks():
    """Ruff reports nothing in sim/, tests/ and notebooks/ (ruff is in the dev extra)."""
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "sim", "tests", "notebooks"],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
