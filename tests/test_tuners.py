"""Both routes train on the data dataset_fn builds, and keep what Keras Tuner does around it."""

import keras
import keras_tuner as kt
import numpy as np
import pytest
from conftest import STOCK, make_tuner, tiny_build

import helpers

ROUTES = ["subclass", "hypermodel"]


class RecordingDatasetFn:
    """A dataset_fn that declares `aug_noise` and records every call."""

    def __init__(self, task, noise_max=0.5):
        self.inner = helpers.noisy_dataset_fn(task, max_value=noise_max, default=noise_max / 2)
        self.calls = []

    def __call__(self, hp, batch_size):
        train, validation = self.inner(hp, batch_size)
        self.calls.append({"noise": hp.get("aug_noise"), "batch_size": batch_size, "validation": validation})
        return train, validation


def _search(tuner, epochs=2, batch_size=16, **kwargs):
    tuner.search(epochs=epochs, batch_size=batch_size, verbose=0, **kwargs)
    return tuner


class FirstWeights(keras.callbacks.Callback):
    """Records the weights every fit() starts from, in a list that survives the tuner's deep copy."""

    def __init__(self):
        super().__init__()
        self.runs = []

    def __deepcopy__(self, memo):
        return self

    def on_train_begin(self, logs=None):
        self.runs.append([w.copy() for w in self.model.get_weights()])


@pytest.fixture(scope="module", params=ROUTES)
def hyperband_search(request, tiny_task, tmp_path_factory):
    """One small Hyperband search per route, shared by the tests that only read it."""
    dataset_fn = RecordingDatasetFn(tiny_task)
    first_weights = FirstWeights()
    tuner = make_tuner(request.param, "hyperband", tmp_path_factory.mktemp(request.param), dataset_fn=dataset_fn)
    _search(tuner, epochs=42, callbacks=[first_weights])
    return tuner, dataset_fn, first_weights


def test_hyperband_trains_exactly_the_scheduled_epochs(hyperband_search):
    tuner, _, _ = hyperband_search
    table = helpers.epochs_table(tuner)
    assert len(table) >= 4
    assert (table["trained"] == table["scheduled"]).all(), table.to_string()
    assert (table["initial_epoch"] > 0).any(), "no warm-started trial in this schedule"
    for trial_id, epochs in tuner.epochs_trained.items():
        values = tuner.oracle.get_trial(trial_id).hyperparameters.values
        assert epochs == list(range(values["tuner/initial_epoch"], values["tuner/epochs"]))


def test_hyperband_warm_starts_from_the_parent_trials_best_weights(hyperband_search):
    tuner, _, first_weights = hyperband_search
    trials = [tuner.oracle.get_trial(t) for t in sorted(tuner.oracle.trials)]
    children = [(i, t) for i, t in enumerate(trials) if "tuner/trial_id" in t.hyperparameters.values]
    assert children
    for index, child in children:
        parent = tuner.oracle.get_trial(child.hyperparameters.values["tuner/trial_id"])
        parent_weights = tuner.load_model(parent).get_weights()
        for started, saved in zip(first_weights.runs[index], parent_weights):
            np.testing.assert_array_equal(started, saved)


def test_best_models_load_with_their_scores_including_warm_started_trials(hyperband_search):
    tuner, dataset_fn, _ = hyperband_search
    validation = dataset_fn.calls[-1]["validation"]
    trials = tuner.oracle.get_best_trials(num_trials=len(tuner.oracle.trials))
    assert any("tuner/trial_id" in t.hyperparameters.values for t in trials)
    for trial in trials:
        loss = tuner.load_model(trial).evaluate(validation, verbose=0, return_dict=True)["loss"]
        assert loss == pytest.approx(trial.score, rel=1e-4, abs=1e-6), trial.trial_id
    best_model = tuner.get_best_models()[0]
    best_hp = tuner.get_best_hyperparameters()[0]
    assert best_model.layers[0].units == best_hp["units"]
    assert best_hp.values == trials[0].hyperparameters.values


def test_hyperband_samples_the_data_hyperparameter_from_trial_0(hyperband_search):
    tuner, dataset_fn, _ = hyperband_search
    first = tuner.oracle.get_trial(min(tuner.oracle.trials))
    assert first.hyperparameters["aug_noise"] != 0.25, "trial 0 took the default"
    trial_calls = dataset_fn.calls[-len(tuner.oracle.trials):]
    assert trial_calls[0]["noise"] == first.hyperparameters["aug_noise"]


@pytest.mark.parametrize("route", ROUTES)
def test_executions_per_trial_build_data_and_train_per_execution(route, tiny_task, tmp_path):
    dataset_fn = RecordingDatasetFn(tiny_task)
    tuner = make_tuner(route, "random", tmp_path, dataset_fn=dataset_fn, max_trials=2, executions_per_trial=2)
    calls_before = len(dataset_fn.calls)
    _search(tuner, epochs=3)
    assert [t.status for t in tuner.oracle.trials.values()] == ["COMPLETED"] * 2
    assert all(len(epochs) == 2 * 3 for epochs in tuner.epochs_trained.values())
    checks = 1 if route == "subclass" else 0  # the subclass route tries dataset_fn once before training
    assert len(dataset_fn.calls) - calls_before - checks == 2 * 2


