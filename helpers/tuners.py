"""Tuners whose training data is rebuilt in every trial from its hyperparameters.

Two routes, with the same `dataset_fn(hp, batch_size) -> (train, validation)`
contract (a `seed` keyword is passed too when dataset_fn accepts one):

* the subclass-override route (notebook 02): `DatasetTunerMixin` and the ready
  classes `DatasetHyperband`, `DatasetRandomSearch`,
  `DatasetBayesianOptimization` and `DatasetGridSearch`;
* the public-API route (notebook 03): `DatasetHyperModel`, for any stock tuner.

In both, every execution of every trial seeds Python, NumPy, TensorFlow and
Keras with `datafn.trial_seed(tuner seed, trial id, execution index)` before
it builds the data and before it makes the initial weights, and records that
seed, the batch size and the epochs in the trial's directory.
"""

from __future__ import annotations

import contextlib

import keras
import keras_tuner as kt

from helpers import datafn

__all__ = [
    "DECLARE_BATCH_SIZE",
    "EpochCountMixin",
    "DatasetTunerMixin",
    "DatasetHyperband",
    "DatasetRandomSearch",
    "DatasetBayesianOptimization",
    "DatasetGridSearch",
    "DatasetHyperModel",
]

# When a tuner is created, dataset_fn is called with this batch size so that
# the hyperparameters it declares join the search space before trial 0.
# The datasets it returns then are discarded.
DECLARE_BATCH_SIZE = 32

# Arguments of search() that would compete with the data that dataset_fn builds.
_DATA_ARGUMENTS = ("x", "y", "validation_data", "validation_split")


class EpochCountMixin:
    """Records which epochs every trial actually trained, in `epochs_trained`.

    `epochs_trained[trial_id]` lists the epoch indices seen by Keras, across
    all executions of the trial. It uses the public `Tuner.on_epoch_end` hook.
    Introduced in notebook 02.
    """

    def __init__(self, *args, **kwargs):
        self.epochs_trained = {}
        super().__init__(*args, **kwargs)

    def on_epoch_end(self, trial, model, epoch, logs=None):
        self.epochs_trained.setdefault(trial.trial_id, []).append(epoch)
        super().on_epoch_end(trial, model, epoch, logs=logs)


