"""Where an applicant stands during a run: the states the model and its mixins share."""

from __future__ import annotations

__all__ = ["CONNECTED", "NOT_YET", "WAITING", "WITHDRAWN"]

NOT_YET, WAITING, CONNECTED, WITHDRAWN = 0, 1, 2, 3
"""Not yet asked; waiting (possibly partly connected); connected in full; withdrawn."""