@pytest.mark.parametrize("route", ROUTES)
def test_user_callbacks_are_kept(route, tiny_task, tmp_path):
    stop_after_two = keras.callbacks.EarlyStopping(monitor="loss", min_delta=1e9, patience=0)
    board = keras.callbacks.TensorBoard(log_dir=str(tmp_path / "logs"))
    tuner = make_tuner(route, "random", tmp_path, dataset_fn=RecordingDatasetFn(tiny_task), max_trials=2)
    _search(tuner, epochs=6, callbacks=[stop_after_two, board])
    assert [len(epochs) for epochs in tuner.epochs_trained.values()] == [2, 2]
    for trial_id in tuner.oracle.trials:
        assert (tmp_path / "logs" / trial_id / "execution0").is_dir()


@pytest.mark.parametrize("route", ROUTES)
def test_data_hyperparameters_are_in_the_space_and_sampled_from_trial_0(route, tiny_task, tmp_path):
    dataset_fn = RecordingDatasetFn(tiny_task, noise_max=0.5)
    tuner = make_tuner(route, "random", tmp_path, dataset_fn=dataset_fn, max_trials=2)
    assert "aug_noise" in tuner.oracle.get_space().values, "not in the search space before trial 0"
    _search(tuner)
    first = tuner.oracle.get_trial(min(tuner.oracle.trials))
    assert first.hyperparameters["aug_noise"] != 0.25, "trial 0 took the default"
    assert dataset_fn.calls[-2]["noise"] == first.hyperparameters["aug_noise"]


@pytest.mark.parametrize("route", ROUTES)
def test_hyperband_with_only_data_hyperparameters_still_runs_trials(route, tiny_task, tmp_path):
    def fixed_build(hp):
        return tiny_build(kt.HyperParameters())

    tuner = _search(make_tuner(route, "hyperband", tmp_path, build=fixed_build, dataset_fn=RecordingDatasetFn(tiny_task)))
    assert len(tuner.oracle.trials) >= 4
    assert len({t.hyperparameters["aug_noise"] for t in tuner.oracle.trials.values()}) > 1


def test_a_search_with_nothing_to_tune_raises_instead_of_running_zero_trials(tiny_task, tmp_path):
    def fixed_build(hp):
        return tiny_build(kt.HyperParameters())

    tuner = make_tuner("subclass", "hyperband", tmp_path, build=fixed_build)
    with pytest.raises(RuntimeError, match="zero trials"):
        tuner.search(tiny_task.x_train, tiny_task.y_train, validation_data=(tiny_task.x_val, tiny_task.y_val),
                     epochs=2, verbose=0)


@pytest.mark.parametrize("route", ROUTES)
def test_fit_gets_dataset_fns_validation_data_and_the_search_batch_size(route, tiny_task, tmp_path):
    seen = []

    class Recording(kt.HyperModel):
        def build(self, hp):
            return tiny_build(hp)

        def fit(self, hp, model, *args, **kwargs):
            seen.append(kwargs["validation_data"])
            return model.fit(*args, **kwargs)

    dataset_fn = RecordingDatasetFn(tiny_task)
    tuner = make_tuner(route, "random", tmp_path, build=Recording(), dataset_fn=dataset_fn, max_trials=2)
    declared = len(dataset_fn.calls)
    _search(tuner, batch_size=8)
    assert {c["batch_size"] for c in dataset_fn.calls[declared:]} == {8}
    assert len(seen) == 2 and all(v is dataset_fn.calls[-1]["validation"] for v in seen)


@pytest.mark.parametrize("kind", sorted(STOCK))
def test_without_dataset_fn_each_class_matches_its_stock_tuner(kind, tiny_task, tmp_path):
    data = dict(x=tiny_task.x_train, y=tiny_task.y_train, validation_data=(tiny_task.x_val, tiny_task.y_val))
    results = {}
    for route in ("stock", "subclass"):
        tuner = make_tuner(route, kind, tmp_path / route)
        tuner.search(epochs=2, batch_size=16, verbose=0, **data)
        results[route] = [(t.hyperparameters.values, t.score) for _, t in sorted(tuner.oracle.trials.items())]
    assert results["subclass"] == results["stock"]


@pytest.mark.parametrize("kind", ["hyperband", "random"])
def test_both_routes_find_the_same_trials_and_scores(kind, tiny_task, tmp_path):
    results = {}
    for route in ROUTES:
        tuner = _search(make_tuner(route, kind, tmp_path / route, dataset_fn=RecordingDatasetFn(tiny_task)))
        results[route] = [(t.hyperparameters.values, t.score) for _, t in sorted(tuner.oracle.trials.items())]
    assert results["subclass"] == results["hypermodel"]


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("data", [{"x": [[0.0]]}, {"validation_data": ([[0.0]], [[0.0]])}, {"validation_split": 0.2}])
def test_data_passed_to_search_is_rejected_when_dataset_fn_builds_it(route, data, tiny_task, tmp_path):
    tuner = make_tuner(route, "random", tmp_path, dataset_fn=RecordingDatasetFn(tiny_task))
    with pytest.raises(ValueError, match=f"search\\(\\) got {next(iter(data))}"):
        tuner.search(epochs=1, batch_size=8, verbose=0, **data)


def test_missing_batch_size_fails_before_any_training(tiny_task, tmp_path):
    tuner = make_tuner("subclass", "random", tmp_path, dataset_fn=helpers.noisy_dataset_fn(tiny_task))
    with pytest.raises(ValueError, match="batch_size=None"):
        tuner.search(epochs=1, verbose=0)
    assert not tuner.oracle.trials


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
