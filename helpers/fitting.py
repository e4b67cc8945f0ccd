"""What both tuner routes do around one execution's `fit()`.

The subclass route (`helpers.tuners`) and the public-API route
(`helpers.hypermodel`) share these steps, so they train, check and record
a trial alike: count its executions, derive its seed, reject data passed to
`search()`, pass dataset_fn's validation data with an objective check, and
write the execution's record.
"""

from __future__ import annotations

import keras
import keras_tuner as kt

from helpers import datafn, records

__all__ = ["DATA_ARGUMENTS", "REPLAYED", "ExecutionCounter", "ObjectiveCheck", "check_finite", "end_trial_as_failed",
           "fit_arguments", "oracle_seed", "out_of_memory_message", "record_execution", "reject_data_arguments"]

# fit() arguments that decide how much a trial trains on endless data: recorded, so that rerun_trial replays them.
REPLAYED = ("steps_per_epoch", "validation_steps")

# Arguments of search() that would compete with the data that dataset_fn builds.
DATA_ARGUMENTS = ("x", "y", "validation_data", "validation_split")


class ExecutionCounter:
    """Counts the executions of each trial in this process: 0, 1, 2, ..."""

    def __init__(self):
        self._counts = {}

    def next(self, trial_id):
        count = self._counts.get(trial_id, 0)
        self._counts[trial_id] = count + 1
        return count


class ObjectiveCheck(keras.callbacks.Callback):
    """Stops the search after the first epoch if the model never reports the objective."""

    def __init__(self, names):
        super().__init__()
        self.names = names

    def on_epoch_end(self, epoch, logs=None):
        missing = [name for name in self.names if name not in (logs or {})]
        if missing:
            raise kt.errors.FatalValueError(
                f"the objective {missing[0]!r} is never reported: the model reports {sorted(logs or {})}; "
                "choose one of these, or add the metric to model.compile()"
            )


def fit_arguments(kwargs, train, validation, batch_size, objective=None):
    """`fit()`'s positional data and keyword arguments for dataset_fn's `(train, validation)`.

    A tf.data pipeline or a PyDataset is passed as it is and not shuffled again (dataset_fn shuffles it; Keras
    warns if asked to). An (x, y) pair of arrays is batched by Keras with the trial's `batch_size` (arrays
    without one are a FatalValueError) and, for training, shuffled every epoch from the trial's seed. With
    `objective`, a check that the model reports it is added. Returns (args, kwargs).
    """
    kwargs = dict(kwargs)
    arrays = [split for split, data in (("training", train), ("validation", validation))
              if datafn.data_kind(data) == "arrays"]
    if arrays and batch_size is None:
        raise kt.errors.FatalValueError(
            f"dataset_fn returned its {' and '.join(arrays)} data as arrays, which Keras batches, and the trial has "
            "no batch size; call search(..., batch_size=N), or declare hp.Choice('batch_size', [...]) in dataset_fn")
    if "training" in arrays:
        args = tuple(train)
        kwargs.setdefault("shuffle", True)
        kwargs["batch_size"] = batch_size
    else:
        args = (train,)
        kwargs.setdefault("shuffle", False)
    if "validation" in arrays:
        kwargs["validation_data"] = tuple(validation)
        kwargs["validation_batch_size"] = batch_size
    else:
        kwargs["validation_data"] = validation
    if objective is not None:
        names = [o.name for o in getattr(objective, "objectives", [objective]) if o.name != "default_objective"]
        # Last, so that a callback of the user's that writes the objective into `logs` has run.
        kwargs["callbacks"] = list(kwargs.get("callbacks") or []) + [ObjectiveCheck(names)]
    return args, kwargs


def check_finite(train, validation, kwargs):
    """Raises a FatalValueError before training when a dataset never ends and fit() has no step count for it."""
    for dataset, split, steps in ((train, "training", "steps_per_epoch"), (validation, "validation", "validation_steps")):
        if datafn.is_infinite(dataset) and not kwargs.get(steps):
            raise kt.errors.FatalValueError(
                f"dataset_fn returned an infinite {split} dataset (.repeat() without a count, or a PyDataset whose "
                f"num_batches is None), and search() got no {steps}; pass search(..., {steps}=N), or make it end "
                "(repeat a tf.data pipeline a finite number of times; give a PyDataset __len__)"
            )


def end_trial_as_failed(tuner, trial, error):
    """Ends `trial` as FAILED with the error's message, so that a search stopped by `error` leaves none RUNNING."""
    trial.status = kt.engine.trial.TrialStatus.FAILED
    trial.message = f"{type(error).__name__}: {error}"
    tuner.oracle.end_trial(trial)


def record_execution(tuner, trial, execution, seed, batch_size, kwargs):
    """Writes one execution's seed, batch size and epochs to the trial's record file."""
    records.write_record(tuner.get_trial_dir(trial.trial_id), {
        "execution": execution,
        "seed": seed,
        "batch_size": batch_size,
        "epochs": kwargs.get("epochs", 1),
        "initial_epoch": kwargs.get("initial_epoch", 0),
        **{name: kwargs[name] for name in REPLAYED if kwargs.get(name) is not None},
    })


def oracle_seed(oracle):
    """The tuner's seed, also on a worker of a distributed search."""
    # A worker holds an OracleClient, which wraps the local oracle (built from
    # the same arguments as the chief's) and does not pass `seed` through.
    return getattr(oracle, "_oracle", oracle).seed


def reject_data_arguments(fit_args, fit_kwargs):
    """Raises a FatalValueError when `search()` got data that would compete with dataset_fn's."""
    given = [name for name in DATA_ARGUMENTS if name in fit_kwargs]
    if fit_args or given:
        names = ["positional arguments"] * bool(fit_args) + given
        # Fatal, so that keras-tuner stops the search instead of failing trial after trial.
        raise kt.errors.FatalValueError(
            f"search() got {', '.join(names)}, but dataset_fn builds the training and "
            "validation data; call search(epochs=..., batch_size=...) without data"
        )


def out_of_memory_message(batch_size, error):
    """The FAILED trial's message for an out-of-memory error."""
    return f"out of memory with batch_size={batch_size}: {type(error).__name__}: {datafn.first_line(error)}"
