"""Tuners whose training data is rebuilt in every trial from its hyperparameters.

Two routes, with the same `dataset_fn(hp, batch_size) -> (train, validation)`
contract:

* the subclass-override route (notebook 02): `DatasetTunerMixin` and the ready
  classes `DatasetHyperband`, `DatasetRandomSearch`,
  `DatasetBayesianOptimization` and `DatasetGridSearch`;
* the public-API route (notebook 03): `DatasetHyperModel`, for any stock tuner.
"""

from __future__ import annotations

import keras_tuner as kt

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

# When a tuner is created, dataset_fn is called once with this batch size so
# that the hyperparameters it declares join the search space before trial 0.
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
    Every trial (and every execution of it) calls
    `dataset_fn(trial.hyperparameters, batch_size)`, where `batch_size` is the
    one given to `search()`, and trains on what it returns. Everything the
    stock tuner does around training is kept: Hyperband's epochs and warm
    starts, checkpoints, the saved build config, callbacks and executions.

    Without `dataset_fn` the class behaves as its stock tuner, except that a
    search that ran zero trials raises instead of returning silently.
    Introduced in notebook 02.
    """

    def __init__(self, *args, dataset_fn=None, **kwargs):
        if dataset_fn is not None and not callable(dataset_fn):
            raise TypeError(
                f"dataset_fn={dataset_fn!r} is not callable; expected a function "
                "dataset_fn(hp, batch_size) -> (train, validation)"
            )
        self.dataset_fn = dataset_fn
        super().__init__(*args, **kwargs)

    def _populate_initial_space(self):
        # Called by the stock constructor: declare the data hyperparameters
        # first, exactly where DatasetHyperModel.declare_hyperparameters does.
        if self.dataset_fn is not None:
            hp = self.oracle.get_space()
            call_dataset_fn(self.dataset_fn, hp, DECLARE_BATCH_SIZE)
            self.oracle.update_space(hp)
        super()._populate_initial_space()

    def search(self, *fit_args, **fit_kwargs):
        if self.dataset_fn is not None:
            check_search_arguments(self.dataset_fn, self.oracle.get_space(), fit_args, fit_kwargs)
        super().search(*fit_args, **fit_kwargs)
        _raise_if_no_trials(self.oracle)

    def _build_and_fit_model(self, trial, *args, **kwargs):
        if self.dataset_fn is None:
            return super()._build_and_fit_model(trial, *args, **kwargs)
        train, kwargs = _datasets_for_fit(self.dataset_fn, trial.hyperparameters, kwargs)
        return super()._build_and_fit_model(trial, train, *args, **kwargs)


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
        if not callable(dataset_fn):
            raise TypeError(
                f"dataset_fn={dataset_fn!r} is not callable; expected a function "
                "dataset_fn(hp, batch_size) -> (train, validation)"
            )
        self.dataset_fn = dataset_fn

    def build(self, hp):
        return self.hypermodel.build(hp)

    def declare_hyperparameters(self, hp):
        call_dataset_fn(self.dataset_fn, hp, DECLARE_BATCH_SIZE)
        self.hypermodel.declare_hyperparameters(hp)

    def fit(self, hp, model, *args, **kwargs):
        check_search_arguments(self.dataset_fn, None, args, kwargs)
        train, kwargs = _datasets_for_fit(self.dataset_fn, hp, kwargs)
        return self.hypermodel.fit(hp, model, train, **kwargs)


def call_dataset_fn(dataset_fn, hp, batch_size):
    """Calls `dataset_fn(hp, batch_size)` and checks that it returned a pair of datasets."""
    result = dataset_fn(hp, batch_size)
    if not isinstance(result, (tuple, list)) or len(result) != 2 or any(part is None for part in result):
        raise kt.errors.FatalTypeError(
            f"dataset_fn returned {_describe(result)}; expected a pair (train, validation) "
            "of datasets, neither of them None"
        )
    return result


def check_search_arguments(dataset_fn, space, fit_args, fit_kwargs):
    """Rejects data passed to `search()` when `dataset_fn` provides it.

    With a `space` (a HyperParameters of the search space), it also calls
    `dataset_fn` once with the search's batch size, so that a dataset_fn that
    cannot work with it fails before any training starts.
    """
    given = [name for name in _DATA_ARGUMENTS if name in fit_kwargs]
    if fit_args or given:
        names = ["positional arguments"] * bool(fit_args) + given
        # Fatal, so that keras-tuner stops the search instead of failing trial after trial.
        raise kt.errors.FatalValueError(
            f"search() got {', '.join(names)}, but dataset_fn builds the training and "
            "validation data; call search(epochs=..., batch_size=...) without data"
        )
    if space is None:
        return
    batch_size = fit_kwargs.get("batch_size")
    try:
        call_dataset_fn(dataset_fn, space, batch_size)
    except kt.errors.FatalError:
        raise
    except Exception as error:
        raise ValueError(
            f"dataset_fn failed with batch_size={batch_size!r} before the search started: {error}"
        ) from error


def _datasets_for_fit(dataset_fn, hp, kwargs):
    kwargs = dict(kwargs)
    batch_size = kwargs.pop("batch_size", None)
    train, validation = call_dataset_fn(dataset_fn, hp, batch_size)
    kwargs["validation_data"] = validation
    # The data are tf.data pipelines, shuffled by dataset_fn; Keras warns if asked again.
    kwargs.setdefault("shuffle", False)
    return train, kwargs


def _raise_if_no_trials(oracle):
    trials = getattr(oracle, "trials", None)
    if isinstance(trials, dict) and not trials:
        raise RuntimeError(
            "search() ran zero trials: the oracle stopped before its first trial. "
            "Declare at least one tunable hyperparameter in build() or dataset_fn; "
            "one declared only inside fit() is not in the search space in time"
        )


def _describe(value):
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of length {len(value)}"
    return f"{value!r} of type {type(value).__name__}"
