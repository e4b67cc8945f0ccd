"""dataset_fn is checked when the tuner is created: what it returns, what it reads, the ranges it declares."""

import keras_tuner as kt
import numpy as np
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



@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("error", [ValueError, RuntimeError])
def test_a_dataset_fn_error_in_a_later_trial_fails_that_trial_alone_and_leaves_none_running(route, error, tiny_task,
                                                                                            tmp_path):
    calls = []

    def third_call_fails(hp, batch_size, seed=None):
        train, validation = RecordingDatasetFn(tiny_task)(hp, batch_size)
        if seed is not None:
            calls.append(seed)
            if len(calls) == 2:
                raise error("the pipeline broke on this trial's data")
        return train, validation

    tuner = make_tuner(route, "random", tmp_path, dataset_fn=third_call_fails, max_trials=3)
    tuner.search(epochs=1, batch_size=16, verbose=0)
    table = helpers.trials_table(tuner)
    assert list(table["status"]) == ["COMPLETED", "FAILED", "COMPLETED"], table[["trial_id", "status"]]
    assert table["message"][1].startswith("dataset_fn failed with batch_size=16 and hyperparameters {"), table["message"][1]
    assert table["message"][1].endswith(f"{error.__name__}: the pipeline broke on this trial's data")


@pytest.mark.parametrize("error, named", [(KeyError("colour"), "KeyError: 'colour'"), (KeyError(5), "KeyError: 5"),
                                          (KeyError(), "KeyError: KeyError")])
def test_a_key_error_that_is_not_an_undeclared_hyperparameter_is_reported_as_it_is(error, named, tmp_path):
    def lookup_fails(hp, batch_size):
        hp.Float("aug_noise", 0.0, 1.0)
        raise error

    with pytest.raises(kt.errors.FatalValueError, match=named) as raised:
        make_tuner("subclass", "random", tmp_path, dataset_fn=lookup_fails)
    assert "not declared" not in str(raised.value)


@pytest.mark.parametrize("route", ROUTES)
def test_an_empty_validation_set_is_named_when_the_tuner_is_made(route, tiny_task, tmp_path):
    inner = RecordingDatasetFn(tiny_task)

    def empty_validation(hp, batch_size):
        train, validation = inner(hp, batch_size)
        return train, validation.take(0)

    with pytest.raises(kt.errors.FatalValueError, match="returned an empty validation dataset"):
        make_tuner(route, "random", tmp_path, dataset_fn=empty_validation)


def test_a_small_dataset_batched_with_drop_remainder_is_checked_at_the_search_s_batch_size(tmp_path):
    import tensorflow as tf

    x = np.linspace(0, 1, 20, dtype=np.float32).reshape(-1, 1)

    def twenty_samples(hp, batch_size):
        hp.Float("aug_noise", 0.0, 0.5)
        data = tf.data.Dataset.from_tensor_slices((x, x))
        return data.batch(batch_size, drop_remainder=True), data.batch(batch_size)

    tuner = make_tuner("subclass", "random", tmp_path, dataset_fn=twenty_samples, max_trials=1)  # probe batch: 32
    tuner.search(epochs=1, batch_size=8, verbose=0)
    assert [t.status for t in tuner.oracle.trials.values()] == ["COMPLETED"]
    tuner = make_tuner("subclass", "random", tmp_path, dataset_fn=twenty_samples, max_trials=1)
    with pytest.raises(kt.errors.FatalValueError, match="empty training dataset for batch_size=64"):
        tuner.search(epochs=1, batch_size=64, verbose=0)


@pytest.mark.parametrize("route", ROUTES)
def test_every_choice_value_is_tried_when_the_tuner_is_made(route, tiny_task, tmp_path):
    inner = RecordingDatasetFn(tiny_task)

    def bad_choice(hp, batch_size):
        shape = hp.Choice("shape", ["gaussian", "uniform", "laplace"])
        if shape == "laplace":
            raise ValueError(f"unknown noise shape {shape!r}")
        return inner(hp, batch_size)

    with pytest.raises(kt.errors.FatalValueError, match=r"'shape': 'laplace'.*unknown noise shape 'laplace'"):
        make_tuner(route, "random", tmp_path, dataset_fn=bad_choice)


