"""Re-run one trial of a dataset-parametrized search alone, from what it recorded.

Described in the README's "Reproduce a trial".
"""

from __future__ import annotations

import math

from helpers import fitting, records
from helpers.hypermodel import DatasetHyperModel
from helpers.results import failure_reason
from helpers.tuners import DatasetTunerMixin

__all__ = ["MATCH_REL_TOL", "rerun_trial"]

# How far (relative) a re-run score may lie from the recorded one: on a CPU it matches to about 1e-6; the
# margin leaves room for a GPU's non-deterministic kernels.
MATCH_REL_TOL = 1e-3


def rerun_trial(tuner, trial_id):
    """Trains trial `trial_id` again from its hyperparameters and recorded seeds; returns its score.

    Works for the Dataset* tuners and for stock tuners with a
    `DatasetHyperModel`. Each recorded execution is repeated with its seed,
    batch size and epochs (a Hyperband trial starts again from its parent's
    checkpoint), and the score is computed as keras-tuner does: the objective
    at each execution's best epoch, averaged over executions. Nothing is saved.
    A score that differs from the recorded one by more than `MATCH_REL_TOL`
    (relative) raises a RuntimeError that says why, instead of being returned.
    Introduced in notebook 08.
    """
    if trial_id not in tuner.oracle.trials:
        raise ValueError(f"trial_id={trial_id!r} is not a trial of this search; its trials are "
                         f"{sorted(tuner.oracle.trials)}")
    trial = tuner.oracle.get_trial(trial_id)
    if trial.status != "COMPLETED":
        reason = f": {failure_reason(trial.message)}" if trial.message else ""
        raise ValueError(f"trial {trial_id!r} is {trial.status}{reason}; only a COMPLETED trial has a score to reproduce")
    recorded = _final_records(records.read_records(tuner.get_trial_dir(trial_id)),
                              getattr(tuner, "executions_per_trial", 1))
    if not recorded:
        raise ValueError(
            f"trial {trial_id!r} has no {records.RECORD_FILE}; only trials trained on dataset_fn's data can be re-run"
        )
    objective = tuner.oracle.objective
    values = []
    for record in recorded:
        history = _train_like_the_trial(tuner, trial.hyperparameters, record)
        series = history.history[objective.name]
        values.append(max(series) if objective.direction == "max" else min(series))
    score = sum(values) / len(values)
    if not math.isclose(score, trial.score, rel_tol=MATCH_REL_TOL, abs_tol=1e-6):
        raise RuntimeError(
            f"trial {trial_id!r} scored {trial.score:.6g} when it ran and {score:.6g} now: its data draw randomness "
            "that the trial's seed does not reach, such as a PyDataset or generator with a random generator of its "
            "own (seed it from dataset_fn's `seed` argument) or several workers (`workers > 1`) drawing at once; "
            "or the search trained with what a re-run does not replay: callbacks such as EarlyStopping, "
            "class_weight, or a GPU's non-deterministic kernels")
    return score


def _final_records(recorded, executions):
    """The record of the attempt that trained each execution: the last one written for each execution index.

    An execution retried with a smaller batch after running out of memory, or
    run again after the search was resumed, writes one record per attempt.
    """
    last = {}
    for record in recorded:
        last[record.get("execution", 0)] = record
    return [last[index] for index in sorted(last)][:executions]


def _train_like_the_trial(tuner, hp, record):
    seed, batch_size = record["seed"], record["batch_size"]
    fit_kwargs = {"epochs": record["epochs"], "initial_epoch": record["initial_epoch"], "verbose": 0,
                  **{name: record[name] for name in fitting.REPLAYED if name in record}}
    if isinstance(tuner, DatasetTunerMixin):
        train, validation = tuner.seeded_datasets(hp, batch_size, seed)
        with tuner.weights_seeded(seed):
            model = tuner._try_build(hp)  # keras-tuner's own build, with Hyperband's warm start
        data, fit_kwargs = fitting.fit_arguments(fit_kwargs, train, validation, batch_size)
        return model.fit(*data, **fit_kwargs)
    hypermodel = tuner.hypermodel
    if not isinstance(hypermodel, DatasetHyperModel):
        raise TypeError(f"{type(tuner).__name__} has no dataset_fn; expected a Dataset* tuner or a DatasetHyperModel")
    model = tuner._try_build(hp)
    train, validation = hypermodel.seeded_datasets_and_weights(hp, model, batch_size, seed)
    data, fit_kwargs = fitting.fit_arguments(fit_kwargs, train, validation, batch_size)
    return hypermodel.hypermodel.fit(hp, model, *data, **fit_kwargs)