class DatasetTunerMixin(EpochCountMixin):
    """Adds `dataset_fn` to a Keras Tuner class by overriding `_build_and_fit_model`.

    Mix it in before a stock tuner: `class T(DatasetTunerMixin, kt.Hyperband)`.
    Every execution of every trial calls `dataset_fn(trial.hyperparameters,
    batch_size)`, where `batch_size` is the one given to `search()`, and trains
    on what it returns. Everything the stock tuner does around training is
    kept: Hyperband's epochs and warm starts, checkpoints, the saved build
    config, callbacks and executions.

    Args:
        dataset_fn: `dataset_fn(hp, batch_size) -> (train, validation)`.
        min_batch_size: when set, a trial that runs out of memory is tried
            again with half the batch size, down to this floor, before it is
            marked FAILED. The batch size used is recorded with the trial.
        *args, **kwargs: everything the stock tuner takes.

    Without `dataset_fn` the class behaves as its stock tuner, except that a
    search that ran zero trials raises instead of returning silently.
    Introduced in notebook 02.
    """

    def __init__(self, *args, dataset_fn=None, min_batch_size=None, **kwargs):
        if dataset_fn is not None:
            datafn.check_callable(dataset_fn)
        if min_batch_size is not None and (not isinstance(min_batch_size, int) or min_batch_size < 1):
            raise ValueError(f"min_batch_size={min_batch_size!r} is invalid; expected an integer >= 1 or None")
        self.dataset_fn = dataset_fn
        self.min_batch_size = min_batch_size
        self._executions = _ExecutionCounter()
        self._pending_seed = None
        super().__init__(*args, **kwargs)

    def _populate_initial_space(self):
        # Called by the stock constructor: declare the data hyperparameters
        # first, exactly where DatasetHyperModel.declare_hyperparameters does.
        if self.dataset_fn is not None:
            hp = self.oracle.get_space()
            datafn.declare_data_hyperparameters(self.dataset_fn, hp, DECLARE_BATCH_SIZE)
            self.oracle.update_space(hp)
        super()._populate_initial_space()

    def search(self, *fit_args, **fit_kwargs):
        if self.dataset_fn is not None:
            _reject_data_arguments(fit_args, fit_kwargs)
            # Try the real batch size before any training starts.
            datafn.call_dataset_fn(self.dataset_fn, self.oracle.get_space(), fit_kwargs.get("batch_size"))
        super().search(*fit_args, **fit_kwargs)
        _raise_if_no_trials(self.oracle)

    def _build_and_fit_model(self, trial, *args, **kwargs):
        if self.dataset_fn is None:
            return super()._build_and_fit_model(trial, *args, **kwargs)
        execution = self._executions.next(trial.trial_id)
        seed = datafn.trial_seed(_oracle_seed(self.oracle), trial.trial_id, execution)
        batch_size = kwargs.pop("batch_size", None)
        while True:
            try:
                return self._fit_once(trial, args, kwargs, seed, execution, batch_size)
            except Exception as error:
                if not datafn.is_out_of_memory(error):
                    raise
                if self.min_batch_size and batch_size and batch_size // 2 >= self.min_batch_size:
                    batch_size //= 2
                    continue
                raise kt.errors.FailedTrialError(_out_of_memory_message(batch_size, error)) from error

    def _fit_once(self, trial, args, kwargs, seed, execution, batch_size):
        train, validation = self.seeded_datasets(trial.hyperparameters, batch_size, seed)
        kwargs = _fit_kwargs(kwargs, validation, self.oracle.objective)
        _record(self, trial, execution, seed, batch_size, kwargs)
        with self.weights_seeded(seed):
            return super()._build_and_fit_model(trial, train, *args, **kwargs)

    def seeded_datasets(self, hp, batch_size, seed):
        """Seeds everything with `seed`, then builds the datasets: the first half of the seeding order.

        The second half is `weights_seeded`. `rerun_trial` follows the same order.
        """
        return datafn.seeded_call(self.dataset_fn, hp, batch_size, seed)

    @contextlib.contextmanager
    def weights_seeded(self, seed):
        """Within it, models are built right after seeding everything with `seed` again."""
        self._pending_seed = seed
        try:
            yield
        finally:
            self._pending_seed = None

    def _build_hypermodel(self, hp):
        # Seed again right before the initial weights are made (after keras-tuner's clear_session).
        if self._pending_seed is not None:
            keras.utils.set_random_seed(self._pending_seed)
        return super()._build_hypermodel(hp)


class DatasetHyperband(DatasetTunerMixin, kt.Hyperband):
    """`kt.Hyperband` with `dataset_fn`. Introduced in notebook 02."""


class DatasetRandomSearch(DatasetTunerMixin, kt.RandomSearch):
    """`kt.RandomSearch` with `dataset_fn`. Introduced in notebook 02."""


class DatasetBayesianOptimization(DatasetTunerMixin, kt.BayesianOptimization):
    """`kt.BayesianOptimization` with `dataset_fn`. Introduced in notebook 02."""


class DatasetGridSearch(DatasetTunerMixin, kt.GridSearch):
    """`kt.GridSearch` with `dataset_fn`. Introduced in notebook 02."""


