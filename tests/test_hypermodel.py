"""DatasetHyperModel wraps a build function or a HyperModel, and works outside a search too."""

import keras_tuner as kt
import pytest
from factories import RecordingDatasetFn, tiny_build

import helpers


def test_a_hypermodel_that_is_neither_a_function_nor_a_hypermodel_is_named(tiny_task):
    with pytest.raises(TypeError, match="hypermodel=3 is neither a keras_tuner.HyperModel"):
        helpers.DatasetHyperModel(3, RecordingDatasetFn(tiny_task))


def test_fit_outside_a_search_trains_on_dataset_fn_s_data_without_writing_records(tiny_task):
    dataset_fn = RecordingDatasetFn(tiny_task)
    hypermodel = helpers.DatasetHyperModel(tiny_build, dataset_fn)
    hp = kt.HyperParameters()
    hypermodel.declare_hyperparameters(hp)
    assert {"aug_noise"} <= set(hp.values), "the data hyperparameters join the space"
    model = hypermodel.build(hp)
    history = hypermodel.fit(hp, model, epochs=2, batch_size=8, verbose=0)
    assert len(history.history["val_loss"]) == 2
    assert dataset_fn.calls[-1]["batch_size"] == 8 and dataset_fn.calls[-1]["noise"] == hp["aug_noise"]
