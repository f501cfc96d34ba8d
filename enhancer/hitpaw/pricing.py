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


def limits_for(kind: str) -> tuple[float, float]:
    """(input, output) limits in megapixels for a kind of model."""
    return LIMITS_MP.get(kind, LIMITS_MP["standard"])


def max_input_pixels(kind: str) -> int:
    return int(limits_for(kind)[0] * 1_000_000)


def max_output_pixels(kind: str) -> int:
    return int(limits_for(kind)[1] * 1_000_000)


def limit_problem(kind: str, width: int, height: int, scale: int) -> str | None:
    """Say in plain words, with the size and the limit, why HitPaw would refuse this photo; None if it fits."""
    max_in, max_out = limits_for(kind)
    size_in = width * height / 1_000_000
    if size_in > max_in:
        return (
            f"The photo is too large for this model: {_mp(size_in, max_in)} megapixels ({width} × {height}) "
            f"is over {max_in:g} megapixels, the most HitPaw takes for it. Try a smaller photo."
        )
    size_out = output_megapixels(width, height, scale)
    if size_out > max_out:
        return (
            f"The enhanced photo would be {_mp(size_out, max_out)} megapixels ({width * scale} × "
            f"{height * scale}), over {max_out:g} megapixels, the most HitPaw allows. "
            "Pick a smaller scale or a smaller photo."
        )
    return None


def _mp(value: float, limit: float) -> str:
    """Megapixels to one decimal, or two when one would read as the limit itself."""
    return f"{value:.1f}" if round(value, 1) != limit else f"{value:.2f}"
