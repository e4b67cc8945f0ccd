"""The tasks hold the data the notebooks describe, split as promised, and reject bad sizes by name."""

import numpy as np
import pytest

import helpers


def test_linear_task_is_the_original_demo_in_scaled_units():
    task = helpers.linear_task()
    assert task.x_train.shape == (10_000, 1) and task.x_val.shape == (1_000, 1)
    x_original = task.x_train[:, 0].astype(np.float64) * 1000
    np.testing.assert_allclose(x_original, np.arange(10_000), atol=1e-3)
    np.testing.assert_allclose(task.y_train[:, 0] * 100, 0.1 * x_original + 0.2, rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(task.x_val[:, 0] * 1000, np.arange(1_000), atol=1e-3)
    # The docstring promises x in [0, 10) and y in [0.002, 10.001].
    assert task.x_train.min() == 0.0 and task.x_train.max() < 10.0
    assert task.y_train.min() == pytest.approx(0.002) and task.y_train.max() == pytest.approx(10.001)


def test_regularization_task_is_small_noisy_training_and_clean_dense_validation():
    task = helpers.regularization_task(seed=5)
    again = helpers.regularization_task(seed=5)
    assert len(task.x_train) == 20 and len(task.x_val) == 500
    np.testing.assert_array_equal(task.y_train, again.y_train)
    np.testing.assert_allclose(task.y_val, np.sin(3 * task.x_val), atol=1e-6)
    residual = task.y_train - np.sin(3 * task.x_train)
    assert residual.std() > 0.2, "the training labels should carry label noise"


def test_regularization_task_holds_clean_test_points_apart_from_training_and_validation():
    task = helpers.regularization_task(seed=5)
    assert len(task.x_test) == 200 and np.all(np.abs(task.x_test) <= 1.0)
    np.testing.assert_allclose(task.y_test, np.sin(3 * task.x_test), atol=1e-6)
    assert not np.isin(task.x_test, task.x_train).any() and not np.isin(task.x_test, task.x_val).any()
    np.testing.assert_array_equal(task.x_test, helpers.regularization_task(seed=5).x_test)


@pytest.fixture(scope="module")
def digits():
    return helpers.digits_task()


def test_digits_splits_are_disjoint_stratified_and_cover_every_image(digits):
    from sklearn.datasets import load_digits

    assert (len(digits.x_train), len(digits.x_val), len(digits.x_test)) == (200, 400, 1197)
    # Together the splits hold every image exactly once: the same multiset of (image, label) rows as the source.
    source = load_digits()
    expected = np.column_stack([source.data / 16.0, source.target])
    splits = [(digits.x_train, digits.y_train), (digits.x_val, digits.y_val), (digits.x_test, digits.y_test)]
    found = np.concatenate([np.column_stack([x, y]) for x, y in splits])
    np.testing.assert_allclose(found[np.lexsort(found.T)], expected[np.lexsort(expected.T)], atol=1e-7)
    counts = np.bincount(digits.y_train, minlength=10)
    assert counts.min() >= 19 and counts.max() <= 21, f"training split is not stratified: {counts}"
    assert digits.x_train.min() == 0.0 and digits.x_train.max() == 1.0
    assert digits.image_shape == (8, 8) and digits.x_train.shape[1] == 64


def test_digits_splits_depend_only_on_the_seed():
    first, again, other = helpers.digits_task(seed=4), helpers.digits_task(seed=4), helpers.digits_task(seed=5)
    np.testing.assert_array_equal(first.x_train, again.x_train)
    np.testing.assert_array_equal(first.y_test, again.y_test)
    assert not np.array_equal(first.x_train, other.x_train)


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        ({"n_train": 5}, "n_train=5 is invalid; expected an integer >= 10"),
        ({"n_val": 2.5}, "n_val=2.5 is invalid"),
        ({"n_train": 1500, "n_val": 400}, "n_train + n_val = 1900 leaves too few test images"),
    ],
)
def test_bad_split_sizes_name_the_value(kwargs, expected):
    with pytest.raises(ValueError, match=expected.replace("+", r"\+")):
        helpers.digits_task(**kwargs)


def test_a_test_split_needs_both_arrays():
    x = np.zeros((4, 1), dtype=np.float32)
    with pytest.raises(ValueError, match="give both x_test and y_test"):
        helpers.Task("half", x, x, x, x, x_test=x)

