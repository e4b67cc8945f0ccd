"""A trial re-run alone from its records reproduces its score."""

import keras
import pytest
from factories import make_tuner

import helpers
from helpers import records


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



class OutOfMemoryAboveBatch8(keras.callbacks.Callback):
    """Runs out of memory when training starts with batches larger than 8 (64 samples: under 8 steps an epoch)."""

    def on_train_begin(self, logs=None):
        from factories import out_of_memory

        if self.params["steps"] < 8:
            raise out_of_memory()


def test_a_trial_retried_with_half_the_batch_replays_the_attempts_that_trained(tiny_task, tmp_path):
    tuner = make_tuner("subclass", "random", tmp_path, dataset_fn=helpers.noisy_dataset_fn(tiny_task), max_trials=1,
                       min_batch_size=4, executions_per_trial=2)
    tuner.search(epochs=2, batch_size=16, verbose=0, callbacks=[OutOfMemoryAboveBatch8()])
    (trial,) = tuner.oracle.trials.values()
    assert trial.status == "COMPLETED"
    assert [r["batch_size"] for r in records.read_records(tuner.get_trial_dir(trial.trial_id))] == [16, 8, 16, 8]
    assert helpers.rerun_trial(tuner, trial.trial_id) == pytest.approx(trial.score, abs=5e-5)


def test_an_unknown_or_failed_trial_is_named(tiny_task, tmp_path):
    from factories import failing_dataset_fn, out_of_memory

    always = failing_dataset_fn(tiny_task, lambda hp, batch_size, in_trial: in_trial, out_of_memory)
    tuner = make_tuner("subclass", "random", tmp_path, dataset_fn=always, max_trials=1)
    tuner.search(epochs=1, batch_size=16, verbose=0)
    with pytest.raises(ValueError, match=r"trial_id='7' is not a trial of this search; its trials are \['0'\]"):
        helpers.rerun_trial(tuner, "7")
    with pytest.raises(ValueError, match="trial '0' is FAILED: out of memory with batch_size=16.*only a COMPLETED"):
        helpers.rerun_trial(tuner, "0")
