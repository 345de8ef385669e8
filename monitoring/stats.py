"""Quartiles and Tukey fences, as the rules use them (R-8, the median-unbiased definition)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction


def quantile_r8(sorted_values: Sequence[float], p: float) -> float:
    """Hyndman & Fan type 8: h = (n + 1/3)·p + 1/3, clamped to the sample."""
    n = len(sorted_values)
    if n == 0:
        raise ValueError("no values")
    h = (n + 1 / 3) * p + 1 / 3
    if h <= 1:
        return float(sorted_values[0])
    if h >= n:
        return float(sorted_values[-1])
    low = math.floor(h)
    return float(sorted_values[low - 1] + (h - low) * (sorted_values[low] - sorted_values[low - 1]))


@dataclass(frozen=True)
class Fences:
    q1: float
    q3: float
    lower: float
    upper: float
    n: int

    @property
    def iqr(self) -> float:
        return self.q3 - self.q1

    def as_evidence(self) -> dict:
        return {
            "q1": round(self.q1, 4),
            "q3": round(self.q3, 4),
            "lower": round(self.lower, 4),
            "upper": round(self.upper, 4),
            "n": self.n,
        }


def tukey_fences(values: Sequence[float], k: float = 1.5, min_n: int = 8) -> Fences | None:
    """Fences Q1 − k·IQR and Q3 + k·IQR, or None where they would be degenerate: too few values or IQR 0."""
    data = sorted(values)
    if len(data) < min_n:
        return None
    q1, q3 = quantile_r8(data, 0.25), quantile_r8(data, 0.75)
    if q3 - q1 <= 0:
        return None
    return Fences(q1=q1, q3=q3, lower=q1 - k * (q3 - q1), upper=q3 + k * (q3 - q1), n=len(data))


def quantile_r8_or_nan(values: Sequence[float], p: float) -> float:
    """R-8 quantile of unsorted values; NaN when there are none (as statrs answers, which Cardinal uses)."""
    if not values:
        return math.nan
    return quantile_r8(sorted(values), p)


def fused_multiply_add(x: float, y: float, z: float) -> float:
    """x·y + z rounded once, like Rust's `f64::mul_add` (Python 3.11 has no math.fma).

    Fences computed as `(q3 - q1).mul_add(1.5, q3)` differ from `q3 + 1.5 * (q3 - q1)` in the last bit
    for some inputs, which decides ties such as a ratio exactly on the fence.
    """
    if not (math.isfinite(x) and math.isfinite(y) and math.isfinite(z)):
        return x * y + z
    return float(Fraction(x) * Fraction(y) + Fraction(z))


def log_fence_evidence(fences: Fences, *, unit: str, scale: str, k: float) -> dict:
    """Evidence for a fence drawn on logarithms, reported back on the original scale (in `unit`)."""
    return {
        "scale": scale,
        f"q1_{unit}": round(math.exp(fences.q1), 2),
        f"q3_{unit}": round(math.exp(fences.q3), 2),
        f"lower_{unit}": round(math.exp(fences.lower), 2),
        "k": k,
        "n": fences.n,
    }
