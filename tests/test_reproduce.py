"""A trial re-run alone from its records reproduces its score."""

import keras
import pytest
from factories import make_tuner

import helpers


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