class DatasetHyperModel(kt.HyperModel):
    """A HyperModel whose `fit()` builds the datasets from `hp`: the public-API route.

    Args:
        hypermodel: a model-building function `build(hp)` or a `kt.HyperModel`;
            its own `fit()` is used when it has one.
        dataset_fn: `dataset_fn(hp, batch_size) -> (train, validation)`.

    Use it with any stock tuner, and call `search()` without data:
    `tuner.search(epochs=..., batch_size=...)`. Introduced in notebook 03.
    """

    def __init__(self, hypermodel, dataset_fn, name=None, tunable=True):
        super().__init__(name=name, tunable=tunable)
        if isinstance(hypermodel, kt.HyperModel):
            self.hypermodel = hypermodel
        elif callable(hypermodel):
            self.hypermodel = kt.HyperModel()
            self.hypermodel.build = hypermodel
        else:
            raise TypeError(
                f"hypermodel={hypermodel!r} is neither a keras_tuner.HyperModel "
                "nor a model-building function build(hp)"
            )
        self.dataset_fn = datafn.check_callable(dataset_fn)
        self._executions = _ExecutionCounter()

    def build(self, hp):
        return self.hypermodel.build(hp)

    def declare_hyperparameters(self, hp):
        datafn.declare_data_hyperparameters(self.dataset_fn, hp, DECLARE_BATCH_SIZE)
        self.hypermodel.declare_hyperparameters(hp)

    def fit(self, hp, model, *args, **kwargs):
        _reject_data_arguments(args, kwargs)
        tuner, trial = _tuner_and_trial(kwargs.get("callbacks"))
        batch_size = kwargs.pop("batch_size", None)
        if trial is None:  # called outside a search: no seeding, no record
            train, validation = datafn.call_dataset_fn(self.dataset_fn, hp, batch_size)
            return self.hypermodel.fit(hp, model, train, validation_data=validation, **kwargs)
        execution = self._executions.next(trial.trial_id)
        seed = datafn.trial_seed(_oracle_seed(tuner.oracle), trial.trial_id, execution)
        try:
            train, validation = self.seeded_datasets_and_weights(hp, model, batch_size, seed)
            kwargs = _fit_kwargs(kwargs, validation, tuner.oracle.objective)
            _record(tuner, trial, execution, seed, batch_size, kwargs)
            return self.hypermodel.fit(hp, model, train, **kwargs)
        except Exception as error:
            if datafn.is_out_of_memory(error):
                raise kt.errors.FailedTrialError(_out_of_memory_message(batch_size, error)) from error
            raise

    def seeded_datasets_and_weights(self, hp, model, batch_size, seed):
        """Seeds, builds the datasets, then seeds again and gives `model` fresh initial weights.

        A Hyperband trial that continues another keeps the weights it was
        warm-started with. This is the order the subclass route follows, so
        both routes train the same trial identically. Returns (train, validation).
        """
        train, validation = datafn.seeded_call(self.dataset_fn, hp, batch_size, seed)
        if "tuner/trial_id" not in hp.values:
            keras.utils.set_random_seed(seed)
            model.set_weights(self.hypermodel.build(hp).get_weights())
        return train, validation


class _ExecutionCounter:
    """Counts the executions of each trial in this process: 0, 1, 2, ..."""

    def __init__(self):
        self._counts = {}

    def next(self, trial_id):
        count = self._counts.get(trial_id, 0)
        self._counts[trial_id] = count + 1
        return count


class _ObjectiveCheck(keras.callbacks.Callback):
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


def _fit_kwargs(kwargs, validation, objective):
    kwargs = dict(kwargs)
    kwargs["validation_data"] = validation
    # The data are tf.data pipelines, shuffled by dataset_fn; Keras warns if asked again.
    kwargs.setdefault("shuffle", False)
    names = [o.name for o in getattr(objective, "objectives", [objective]) if o.name != "default_objective"]
    kwargs["callbacks"] = [_ObjectiveCheck(names)] + list(kwargs.get("callbacks") or [])
    return kwargs


def _record(tuner, trial, execution, seed, batch_size, kwargs):
    datafn.write_record(tuner.get_trial_dir(trial.trial_id), {
        "execution": execution,
        "seed": seed,
        "batch_size": batch_size,
        "epochs": kwargs.get("epochs", 1),
        "initial_epoch": kwargs.get("initial_epoch", 0),
    })


def _oracle_seed(oracle):
    # A worker of a distributed search holds an OracleClient, which wraps the local oracle
    # (built from the same arguments as the chief's) and does not pass `seed` through.
    return getattr(oracle, "_oracle", oracle).seed


def _tuner_and_trial(callbacks):
    # keras-tuner adds a callback that holds the tuner and the trial to every fit() of a search.
    for callback in callbacks or []:
        if hasattr(callback, "tuner") and hasattr(callback, "trial"):
            return callback.tuner, callback.trial
    return None, None


def _reject_data_arguments(fit_args, fit_kwargs):
    given = [name for name in _DATA_ARGUMENTS if name in fit_kwargs]
    if fit_args or given:
        names = ["positional arguments"] * bool(fit_args) + given
        # Fatal, so that keras-tuner stops the search instead of failing trial after trial.
        raise kt.errors.FatalValueError(
            f"search() got {', '.join(names)}, but dataset_fn builds the training and "
            "validation data; call search(epochs=..., batch_size=...) without data"
        )


def _out_of_memory_message(batch_size, error):
    first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
    return f"out of memory with batch_size={batch_size}: {type(error).__name__}: {first_line}"


def _raise_if_no_trials(oracle):
    trials = getattr(oracle, "trials", None)
    if isinstance(trials, dict) and not trials:
        raise RuntimeError(
            "search() ran zero trials: the oracle stopped before its first trial. "
            "Declare at least one tunable hyperparameter in build() or dataset_fn; "
            "one declared only inside fit() is not in the search space in time"
        )
