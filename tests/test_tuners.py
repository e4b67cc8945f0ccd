"""Both routes train on the data dataset_fn builds, keep what Keras Tuner does around it, and survive failures.

The tests parametrized over ROUTES cover the subclass route (helpers.tuners) and
the public-API route (helpers.hypermodel) alike.
"""

import os
import pathlib
import random
import signal
import subprocess
import sys

import keras
import keras_tuner as kt
import numpy as np
import pytest
import tensorflow as tf
from factories import (ROUTES, STOCK, FirstWeights, RecordingDatasetFn, assert_warm_starts_from_parents,
                       failing_dataset_fn, make_tuner, out_of_memory, search, tiny_build)

import helpers
import search_child
from helpers import progress, records


@pytest.fixture(scope="module", params=ROUTES)
def hyperband_search(request, tiny_task, tmp_path_factory):
    """One small Hyperband search per route, shared by the tests that only read it."""
    dataset_fn = RecordingDatasetFn(tiny_task)
    first_weights = FirstWeights()
    tuner = make_tuner(request.param, "hyperband", tmp_path_factory.mktemp(request.param), dataset_fn=dataset_fn)
    search(tuner, epochs=42, callbacks=[first_weights])
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
    assert_warm_starts_from_parents(tuner, first_weights)


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
    search(tuner, epochs=3)
    assert [t.status for t in tuner.oracle.trials.values()] == ["COMPLETED"] * 2
    assert all(len(epochs) == 2 * 3 for epochs in tuner.epochs_trained.values())
    checks = 1 if route == "subclass" else 0  # the subclass route tries dataset_fn once before training
    assert len(dataset_fn.calls) - calls_before - checks == 2 * 2


@pytest.mark.parametrize("route", ROUTES)
def test_user_callbacks_are_kept(route, tiny_task, tmp_path):
    stop_after_two = keras.callbacks.EarlyStopping(monitor="loss", min_delta=1e9, patience=0)
    board = keras.callbacks.TensorBoard(log_dir=str(tmp_path / "logs"))
    tuner = make_tuner(route, "random", tmp_path, dataset_fn=RecordingDatasetFn(tiny_task), max_trials=2)
    search(tuner, epochs=6, callbacks=[stop_after_two, board])
    assert [len(epochs) for epochs in tuner.epochs_trained.values()] == [2, 2]
    for trial_id in tuner.oracle.trials:
        assert (tmp_path / "logs" / trial_id / "execution0").is_dir()


@pytest.mark.parametrize("route", ROUTES)
def test_data_hyperparameters_are_in_the_space_and_sampled_from_trial_0(route, tiny_task, tmp_path):
    dataset_fn = RecordingDatasetFn(tiny_task, noise_max=0.5)
    tuner = make_tuner(route, "random", tmp_path, dataset_fn=dataset_fn, max_trials=2)
    assert "aug_noise" in tuner.oracle.get_space().values, "not in the search space before trial 0"
    search(tuner)
    first = tuner.oracle.get_trial(min(tuner.oracle.trials))
    assert first.hyperparameters["aug_noise"] != 0.25, "trial 0 took the default"
    assert dataset_fn.calls[-2]["noise"] == first.hyperparameters["aug_noise"]


@pytest.mark.parametrize("route", ROUTES)
def test_hyperband_with_only_data_hyperparameters_still_runs_trials(route, tiny_task, tmp_path):
    def fixed_build(hp):
        return tiny_build(kt.HyperParameters())

    tuner = search(make_tuner(route, "hyperband", tmp_path, build=fixed_build, dataset_fn=RecordingDatasetFn(tiny_task)))
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
    search(tuner, batch_size=8)
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
        tuner = search(make_tuner(route, kind, tmp_path / route, dataset_fn=RecordingDatasetFn(tiny_task)))
        results[route] = [(t.hyperparameters.values, t.score) for _, t in sorted(tuner.oracle.trials.items())]
    assert results["subclass"] == results["hypermodel"]



# ---------- failed and interrupted trials ----------

CHILD = pathlib.Path(__file__).with_name("search_child.py")


@pytest.mark.parametrize("route, error", [("subclass", MemoryError), ("subclass", out_of_memory),
                                          ("hypermodel", out_of_memory)],
                         ids=["subclass-MemoryError", "subclass-ResourceExhaustedError", "hypermodel-ResourceExhaustedError"])
def test_out_of_memory_in_dataset_fn_fails_that_trial_and_the_search_goes_on(route, error, tiny_task, tmp_path):
    noisy = failing_dataset_fn(tiny_task, lambda hp, batch_size, in_trial: in_trial and hp["aug_noise"] > 0.25,
                               error)
    tuner = make_tuner(route, "random", tmp_path, dataset_fn=noisy, max_trials=5, max_consecutive_failed_trials=5)
    tuner.search(epochs=1, batch_size=16, verbose=0)
    table = helpers.trials_table(tuner)
    failed, completed = table[table["status"] == "FAILED"], table[table["status"] == "COMPLETED"]
    assert len(failed) >= 1 and len(completed) >= 1 and len(table) == 5, table[["status", "aug_noise"]]
    assert (failed["aug_noise"] > 0.25).all() and (completed["aug_noise"] <= 0.25).all()
    assert failed["message"].str.contains("out of memory with batch_size=16").all(), failed["message"].tolist()


