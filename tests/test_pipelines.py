"""The training pipelines add the promised noise and pixel shifts, seeded, and validation data stays clean."""

import math

import keras_tuner as kt
import numpy as np
import pytest
import tensorflow as tf

import helpers


@pytest.fixture(scope="module")
def digits():
    return helpers.digits_task()


def _batches(dataset):
    return [(x.numpy(), y.numpy()) for x, y in dataset]


def test_noise_is_added_to_x_only_with_the_requested_stddev():
    x = np.linspace(-1, 1, 4000, dtype=np.float32).reshape(-1, 1)
    dataset = helpers.train_dataset(x, x, batch_size=500, noise=0.3, seed=1)
    deltas = np.concatenate([bx - by for bx, by in _batches(dataset)])
    assert abs(deltas.std() - 0.3) < 0.02
    assert abs(deltas.mean()) < 0.02
    labels = np.sort(np.concatenate([by for _, by in _batches(dataset)]), axis=0)
    np.testing.assert_array_equal(labels, x, err_msg="labels must be untouched")


def test_zero_noise_gives_the_clean_data_and_every_sample_once_per_pass():
    x = np.arange(10, dtype=np.float32).reshape(-1, 1)
    seen = np.concatenate([bx for bx, _ in _batches(helpers.train_dataset(x, x, 4, noise=0.0, passes=3))])
    np.testing.assert_array_equal(np.sort(seen[:, 0]), np.repeat(np.arange(10), 3))


def test_same_seed_gives_the_same_noise_and_each_epoch_draws_new_noise():
    x = np.zeros((64, 1), dtype=np.float32)
    first = helpers.train_dataset(x, x, 16, noise=1.0, seed=7)
    second = helpers.train_dataset(x, x, 16, noise=1.0, seed=7)
    epoch_a, epoch_b = _batches(first), _batches(first)
    for (xa, _), (xs, _) in zip(epoch_a, _batches(second)):
        np.testing.assert_array_equal(xa, xs)
    assert not np.array_equal(epoch_a[0][0], epoch_b[0][0]), "epoch 2 repeated epoch 1's noise"


def test_validation_data_is_clean_and_identical_in_every_trial():
    task = helpers.regularization_task()
    dataset_fn = helpers.noisy_dataset_fn(task, max_value=0.6, default=0.3)
    hp_small, hp_large = kt.HyperParameters(), kt.HyperParameters()
    hp_small.Fixed("aug_noise", 0.0)
    hp_large.Fixed("aug_noise", 0.6)
    _, validation_small = dataset_fn(hp_small, 64)
    _, validation_large = dataset_fn(hp_large, 64)
    assert validation_small is validation_large
    x_val = np.concatenate([bx for bx, _ in _batches(validation_large)])
    np.testing.assert_array_equal(x_val, task.x_val)


def test_dataset_fn_declares_its_noise_hyperparameter_with_range_and_default():
    hp = kt.HyperParameters()
    helpers.noisy_dataset_fn(helpers.linear_task(), min_value=0.0, max_value=2.0, default=1.0)(hp, 32)
    (declared,) = [h for h in hp.space if h.name == "aug_noise"]
    assert (declared.min_value, declared.max_value, declared.default) == (0.0, 2.0, 1.0)


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        ({"noise": -0.1}, "noise=-0.1"),
        ({"noise": math.nan}, "noise=nan"),
        ({"noise": math.inf}, "noise=inf"),
        ({"batch_size": 0}, "batch_size=0"),
        ({"batch_size": 2.5}, "batch_size=2.5"),
        ({"batch_size": None}, "batch_size=None"),
        ({"passes": 0}, "passes=0"),
    ],
)
def test_invalid_pipeline_parameters_name_the_bad_value(kwargs, expected):
    x = np.zeros((8, 1), dtype=np.float32)
    arguments = {"batch_size": 4, **kwargs}
    with pytest.raises(ValueError, match=expected.replace("(", r"\(")):
        helpers.train_dataset(x, x, **arguments)


def test_noise_range_must_be_finite_nonnegative_and_hold_its_default():
    task = helpers.linear_task()
    with pytest.raises(ValueError, match="min_value=-1"):
        helpers.noisy_dataset_fn(task, min_value=-1.0)
    with pytest.raises(ValueError, match="default=3"):
        helpers.noisy_dataset_fn(task, max_value=2.0, default=3.0)


SIDE = 8


def _dot_images(count, row=3, column=4):
    """Images with a single lit pixel at (row, column), away from the border."""
    images = np.zeros((count, SIDE * SIDE), dtype=np.float32)
    images[:, row * SIDE + column] = 1.0
    return images


def _moves(shifted, row=3, column=4):
    lit = shifted.argmax(axis=1)
    return np.stack([lit // SIDE - row, lit % SIDE - column], axis=1)


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


def test_the_pipelines_run_without_autotuning_and_give_the_batches_an_autotuned_one_gives(digits):
    autotuned = tf.data.Options()
    autotuned.autotune.enabled = True
    images, labels = digits.x_train[:40], digits.y_train[:40]
    made = {
        "train": lambda: helpers.train_dataset(images, labels, 8, noise=0.3, pixel_shift=0.5,
                                               image_shape=digits.image_shape, seed=3, passes=2),
        "validation": lambda: helpers.validation_dataset(images, labels, 8),
        "augmented": lambda: helpers.augmented_dataset(images, labels, 8, helpers.image_augmentation(rotation=0.05,
                                                                                                    seed=3),
                                                       digits.image_shape, seed=3),
    }
    for name, make in made.items():
        ours, theirs = make(), make().with_options(autotuned)
        assert ours.options().autotune.enabled is False, f"{name}: tf.data's autotuning is on"
        for epoch in range(2):  # each epoch draws anew; both must draw the same
            for (x, y), (x_on, y_on) in zip(_batches(ours), _batches(theirs), strict=True):
                np.testing.assert_array_equal(x, x_on, err_msg=f"{name}, epoch {epoch}")
                np.testing.assert_array_equal(y, y_on)
    with pytest.raises(TypeError, match="without_autotune got a tuple; expected a tf.data.Dataset"):
        helpers.without_autotune((images, labels))