@pytest.mark.parametrize("route", ROUTES)
def test_an_infinite_training_dataset_needs_steps_per_epoch_and_is_named_before_training(route, tiny_task, tmp_path):
    inner = RecordingDatasetFn(tiny_task)

    def endless(hp, batch_size):
        train, validation = inner(hp, batch_size)
        return train.repeat(), validation

    tuner = make_tuner(route, "random", tmp_path, dataset_fn=endless, max_trials=1)
    with pytest.raises(kt.errors.FatalValueError, match="infinite training dataset.*steps_per_epoch"):
        tuner.search(epochs=1, batch_size=16, verbose=0)
    assert not [t for t in tuner.oracle.trials.values() if t.status == "RUNNING"]
    tuner = make_tuner(route, "random", tmp_path / "steps", dataset_fn=endless, max_trials=1)
    tuner.search(epochs=1, batch_size=16, steps_per_epoch=3, verbose=0)
    assert [t.status for t in tuner.oracle.trials.values()] == ["COMPLETED"]


def test_the_first_line_of_a_tensorflow_error_is_the_meaningful_one():
    from helpers import datafn

    error = ValueError("\n  Cannot cast a float to an int\n\t [[{{node Cast}}]]\n")
    assert datafn.first_line(error) == "Cannot cast a float to an int"
    assert datafn.first_line(ValueError("[[{{node Cast}}]]")) == "ValueError"


def test_a_range_declared_only_in_a_conditional_branch_is_probed_and_joins_the_space(tiny_task, tmp_path):
    inner = RecordingDatasetFn(tiny_task)

    def branching(hp, batch_size):
        kind = hp.Choice("kind", ["plain", "blurred"])
        if kind == "blurred":
            with hp.conditional_scope("kind", ["blurred"]):
                blur = hp.Float("blur", -1.0, 1.0)
            if blur < 0:
                raise ValueError(f"blur={blur} is invalid; expected >= 0")
        return inner(hp, batch_size)

    with pytest.raises(kt.errors.FatalValueError, match=r"blur=-1.0 is invalid"):
        make_tuner("subclass", "random", tmp_path, dataset_fn=branching)

    def valid_branch(hp, batch_size):
        if hp.Choice("kind", ["plain", "blurred"]) == "blurred":
            with hp.conditional_scope("kind", ["blurred"]):
                hp.Float("blur", 0.0, 1.0)
        return inner(hp, batch_size)

    tuner = make_tuner("subclass", "random", tmp_path, dataset_fn=valid_branch)
    assert {"kind", "blur"} <= {h.name for h in tuner.oracle.get_space().space}


def test_a_float_is_probed_at_its_default_and_extremes_and_each_choice_and_batch_size_alone(tiny_task, tmp_path):
    calls = []

    def dataset_fn(hp, batch_size):
        values = (hp.Float("noise", 0.0, 1.0), hp.Int("passes", 1, 8), hp.Choice("shape", ["a", "b"]),
                  hp.Choice("batch_size", [8, 16]))
        calls.append((values, batch_size))
        return helpers.train_dataset(tiny_task.x_train, tiny_task.y_train, batch_size), \
            helpers.validation_dataset(tiny_task.x_val, tiny_task.y_val, batch_size)

    make_tuner("subclass", "random", tmp_path, dataset_fn=dataset_fn, max_trials=1)
    noises = {values[0] for values, _ in calls}
    assert noises == {0.0, 1.0}, "a float's grid of interior values is not probed"
    assert {values[2] for values, _ in calls} == {"a", "b"}
    assert {8, 16} <= {batch_size for _, batch_size in calls}
    # The defaults, then both extremes as they are and with each of the four choices: 1 + 2 + 4 × 2 = 11 calls
    # (the float's and the int's interior grid values would add dozens more, each building a pipeline).
    assert len(calls) <= 11, f"tuner creation called dataset_fn {len(calls)} times"
