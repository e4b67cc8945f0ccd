"""The digits task, the pixel-shift augmentation and the digits MLP behave as notebook 05 says."""

import math

import keras
import numpy as np
import pytest
import tensorflow as tf

import helpers

SIDE = 8


@pytest.fixture(scope="module")
def digits():
    return helpers.digits_task()


def _dot_images(count, row=3, column=4):
    """Images with a single lit pixel at (row, column), away from the border."""
    images = np.zeros((count, SIDE * SIDE), dtype=np.float32)
    images[:, row * SIDE + column] = 1.0
    return images


def _moves(shifted, row=3, column=4):
    lit = shifted.argmax(axis=1)
    return np.stack([lit // SIDE - row, lit % SIDE - column], axis=1)


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
    assert digits.image_shape == (SIDE, SIDE) and digits.x_train.shape[1] == SIDE * SIDE


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


def test_shift_rate_zero_leaves_images_unchanged(digits):
    images = tf.constant(digits.x_train[:50])
    np.testing.assert_array_equal(helpers.shift_pixels(images, tf.constant([1, 2]), 0.0).numpy(), images.numpy())


def test_shift_rate_one_moves_every_image_one_pixel_in_all_eight_directions():
    shifted = helpers.shift_pixels(tf.constant(_dot_images(4000)), tf.constant([3, 4]), 1.0).numpy()
    np.testing.assert_array_equal(shifted.sum(axis=1), 1.0)
    moves, counts = np.unique(_moves(shifted), axis=0, return_counts=True)
    expected = [(dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1) if (dy, dx) != (0, 0)]
    assert [tuple(move) for move in moves] == expected
    assert counts.min() > 400 and counts.max() < 600, f"directions are not uniform: {counts}"


def test_shift_rate_is_the_fraction_of_moved_images_and_the_seed_fixes_them():
    images = tf.constant(_dot_images(4000))
    shifted = helpers.shift_pixels(images, tf.constant([5, 6]), 0.3).numpy()
    moved = np.any(_moves(shifted) != 0, axis=1)
    assert abs(moved.mean() - 0.3) < 0.03
    np.testing.assert_array_equal(helpers.shift_pixels(images, tf.constant([5, 6]), 0.3).numpy(), shifted)
    assert not np.array_equal(helpers.shift_pixels(images, tf.constant([5, 7]), 0.3).numpy(), shifted)


def test_shifted_images_are_filled_with_zeros_where_they_uncover_pixels():
    shifted = helpers.shift_pixels(tf.ones((500, SIDE * SIDE)), tf.constant([1, 1]), 1.0).numpy()
    shifted = shifted.reshape(-1, SIDE, SIDE)
    dark = [np.any(np.all(image == 0, axis=0)) or np.any(np.all(image == 0, axis=1)) for image in shifted]
    assert all(dark), "each moved image should have a zero row or column"
    assert np.all(shifted.sum(axis=(1, 2)) >= (SIDE - 1) ** 2)


def test_pipeline_shifts_then_adds_noise_and_keeps_the_labels(digits):
    kwargs = dict(batch_size=200, seed=2, image_shape=digits.image_shape)
    clean = next(iter(helpers.train_dataset(digits.x_train, digits.y_train, **kwargs)))
    shifted = next(iter(helpers.train_dataset(digits.x_train, digits.y_train, pixel_shift=1.0, **kwargs)))
    noisy = next(iter(helpers.train_dataset(digits.x_train, digits.y_train, pixel_shift=1.0, noise=0.1, **kwargs)))
    np.testing.assert_array_equal(clean[1].numpy(), shifted[1].numpy())
    np.testing.assert_array_equal(clean[1].numpy(), noisy[1].numpy())
    assert not np.array_equal(clean[0].numpy(), shifted[0].numpy())
    # Pixel sums barely change under a shift of mostly dark borders; noise of stddev 0.1 shows in the residual.
    residual = noisy[0].numpy() - shifted[0].numpy()
    assert 0.05 < residual.std() < 0.2


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        ({"pixel_shift": 1.5, "image_shape": (8, 8)}, r"pixel_shift=1.5 is invalid; expected a probability in \[0, 1\]"),
        ({"pixel_shift": math.nan, "image_shape": (8, 8)}, "pixel_shift=nan is invalid"),
        ({"pixel_shift": 0.5}, "pixel_shift=0.5 needs image_shape"),
        ({"pixel_shift": 0.5, "image_shape": (4, 4)}, r"image_shape=\(4, 4\) does not fit samples of shape \(64,\)"),
    ],
)
def test_bad_shift_arguments_name_the_value(digits, kwargs, expected):
    with pytest.raises(ValueError, match=expected):
        helpers.train_dataset(digits.x_train, digits.y_train, 32, **kwargs)


def test_l2_shows_in_the_loss_but_not_in_the_cross_entropy_metric(digits):
    scores = {}
    for l2 in (0.0, 1e-2):
        keras.utils.set_random_seed(0)
        model = helpers.make_digits_mlp(width=16, l2=l2)
        scores[l2] = model.evaluate(digits.x_val, digits.y_val, verbose=0, return_dict=True)
    assert scores[0.0]["loss"] == pytest.approx(scores[0.0]["cross_entropy"], rel=1e-5)
    assert scores[1e-2]["loss"] > scores[1e-2]["cross_entropy"] + 0.01
    assert scores[1e-2]["cross_entropy"] == pytest.approx(scores[0.0]["cross_entropy"], rel=1e-5)


def test_gaussian_noise_layer_is_active_in_training_only(digits):
    keras.utils.set_random_seed(0)
    model = helpers.make_digits_mlp(width=16, input_noise=0.5)
    assert isinstance(model.layers[0], keras.layers.GaussianNoise) and model.layers[0].stddev == 0.5
    x = digits.x_val[:20]
    np.testing.assert_array_equal(model(x, training=False).numpy(), model(x, training=False).numpy())
    assert not np.allclose(model(x, training=True).numpy(), model(x, training=False).numpy())
    assert not any(isinstance(layer, keras.layers.GaussianNoise) for layer in helpers.make_digits_mlp(16).layers)


@pytest.mark.parametrize("kwargs", [{"l2": -1e-3}, {"input_noise": -0.1}, {"l2": math.nan}])
def test_negative_regularization_is_rejected(kwargs):
    name, value = next(iter(kwargs.items()))
    with pytest.raises(ValueError, match=f"{name}={value!r} is invalid"):
        helpers.make_digits_mlp(**kwargs)
