"""Failed trials, interrupted searches, bad input and reproducibility."""

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
from conftest import make_tuner, tiny_build

import helpers
from helpers import datafn

ROUTES = ["subclass", "hypermodel"]
CHILD = pathlib.Path(__file__).with_name("search_child.py")


def failing_dataset_fn(task, should_fail, error):
    """noisy_dataset_fn that raises `error()` where should_fail(hp, batch_size, in_trial) holds.

    The tuners pass a seed only in trials, not when they declare or check the space.
    """
    inner = helpers.noisy_dataset_fn(task, max_value=0.5, default=0.25)

    def dataset_fn(hp, batch_size, seed=None):
        train, validation = inner(hp, batch_size, seed=seed)
        if should_fail(hp, batch_size, seed is not None):
            raise error()
        return train, validation

    return dataset_fn


def out_of_memory():
    return tf.errors.ResourceExhaustedError(None, None, "OOM when allocating tensor (injected by the test)")


# ---------- failed trials ----------

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


# ---------- interrupted searches ----------

def _run_child(directory, kind, pause_trial=None):
    command = [sys.executable, str(CHILD), str(directory), kind] + ([pause_trial] if pause_trial else [])
    environment = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=environment)


def _done_lines(lines):
    return {line.split()[1]: float(line.split()[2]) for line in lines if line.startswith("DONE")}


@pytest.mark.parametrize("kind, pause_trial, planned", [("random", "2", 4), ("hyperband", "0003", 6)])
def test_a_search_killed_mid_trial_resumes_and_finishes_without_losing_or_repeating_trials(
        kind, pause_trial, planned, tmp_path):
    first = _run_child(tmp_path, kind, pause_trial)
    lines = []
    for line in first.stdout:
        lines.append(line.strip())
        if line.startswith("PAUSED"):
            first.send_signal(signal.SIGKILL)
            break
    first.wait(timeout=60)
    assert first.returncode == -signal.SIGKILL, f"the child never paused in trial {pause_trial}: {lines}"
    before = _done_lines(lines)
    assert before and pause_trial not in before

    second = _run_child(tmp_path, kind)
    output, _ = second.communicate(timeout=300)
    assert second.returncode == 0 and "FINISHED" in output, output
    after = _done_lines(output.splitlines())
    assert not set(before) & set(after), "a trial completed before the kill ran again"

    tuner = helpers.DatasetRandomSearch if kind == "random" else helpers.DatasetHyperband
    budget = {"max_trials": 4} if kind == "random" else {"max_epochs": 3, "factor": 3}
    reloaded = tuner(tiny_build, dataset_fn=lambda hp, batch_size: (_ for _ in ()).throw(AssertionError),
                     objective="val_loss", directory=str(tmp_path), project_name=kind, overwrite=False, **budget)
    table = helpers.trials_table(reloaded)
    assert len(table) == planned and table["trial_id"].is_unique
    assert (table["status"] == "COMPLETED").all(), table[["trial_id", "status"]]
    scores = dict(zip(table["trial_id"], table["score"]))
    assert all(scores[trial_id] == pytest.approx(score) for trial_id, score in before.items())
    for trial_id in before:
        assert len(datafn.read_records(reloaded.get_trial_dir(trial_id))) == 1, f"trial {trial_id} trained twice"


# ---------- bad input ----------

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
def test_an_objective_the_model_never_reports_stops_the_search_and_names_it(route, tiny_task, tmp_path):
    tuner = make_tuner(route, "random", tmp_path, dataset_fn=helpers.noisy_dataset_fn(tiny_task),
                       objective="val_accuracy")
    with pytest.raises(kt.errors.FatalValueError, match=r"'val_accuracy' is never reported.*'val_loss'"):
        tuner.search(epochs=3, batch_size=16, verbose=0)
    assert not any(t.status == "COMPLETED" for t in tuner.oracle.trials.values())


@pytest.mark.parametrize("route", ROUTES)
def test_a_missing_batch_size_is_named(route, tiny_task, tmp_path):
    tuner = make_tuner(route, "random", tmp_path, dataset_fn=helpers.noisy_dataset_fn(tiny_task))
    with pytest.raises(ValueError, match=r"batch_size=None.*pass batch_size to search\(\)"):
        tuner.search(epochs=1, verbose=0)
    assert not any(t.status == "COMPLETED" for t in tuner.oracle.trials.values())


# ---------- reproducibility ----------

def test_each_execution_records_the_seed_derived_from_tuner_seed_trial_and_execution(tiny_task, tmp_path):
    tuner = make_tuner("subclass", "random", tmp_path, dataset_fn=helpers.noisy_dataset_fn(tiny_task), max_trials=2,
                       executions_per_trial=2)
    tuner.search(epochs=1, batch_size=16, verbose=0)
    for trial_id in tuner.oracle.trials:
        records = datafn.read_records(tuner.get_trial_dir(trial_id))
        assert [r["seed"] for r in records] == [helpers.trial_seed(3, trial_id, e) for e in (0, 1)]
        assert {r["batch_size"] for r in records} == {16}
    assert len(set(helpers.trials_table(tuner)["seed"])) == 2


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


@pytest.mark.parametrize("route, kind", [("subclass", "hyperband"), ("hypermodel", "hyperband"),
                                         ("subclass", "random")])
def test_a_trial_re_run_alone_reproduces_its_score(route, kind, tiny_task, tmp_path):
    tuner = make_tuner(route, kind, tmp_path, dataset_fn=helpers.noisy_dataset_fn(tiny_task))
    tuner.search(epochs=3, batch_size=16, verbose=0)
    trials = sorted(tuner.oracle.trials.values(), key=lambda t: t.trial_id)
    chosen = [trials[1], trials[-1]]  # for Hyperband the last trial of the first bracket is warm-started
    keras.utils.set_random_seed(999)  # whatever state the process is in
    for trial in chosen:
        assert helpers.rerun_trial(tuner, trial.trial_id) == pytest.approx(trial.score, abs=5e-5), trial.trial_id