def test_out_of_memory_while_building_the_model_fails_that_trial(tiny_task, tmp_path):
    def build(hp):
        model = tiny_build(hp)
        if hp["units"] == 8:
            raise out_of_memory()
        return model

    tuner = make_tuner("subclass", "grid", tmp_path, build=build, dataset_fn=helpers.noisy_dataset_fn(tiny_task),
                       hyperparameters=_fixed_noise(), max_trials=3)
    tuner.search(epochs=1, batch_size=16, verbose=0)
    statuses = {t.hyperparameters["units"]: t.status for t in tuner.oracle.trials.values()}
    assert statuses == {2: "COMPLETED", 4: "COMPLETED", 8: "FAILED"}


def _fixed_noise():
    hp = kt.HyperParameters()
    hp.Fixed("aug_noise", 0.1)
    return hp


def test_out_of_memory_retries_with_half_the_batch_size_down_to_the_floor(tiny_task, tmp_path):
    fails_above_8 = failing_dataset_fn(tiny_task, lambda hp, batch_size, in_trial: in_trial and batch_size > 8,
                                       out_of_memory)
    tuner = make_tuner("subclass", "random", tmp_path / "floor4", dataset_fn=fails_above_8, max_trials=2,
                       min_batch_size=4)
    tuner.search(epochs=1, batch_size=32, verbose=0)
    table = helpers.trials_table(tuner)
    assert (table["status"] == "COMPLETED").all() and (table["batch_size"] == 8).all()

    tuner = make_tuner("subclass", "random", tmp_path / "floor16", dataset_fn=fails_above_8, max_trials=2,
                       min_batch_size=16, max_consecutive_failed_trials=5)
    tuner.search(epochs=1, batch_size=32, verbose=0)
    table = helpers.trials_table(tuner)
    assert (table["status"] == "FAILED").all()
    assert table["message"].str.contains("out of memory with batch_size=16").all()


def _run_child(directory, kind, pause_trial=None):
    command = [sys.executable, str(CHILD), str(directory), kind] + ([pause_trial] if pause_trial else [])
    environment = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=environment)


def _done_lines(lines):
    """{trial id: score} of the trials that the child's progress lines report COMPLETED."""
    events = [progress.parse_line(line) for line in lines]
    return {e.trial_id: e.score for e in events if e and e.event == "end" and e.status == "COMPLETED"}


@pytest.mark.parametrize("kind, pause_trial, planned", [("random", "2", 4), ("hyperband", "0003", 6)])
def test_a_search_refuses_a_second_process_and_once_killed_mid_trial_resumes_without_losing_or_repeating_trials(
        kind, pause_trial, planned, tmp_path, capsys):
    first = _run_child(tmp_path, kind, pause_trial)
    lines = []
    for line in first.stdout:
        lines.append(line.strip())
        if line.startswith("PAUSED"):
            break
    try:  # while the child trains, this test's process is a second one searching the same directory
        with pytest.raises(RuntimeError, match=f"is being searched by process {first.pid}; wait for it to finish"):
            search_child.main(str(tmp_path), kind)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=60)
    assert '"event": "start"' not in capsys.readouterr().out, "the second process trained a trial"
    assert first.returncode == -signal.SIGKILL, f"the child never paused in trial {pause_trial}: {lines}"
    before = _done_lines(lines)
    assert before and pause_trial not in before

    search_child.main(str(tmp_path), kind)  # the resume: a new tuner on the same directory, here in this process
    output = capsys.readouterr().out
    assert '"event": "finished"' in output, output
    after = _done_lines(output.splitlines())
    assert not set(before) & set(after), "a trial completed before the kill ran again"

    tuner = helpers.DatasetRandomSearch if kind == "random" else helpers.DatasetHyperband
    budget = {"max_trials": 4} if kind == "random" else {"max_epochs": 3, "factor": 3}
    # The child's dataset_fn: a resumed Dataset* tuner probes it again, and refuses a changed range.
    x = np.linspace(0.0, 1.0, 64, dtype=np.float32).reshape(-1, 1)
    same = helpers.noisy_dataset_fn(helpers.Task("tiny", x, x.copy(), x[::2], x[::2].copy()), max_value=0.5,
                                    default=0.25)
    reloaded = tuner(tiny_build, dataset_fn=same, objective="val_loss", directory=str(tmp_path), project_name=kind,
                     overwrite=False, **budget)
    table = helpers.trials_table(reloaded)
    assert len(table) == planned and table["trial_id"].is_unique
    assert (table["status"] == "COMPLETED").all(), table[["trial_id", "status"]]
    scores = dict(zip(table["trial_id"], table["score"]))
    assert all(scores[trial_id] == pytest.approx(score) for trial_id, score in before.items())
    for trial_id in before:
        assert len(records.read_records(reloaded.get_trial_dir(trial_id))) == 1, f"trial {trial_id} trained twice"


