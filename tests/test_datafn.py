"""dataset_fn is checked when the tuner is created: what it returns, what it reads, the ranges it declares."""

import keras_tuner as kt
import pytest
from factories import ROUTES, RecordingDatasetFn, make_tuner, tiny_build

import helpers


@pytest.mark.parametrize("route", ROUTES)
def test_an_empty_training_dataset_is_rejected_before_training(route, tiny_task, tmp_path):
    inner = helpers.noisy_dataset_fn(tiny_task)

    def empty(hp, batch_size):
        train, validation = inner(hp, batch_size)
        return train.take(0), validation

    with pytest.raises(kt.errors.FatalValueError, match="empty training dataset"):
        make_tuner(route, "random", tmp_path, dataset_fn=empty)


@pytest.mark.parametrize("route", ROUTES)
def test_reading_an_undeclared_hyperparameter_names_it(route, tiny_task, tmp_path):
    inner = helpers.noisy_dataset_fn(tiny_task)

    def typo(hp, batch_size):
        hp.Float("aug_noise", 0.0, 1.0)
        return inner(hp, batch_size) if hp["aug_nosie"] else None

    with pytest.raises(kt.errors.FatalValueError, match="'aug_nosie', which is not declared"):
        make_tuner(route, "random", tmp_path, dataset_fn=typo)


@pytest.mark.parametrize("route", ROUTES)
def test_a_noise_range_below_zero_fails_when_the_tuner_is_made(route, tiny_task, tmp_path):
    def negative_range(hp, batch_size):
        noise = hp.Float("aug_noise", -1.0, 1.0, default=0.5)
        train = helpers.train_dataset(tiny_task.x_train, tiny_task.y_train, batch_size, noise=noise)
        return train, helpers.validation_dataset(tiny_task.x_val, tiny_task.y_val, batch_size)

    with pytest.raises(ValueError, match=r"noise=-1\.0 is invalid; expected a finite number >= 0"):
        make_tuner(route, "random", tmp_path, dataset_fn=negative_range)
    with pytest.raises(ValueError, match="min_value=-1"):
        helpers.noisy_dataset_fn(tiny_task, min_value=-1.0)


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("returned, described", [(None, "None"), ((1, 2, 3), "tuple of length 3"), ((1, None), "None")])
def test_a_dataset_fn_that_returns_no_pair_is_rejected_when_the_tuner_is_made(route, returned, described, tmp_path):
    with pytest.raises(kt.errors.FatalTypeError, match=described):
        make_tuner(route, "random", tmp_path, dataset_fn=lambda hp, batch_size: returned)


def test_dataset_fn_must_be_callable(tmp_path):
    with pytest.raises(TypeError, match="dataset_fn=3 is not callable"):
        helpers.DatasetRandomSearch(tiny_build, dataset_fn=3, max_trials=1, directory=str(tmp_path))
    with pytest.raises(TypeError, match="dataset_fn=3 is not callable"):
        helpers.DatasetHyperModel(tiny_build, dataset_fn=3)

