"""The batch size as a hyperparameter: a dataset_fn that declares `batch_size` sets each trial's batch size."""

import keras_tuner as kt
import pytest
import tensorflow as tf
from factories import ROUTES, RecordingDatasetFn, make_tuner, out_of_memory, search

import helpers


class BatchSizeDatasetFn(RecordingDatasetFn):
    """RecordingDatasetFn that also declares the batch size, and fails above `fits` with an out-of-memory error."""

    def __init__(self, task, choices, fits=None):
        super().__init__(task)
        self.choices, self.fits = choices, fits

    def __call__(self, hp, batch_size, seed=None):
        hp.Choice("batch_size", self.choices)
        if self.fits is not None and batch_size > self.fits and seed is not None:
            raise out_of_memory()  # in trials only (the tuners pass a seed there): the probes must pass
        return super().__call__(hp, batch_size)


@pytest.mark.parametrize("route", ROUTES)
def test_each_trial_trains_with_its_own_batch_size_and_the_table_shows_it(route, tiny_task, tmp_path):
    dataset_fn = BatchSizeDatasetFn(tiny_task, [8, 32])
    tuner = make_tuner(route, "random", tmp_path, dataset_fn=dataset_fn, max_trials=4)
    probes = len(dataset_fn.calls)
    search(tuner, batch_size=16)  # search()'s batch size is used by no trial
    table = helpers.trials_table(tuner)
    assert set(table["batch_size"]) == {8, 32}, table
    assert (table["trial_batch_size"] == table["batch_size"]).all(), "the record shows another batch size"
    trial_calls = dataset_fn.calls[probes:][-len(table):]
    assert [call["batch_size"] for call in trial_calls] == list(table["batch_size"])


def test_out_of_memory_halves_the_trial_s_own_batch_size_and_the_table_shows_what_trained(tiny_task, tmp_path):
    dataset_fn = BatchSizeDatasetFn(tiny_task, [32], fits=16)
    tuner = make_tuner("subclass", "random", tmp_path, dataset_fn=dataset_fn, max_trials=1, min_batch_size=4)
    search(tuner, epochs=1, batch_size=8)  # search()'s batch size would fit, but the trial's own is 32
    table = helpers.trials_table(tuner)
    assert list(table["status"]) == ["COMPLETED"] and list(table["batch_size"]) == [32]
    assert list(table["trial_batch_size"]) == [16], "32 ran out of memory, then 16 trained"


@pytest.mark.parametrize("route", ROUTES)
def test_a_batch_size_hyperparameter_that_is_not_a_count_is_refused_when_the_tuner_is_made(route, tiny_task, tmp_path):
    inner = RecordingDatasetFn(tiny_task)

    def dataset_fn(hp, batch_size):
        hp.Float("batch_size", 0.5, 1.0)
        return inner(hp, 16)

    with pytest.raises(kt.errors.FatalValueError, match=r"the hyperparameter batch_size=0\.\d+ is invalid; expected "
                                                        r"an integer >= 1.*declare it as hp.Choice or hp.Int"):
        make_tuner(route, "random", tmp_path, dataset_fn=dataset_fn, max_trials=1)


@pytest.mark.parametrize("route", ROUTES)
def test_a_batch_size_choice_that_leaves_no_batch_is_named_when_the_tuner_is_made(route, tiny_task, tmp_path):
    def dataset_fn(hp, batch_size):
        hp.Choice("batch_size", [16, 128])  # 64 points: no full batch of 128
        train = tf.data.Dataset.from_tensor_slices((tiny_task.x_train, tiny_task.y_train)).batch(
            batch_size, drop_remainder=True)
        return train, helpers.validation_dataset(tiny_task.x_val, tiny_task.y_val, batch_size)

    with pytest.raises(kt.errors.FatalValueError, match=r"empty training dataset for batch_size=128"):
        make_tuner(route, "random", tmp_path, dataset_fn=dataset_fn, max_trials=1)