@pytest.mark.parametrize("route", ROUTES)
def test_two_searches_with_the_same_seed_agree_whatever_was_drawn_before(route, tiny_task, tmp_path):
    results = []
    for attempt in range(2):
        random.random(), np.random.rand(), tf.random.uniform(())  # different global RNG states
        tuner = make_tuner(route, "random", tmp_path / str(attempt), dataset_fn=helpers.noisy_dataset_fn(tiny_task))
        keras.utils.set_random_seed(100 + attempt)
        tuner.search(epochs=2, batch_size=16, verbose=0)
        results.append([(t.hyperparameters.values, round(t.score, 4)) for _, t in sorted(tuner.oracle.trials.items())])
    assert results[0] == results[1]



def test_a_completed_trial_left_listed_as_ongoing_never_runs_again_on_resume(tiny_task, tmp_path):
    """A distributed chief saves its oracle with the last ended trial still under ongoing_trials."""
    import json

    dataset_fn = RecordingDatasetFn(tiny_task)
    tuner = make_tuner("subclass", "random", tmp_path, dataset_fn=dataset_fn, max_trials=2)
    search(tuner, epochs=1)
    oracle_file = pathlib.Path(tuner.project_dir) / "oracle.json"
    state = json.loads(oracle_file.read_text())
    last = max(tuner.oracle.trials)
    state["ongoing_trials"] = {"tuner0": last}
    oracle_file.write_text(json.dumps(state))
    events = []
    resumed = progress.with_progress(helpers.DatasetRandomSearch)(
        tiny_build, dataset_fn=dataset_fn, objective="val_loss", max_trials=2, directory=str(tmp_path),
        project_name="subclass-random", on_progress=events.append)
    search(resumed, epochs=1)
    assert events == [], f"a completed trial ran again: {events}"
    assert [t.status for t in resumed.oracle.trials.values()] == ["COMPLETED"] * 2


def test_a_deleted_trial_folder_is_named_on_resume_instead_of_a_live_trial_being_overwritten(tiny_task, tmp_path):
    import shutil

    tuner = make_tuner("subclass", "random", tmp_path, dataset_fn=RecordingDatasetFn(tiny_task), max_trials=3)
    search(tuner, epochs=1)
    shutil.rmtree(tuner.get_trial_dir("0"))
    with pytest.raises(RuntimeError, match=r"lacks the folders of ended trials \['0'\].*overwrite it"):
        helpers.DatasetRandomSearch(tiny_build, dataset_fn=RecordingDatasetFn(tiny_task), objective="val_loss",
                                    max_trials=4, directory=str(tmp_path), project_name="subclass-random")


def test_a_range_changed_in_dataset_fn_between_a_run_and_its_resume_is_refused(tiny_task, tmp_path):
    tuner = make_tuner("subclass", "random", tmp_path, dataset_fn=helpers.noisy_dataset_fn(tiny_task, max_value=0.5,
                                                                                       default=0.25), max_trials=1)
    search(tuner, epochs=1)
    resume = dict(objective="val_loss", max_trials=2, directory=str(tmp_path), project_name="subclass-random")
    changed = helpers.noisy_dataset_fn(tiny_task, max_value=1.0, default=0.25)
    with pytest.raises(ValueError, match=r"declares 'aug_noise' as .*'max_value': 1\.0.*saved in .* has .*'max_value': 0\.5"):
        helpers.DatasetRandomSearch(tiny_build, dataset_fn=changed, **resume)

    def with_a_bad_new_range(hp, batch_size, seed=None):
        hp.Float("blur", -1.0, 1.0)
        return helpers.noisy_dataset_fn(tiny_task, max_value=0.5, default=0.25)(hp, batch_size, seed=seed) \
            if hp["blur"] >= 0 else (_ for _ in ()).throw(ValueError(f"blur={hp['blur']} is negative"))

    with pytest.raises(ValueError, match="blur=-1.0 is negative"):
        helpers.DatasetRandomSearch(tiny_build, dataset_fn=with_a_bad_new_range, **resume)
    same = helpers.DatasetRandomSearch(tiny_build, dataset_fn=helpers.noisy_dataset_fn(tiny_task, max_value=0.5,
                                                                                         default=0.25), **resume)
    search(same, epochs=1)
    assert [t.status for t in same.oracle.trials.values()] == ["COMPLETED"] * 2
