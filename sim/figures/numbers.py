"""Numbers as readers see them, in figures, the report and its sentences.

Shares as percentages, one precision per estimate and its interval, never an exponent or a
"-0", and "not reached" for a time to connection the run never got to.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

from matplotlib.axis import Axis
from matplotlib.ticker import Formatter

__all__ = ["NOT_REACHED", "NO_INTERVAL", "QUARTER_SIGN", "distinct_values",
           "equal_but_for_rounding", "format_estimate", "format_numbers", "given_mw",
           "group_thousands", "replication_share", "significant", "tick_texts"]

NOT_REACHED = "not reached"
"""How an infinite time to connection reads: the share was never reached within the run."""

NO_INTERVAL = "no interval: too few replications"
"""Said beside an estimate without a 95% interval (a median of fewer than six replications)."""

QUARTER_SIGN = "¼"
"""Marks the time to connect a quarter, shown where half are never connected (tables, figures)."""


def format_estimate(value: float, low: float, high: float, unit: str, signed: bool = False
                    ) -> str:
    """A mean (or, ``signed``, a difference) with its interval, in one precision.

    '6.1 (5.8 to 6.4)', '2.6% (2.4 to 2.7%)', or signed '+2.5 pp (+2.4 to +2.7)' for a
    difference of shares; without an interval, the value alone.
    """
    if math.isinf(value):
        return NOT_REACHED
    scale = 100.0 if unit == "share" else 1.0
    known = [v * scale for v in (value, low, high) if not math.isnan(v)]
    texts = format_numbers(*known)
    distinct = distinct_values(*known)
    for extra in range(1, MORE_DECIMALS + 1):  # '9.0 (8.9 to 9.0)' hid that 8.95 < 9.01
        if len(set(texts)) == distinct and not _reads_zero(known, texts):
            break
        texts = format_numbers(*known, extra=extra)
    if signed:
        texts = [t if t.startswith("-") or t == NOT_REACHED or float(t.replace(",", "")) == 0
                 else f"+{t}" for t in texts]
    mark = (" pp" if signed else "%") if unit == "share" else ""
    if len(texts) < 3:
        return texts[0] + mark
    close = "" if signed else mark
    return f"{texts[0]}{mark} ({texts[1]} to {texts[2]}{close})"


def _reads_zero(values: list[float], texts: list[str]) -> bool:
    """Whether a value other than zero reads as zero: '+0.07 (0.00 to +0.13)' for 0.004.

    An interval that excludes zero would then read as one that reaches it.
    """
    return any(value != 0 and text != NOT_REACHED and float(text.replace(",", "")) == 0
               for value, text in zip(values, texts, strict=True))


MORE_DECIMALS = 3
"""At most this many decimals more than usual, to tell an estimate from its interval's ends."""

ROUNDING_RELATIVE = 1e-9
"""Values closer than this, relative to the larger, are equal but for floating-point
rounding (:func:`equal_but_for_rounding`): far more than the rounding of the sums and
logits behind an estimate, far less than any difference the most decimals shown can show."""

ROUNDING_ABSOLUTE = 1e-12
"""Values nearer zero than this are zero but for rounding: relative to zero, any two differ."""


def equal_but_for_rounding(a: float, b: float) -> bool:
    """Whether ``a`` and ``b`` differ only by floating-point rounding, not in a way to show.

    The one rule by which numbers as readers see them tell values apart: an estimate from
    its interval's ends (:func:`distinct_values`), and the ends of an interval in the
    report's sentences. A relative tolerance, not a number of significant digits: rounded to
    digits, two values one bit apart read apart where they fall either side of a last digit.
    """
    return math.isclose(a, b, rel_tol=ROUNDING_RELATIVE, abs_tol=ROUNDING_ABSOLUTE)


def distinct_values(*values: float) -> int:
    """How many different values there are, those differing only by rounding counted as one.

    Values that differ only by floating-point rounding (an interval worked out on the logit
    scale of a share that is 0.85 in every replication, a mean of equal values) are one
    value (:func:`equal_but_for_rounding`): no decimals are added to tell them apart. Each
    value is compared with the next larger; a value that is not a number is one of its own.
    """
    ordered = sorted(v for v in values if not math.isnan(v))
    apart = sum(not equal_but_for_rounding(lower, upper)
                for lower, upper in itertools.pairwise(ordered))
    return (1 + apart if ordered else 0) + sum(math.isnan(v) for v in values)


