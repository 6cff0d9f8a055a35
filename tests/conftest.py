"""Suite-wide settings: the slow tests start first."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put tests marked slow first, so that on several workers none is left alone at the end."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
