"""Goal Attainment Scaling: the Kiresuk–Sherman T-score over rated goals.

Each goal is rated on five levels, x = -2 (much less than expected) to +2
(much more than expected), 0 being the expected outcome, and may carry a
weight w (default 1). Over all rated goals:

    T = 50 + 10 · Σ wᵢxᵢ / √((1 − ρ) Σ wᵢ² + ρ (Σ wᵢ)²),   ρ = 0.3

so T = 50 when every goal reached its expected outcome, and about 10 points
per level above or below it (exactly 10·x for one goal). ρ is the assumed
correlation between goal scores, 0.3 as Kiresuk and Sherman proposed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

LEVELS = (-2, -1, 0, 1, 2)
RHO = 0.3


def t_score(rated: Iterable[tuple[int, float]], rho: float = RHO) -> float:
    """T-score of (level, weight) pairs; ValueError for none, or a level outside -2..2."""
    pairs = list(rated)
    if not pairs:
        raise ValueError("no rated goals")
    for level, weight in pairs:
        if level not in LEVELS:
            raise ValueError(f"level {level} is not one of -2..2")
        if weight <= 0:
            raise ValueError(f"weight {weight} must be above 0")
    weighted = sum(w * x for x, w in pairs)
    squares = sum(w * w for _, w in pairs)
    total = sum(w for _, w in pairs)
    return 50 + 10 * weighted / math.sqrt((1 - rho) * squares + rho * total * total)
