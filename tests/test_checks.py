"""Argument checks name the bad value and what was expected."""

import math

import numpy as np
import pytest

import helpers
from helpers import checks


def test_mismatched_array_lengths_are_rejected_with_both_lengths():
    with pytest.raises(ValueError, match=r"len\(x\)=5 but len\(y\)=4"):
        helpers.train_dataset(np.zeros((5, 1)), np.zeros((4, 1)), batch_size=2)
    with pytest.raises(ValueError, match=r"len\(x\)=3 but len\(y\)=2"):
        helpers.Task("bad", np.zeros((3, 1)), np.zeros((2, 1)), np.zeros((1, 1)), np.zeros((1, 1)))



@pytest.mark.parametrize("value", [0, -3, 2.5, True, None, "4"])
def test_a_count_must_be_an_integer_at_least_the_minimum(value):
    with pytest.raises(ValueError, match=rf"batch_size={value!r} is invalid; expected an integer >= 1"):
        checks.check_count(value, "batch_size")
    assert checks.check_count(np.int64(4), "batch_size") == 4


@pytest.mark.parametrize("value", [-0.1, math.nan, math.inf, False])
def test_a_non_negative_number_must_be_finite(value):
    with pytest.raises(ValueError, match=rf"noise={value!r} is invalid; expected a finite number >= 0"):
        checks.check_non_negative(value, "noise")


@pytest.mark.parametrize("value", [-0.1, 1.5, math.nan, True])
def test_a_probability_lies_in_zero_one(value):
    with pytest.raises(ValueError, match=rf"pixel_shift={value!r} is invalid; expected a probability in \[0, 1\]"):
        checks.check_probability(value, "pixel_shift")


def test_an_image_shape_must_fit_the_flattened_samples():
    assert checks.check_image_shape([8, 8], (64,), needed_by="x") == (8, 8)
    with pytest.raises(ValueError, match=r"image_shape=\(4, 4\) does not fit samples of shape \(64,\)"):
        checks.check_image_shape((4, 4), (64,), needed_by="x")
    with pytest.raises(ValueError, match="pixel_shift=0.5 needs image_shape"):
        checks.check_image_shape(None, (64,), needed_by="pixel_shift=0.5")
