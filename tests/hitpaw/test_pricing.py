"""Coin estimates and size limits before anything is spent."""

import pytest

from enhancer.hitpaw.pricing import estimate_coins, limit_problem, output_megapixels

# Prices


@pytest.mark.parametrize(
    "output_mp, coins",
    [
        (0.01, 10),
        (7.99, 10),
        (8.0, 20),
        (11.99, 20),
        (12.0, 30),
        (23.99, 30),
        (24.0, 70),
        (47.99, 70),
        (48.0, 140),
        (107.99, 140),
        (108.0, 240),
        (215.99, 240),
        (216.01, 480),
        (432.0, 480),
    ],
)
def test_it_prices_a_standard_model_by_output_megapixels(output_mp, coins):
    assert estimate_coins("standard", output_mp) == coins


@pytest.mark.parametrize(
    "output_mp, coins",
    [(0.01, 20), (7.99, 20), (8.0, 30), (11.99, 30), (12.0, 40), (23.99, 40), (24.0, 60), (34.0, 60)],
)
def test_it_prices_a_generative_model_by_output_megapixels(output_mp, coins):
    assert estimate_coins("generative", output_mp) == coins


def test_it_prices_an_unknown_kind_like_a_standard_model():
    assert estimate_coins("something-new", 10.0) == estimate_coins("standard", 10.0) == 20


def test_it_counts_output_megapixels_after_scaling():
    assert output_megapixels(4000, 3000, 2) == 48.0
    assert output_megapixels(4000, 3000, 1) == 12.0


def test_it_prices_a_4x_enlargement_by_its_output_not_its_input():
    assert estimate_coins("standard", output_megapixels(1000, 1000, 4)) == 30  # 1 MP in, 16 MP out


# Limits


def test_it_accepts_a_standard_photo_up_to_70_megapixels_in():
    assert limit_problem("standard", 10000, 7000, 1) is None


def test_it_refuses_a_standard_photo_over_70_megapixels_in():
    assert limit_problem("standard", 10000, 7001, 1) == (
        "The photo is too large for this model: 70.01 megapixels (10000 × 7001) is over 70 megapixels, "
        "the most HitPaw takes for it. Try a smaller photo."
    )


def test_it_names_the_size_and_the_limit_of_a_72_megapixel_photo():
    problem = limit_problem("standard", 9800, 7350, 2)
    assert "72.0 megapixels (9800 × 7350)" in problem and "over 70 megapixels" in problem


def test_it_names_the_output_size_of_a_30_megapixel_photo_at_4x():
    problem = limit_problem("standard", 6325, 4744, 4)
    assert "480.1 megapixels (25300 × 18976)" in problem and "over 432 megapixels" in problem


def test_it_accepts_a_standard_result_up_to_432_megapixels_out():
    assert limit_problem("standard", 5196, 5196, 4) is None  # 431.97 MP out


def test_it_refuses_a_standard_result_over_432_megapixels_out():
    assert limit_problem("standard", 5200, 5200, 4) == (
        "The enhanced photo would be 432.6 megapixels (20800 × 20800), over 432 megapixels, the most "
        "HitPaw allows. Pick a smaller scale or a smaller photo."
    )


def test_it_accepts_a_generative_result_up_to_34_megapixels():
    assert limit_problem("generative", 2915, 2915, 2) is None  # 33.99 MP out


def test_it_refuses_a_generative_result_over_34_megapixels():
    problem = limit_problem("generative", 2916, 2916, 2)  # 34.01 MP out
    assert problem is not None and "over 34 megapixels" in problem


def test_it_refuses_a_generative_photo_over_34_megapixels_in_before_checking_the_output():
    assert limit_problem("generative", 6000, 6000, 2) == (
        "The photo is too large for this model: 36.0 megapixels (6000 × 6000) is over 34 megapixels, "
        "the most HitPaw takes for it. Try a smaller photo."
    )


def test_it_holds_an_unknown_kind_to_the_standard_limits():
    assert limit_problem("something-new", 10000, 7000, 1) is None
    assert "over 70 megapixels" in limit_problem("something-new", 10000, 7001, 1)