def format_numbers(*values: float, extra: int = 0) -> list[str]:
    """The values written with one precision, set by the largest.

    Two significant digits below 1, one decimal below 100, none above; never an exponent;
    "not reached" for an infinite value. ``extra``: that many decimals more.
    """
    size = max((abs(v) for v in values if math.isfinite(v)), default=0.0)
    decimals = 0 if size >= 100 else 1 if size >= 1 or size == 0 \
        else min(1 - math.floor(math.log10(size)), 6)
    texts = [f"{v:,.{decimals + extra}f}" for v in values]
    texts = [NOT_REACHED if math.isinf(v) else t for v, t in zip(values, texts, strict=True)]
    return _no_negative_zero(texts)


def replication_share(share: float, replications: float | None = None,
                      noun: bool = True) -> str:
    """A share of replications in words: '80% of replications', '199 of 200 replications'.

    A whole percent, but a share above 0 and below 1 never reads 0% or 100%: 199 of 200
    replications was 'in 100% of replications', as if the project were connected in every
    one. Where it would, the count is said if ``replications`` (how many the share is of)
    is known, else '>99%' or '<1%'. ``noun``: followed by 'replications' ('of
    replications' after a percent); without it, '80%' or '199 of 200' alone.
    """
    text = f"{share:.0%}"
    if 0 < share < 1 and text in ("0%", "100%"):
        if replications is not None and math.isfinite(replications) and replications >= 1:
            runs = round(replications)
            count = min(max(round(share * runs), 1), runs - 1)
            return f"{count} of {runs}" + (" replications" if noun else "")
        text = "<1%" if text == "0%" else ">99%"
    return text + (" of replications" if noun else "")


def significant(value: float, digits: int = 2) -> str:
    """``value`` to ``digits`` significant digits as ``:g`` writes it, but never an exponent.

    '0.35', '2', '150', '3,750': ``f"{150:.2g}"`` reads '1.5e+02', which a planner's stream
    of 150 MW requests or a patience of 100 years would show in the assumptions.
    """
    if not math.isfinite(value) or value == 0:
        return f"{value:g}"
    rounded = float(f"{value:.{digits}g}")
    decimals = max(digits - 1 - math.floor(math.log10(abs(rounded))), 0)
    text = f"{rounded:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").removesuffix(".")
    return _no_negative_zero([text])[0]


GIVEN_DIGITS = 6
"""Significant digits of a figure a planner typed into a file, written back to be checked."""


def given_mw(value: float) -> str:
    """A named waiting-list row's MW as its CSV gives it: '1.2345', never rounded to '1.23'.

    The one rule for ``gridqueue validate`` and the report's assumptions, so that a planner
    can check the row was read as typed, and finds it written alike in both.
    """
    return significant(value, GIVEN_DIGITS)


def _no_negative_zero(texts: list[str]) -> list[str]:
    """``texts`` with a '-0' (a small negative value written to zero) read as '0'."""
    return [t[1:] if t.startswith("-") and not t.strip("-0.,") else t for t in texts]


TICK_DECIMALS = 6
"""At most this many decimals on an axis tick."""


def tick_texts(values: Sequence[float]) -> list[str]:
    """An axis's tick labels: thousands separated as in the tables, one number of decimals.

    '0', '10,000', '20,000'; '0.0', '0.5', '1.0': the fewest decimals that write every tick
    exactly, never an exponent or a '-0'.
    """
    finite = [v for v in values if math.isfinite(v)]
    decimals = max((_decimals(v) for v in finite), default=0)
    return _no_negative_zero([f"{v:,.{decimals}f}" for v in values])


def _decimals(value: float) -> int:
    """The fewest decimals (up to :data:`TICK_DECIMALS`) that write ``value`` as it is."""
    for decimals in range(TICK_DECIMALS):
        if abs(round(value, decimals) - value) <= 1e-9 * max(1.0, abs(value)):
            return decimals
    return TICK_DECIMALS


class GroupedTicks(Formatter):
    """Tick labels as :func:`tick_texts` writes them: '12,000', not '12000' or '1.2e4'."""

    def __init__(self) -> None:
        self._texts: dict[float, str] = {}

    def set_locs(self, locs: list[float]) -> None:
        """The decimals follow every tick shown, as the tables' numbers follow the largest."""
        super().set_locs(locs)
        self._texts = dict(zip(locs, tick_texts(list(locs)), strict=True))

    def __call__(self, x: float, pos: int | None = None) -> str:
        return self._texts.get(x) or tick_texts([x])[0]


def group_thousands(*axes: Axis) -> None:
    """Label each axis of counts, jobs or MW with thousands separated (:class:`GroupedTicks`)."""
    for axis in axes:
        axis.set_major_formatter(GroupedTicks())
