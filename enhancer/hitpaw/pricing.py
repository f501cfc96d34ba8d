"""HitPaw's limits and prices (vendor docs), used to estimate coins before any are spent."""

from __future__ import annotations

import math

# (upper bound in output megapixels, exclusive; coins per image)
STANDARD_PRICES = [(8, 10), (12, 20), (24, 30), (48, 70), (108, 140), (216, 240), (math.inf, 480)]
GENERATIVE_PRICES = [(8, 20), (12, 30), (24, 40), (math.inf, 60)]

LIMITS_MP = {"standard": (70.0, 432.0), "generative": (34.0, 34.0)}  # (input, output)


def output_megapixels(width: int, height: int, scale: int) -> float:
    return width * scale * height * scale / 1_000_000


def estimate_coins(kind: str, output_mp: float) -> int:
    """Coins HitPaw charges for one image of `output_mp` megapixels out."""
    table = GENERATIVE_PRICES if kind == "generative" else STANDARD_PRICES
    for upper, coins in table:
        if output_mp < upper:
            return coins
    return table[-1][1]


def limit_problem(kind: str, width: int, height: int, scale: int) -> str | None:
    """Say in plain words why HitPaw would refuse this size, or None when it fits."""
    max_in, max_out = LIMITS_MP.get(kind, LIMITS_MP["standard"])
    if width * height / 1_000_000 > max_in:
        return f"The photo is too large for this model (over {max_in:g} megapixels). Try a smaller photo."
    if output_megapixels(width, height, scale) > max_out:
        return (
            f"The enhanced photo would be over {max_out:g} megapixels, more than HitPaw allows. "
            "Pick a smaller scale or a smaller photo."
        )
    return None
