"""Around every fit(): data passed to search() is rejected, the objective is checked, batch_size is required."""

import keras
import keras_tuner as kt
import pytest
from factories import ROUTES, RecordingDatasetFn, make_tuner

import helpers


@pytest.mark.parametrize("route", ROUTES)
def test_an_objective_the_model_never_reports_stops_the_search_and_names_it(route, tiny_task, tmp_path):
    tuner = make_tuner(route, "random", tmp_path, dataset_fn=helpers.noisy_dataset_fn(tiny_task),
                       objective="val_accuracy")
    with pytest.raises(kt.errors.FatalValueError, match=r"'val_accuracy' is never reported.*'val_loss'"):
        tuner.search(epochs=3, batch_size=16, verbose=0)
    assert [t.status for t in tuner.oracle.trials.values()] == ["FAILED"], "the stopped trial must not stay RUNNING"


@pytest.mark.parametrize("route", ROUTES)
def test_a_missing_batch_size_is_named(route, tiny_task, tmp_path):
    tuner = make_tuner(route, "random", tmp_path, dataset_fn=helpers.noisy_dataset_fn(tiny_task))
    with pytest.raises(ValueError, match=r"batch_size=None.*pass batch_size to search\(\)"):
        tuner.search(epochs=1, verbose=0)
    assert not any(t.status == "COMPLETED" for t in tuner.oracle.trials.values())


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("data", [{"x": [[0.0]]}, {"validation_data": ([[0.0]], [[0.0]])}, {"validation_split": 0.2}])
def test_data_passed_to_search_is_rejected_when_dataset_fn_builds_it(route, data, tiny_task, tmp_path):
    tuner = make_tuner(route, "random", tmp_path, dataset_fn=RecordingDatasetFn(tiny_task))
    with pytest.raises(ValueError, match=f"search\\(\\) got {next(iter(data))}"):
        tuner.search(epochs=1, batch_size=8, verbose=0, **data)



class WritesObjective(keras.callbacks.Callback):
    """A user callback that computes the objective itself and writes it into `logs`."""

    def on_epoch_end(self, epoch, logs=None):
        logs["val_custom"] = logs["val_loss"] * 2


@pytest.mark.parametrize("route", ROUTES)
def test_an_objective_that_a_user_callback_writes_is_found(route, tiny_task, tmp_path):
    tuner = make_tuner(route, "random", tmp_path, dataset_fn=helpers.noisy_dataset_fn(tiny_task), max_trials=2,
                       objective=kt.Objective("val_custom", "min"))
    tuner.search(epochs=2, batch_size=16, verbose=0, callbacks=[WritesObjective()])
    assert [t.status for t in tuner.oracle.trials.values()] == ["COMPLETED"] * 2
