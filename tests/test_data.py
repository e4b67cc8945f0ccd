"""The tasks and the augmented pipelines behave as the notebooks say."""

import math

import keras_tuner as kt
import numpy as np
import pytest

import helpers


def _batches(dataset):
    return [(x.numpy(), y.numpy()) for x, y in dataset]


def test_linear_task_is_the_original_demo_in_scaled_units():
    task = helpers.linear_task()
    assert task.x_train.shape == (10_000, 1) and task.x_val.shape == (1_000, 1)
    x_original = task.x_train[:, 0].astype(np.float64) * 1000
    np.testing.assert_allclose(x_original, np.arange(10_000), atol=1e-3)
    np.testing.assert_allclose(task.y_train[:, 0] * 100, 0.1 * x_original + 0.2, rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(task.x_val[:, 0] * 1000, np.arange(1_000), atol=1e-3)


def test_regularization_task_is_small_noisy_training_and_clean_dense_validation():
    task = helpers.regularization_task(seed=5)
    again = helpers.regularization_task(seed=5)
    assert len(task.x_train) == 20 and len(task.x_val) == 500
    np.testing.assert_array_equal(task.y_train, again.y_train)
    np.testing.assert_allclose(task.y_val, np.sin(3 * task.x_val), atol=1e-6)
    residual = task.y_train - np.sin(3 * task.x_train)
    assert residual.std() > 0.2, "the training labels should carry label noise"


def test_noise_is_added_to_x_only_with_the_requested_stddev():
    x = np.linspace(-1, 1, 4000, dtype=np.float32).reshape(-1, 1)
    dataset = helpers.train_dataset(x, x, batch_size=500, noise=0.3, seed=1)
    deltas = np.concatenate([bx - by for bx, by in _batches(dataset)])
    assert abs(deltas.std() - 0.3) < 0.02
    assert abs(deltas.mean()) < 0.02
    labels = np.sort(np.concatenate([by for _, by in _batches(dataset)]), axis=0)
    np.testing.assert_array_equal(labels, x, err_msg="labels must be untouched")


def test_zero_noise_gives_the_clean_data_and_every_sample_once_per_repeat():
    x = np.arange(10, dtype=np.float32).reshape(-1, 1)
    seen = np.concatenate([bx for bx, _ in _batches(helpers.train_dataset(x, x, 4, noise=0.0, repeats=3))])
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
        ({"repeats": 0}, "repeats=0"),
    ],
)
def test_invalid_pipeline_parameters_name_the_bad_value(kwargs, expected):
    x = np.zeros((8, 1), dtype=np.float32)
    arguments = {"batch_size": 4, **kwargs}
    with pytest.raises(ValueError, match=expected.replace("(", r"\(")):
        helpers.train_dataset(x, x, **arguments)


def test_mismatched_array_lengths_are_rejected_with_both_lengths():
    with pytest.raises(ValueError, match=r"len\(x\)=5 but len\(y\)=4"):
        helpers.train_dataset(np.zeros((5, 1)), np.zeros((4, 1)), batch_size=2)
    with pytest.raises(ValueError, match=r"len\(x\)=3 but len\(y\)=2"):
        helpers.Task("bad", np.zeros((3, 1)), np.zeros((2, 1)), np.zeros((1, 1)), np.zeros((1, 1)))


def test_noise_range_must_be_finite_nonnegative_and_hold_its_default():
    task = helpers.linear_task()
    with pytest.raises(ValueError, match="min_value=-1"):
        helpers.noisy_dataset_fn(task, min_value=-1.0)
    with pytest.raises(ValueError, match="default=3"):
        helpers.noisy_dataset_fn(task, max_value=2.0, default=3.0)


def test_missing_batch_size_says_to_pass_it_to_search():
    dataset_fn = helpers.noisy_dataset_fn(helpers.linear_task())
    with pytest.raises(ValueError, match=r"batch_size=None.*pass batch_size to search\(\)"):
        dataset_fn(kt.HyperParameters(), None)


def test_validation_loss_against_noise_is_u_shaped_on_the_regularization_task():
    sweep = helpers.noise_sweep(
        helpers.regularization_task(), helpers.make_mlp, noises=[0.0, 0.2, 0.5],
        repeats=2, epochs=12, batch_size=64, repeats_per_epoch=100,
    )
    losses = dict(zip(sweep["noise"], sweep["mean"]))
    assert losses[0.2] < losses[0.0] and losses[0.2] < losses[0.5], f"not U-shaped: {losses}"
