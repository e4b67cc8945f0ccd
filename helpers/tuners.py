"""The subclass-override route: tuners whose training data is rebuilt in every trial from its hyperparameters.

`DatasetTunerMixin` overrides the tuner's private `_build_and_fit_model`, and
the ready classes `DatasetHyperband`, `DatasetRandomSearch`,
`DatasetBayesianOptimization` and `DatasetGridSearch` mix it into the stock
tuners (notebook 02). The public-API route, with the same
`dataset_fn(hp, batch_size) -> (train, validation)` contract, is
`helpers.hypermodel.DatasetHyperModel` (notebook 03).

Every execution of every trial seeds Python, NumPy, TensorFlow and Keras
with `trial_seed(tuner seed, trial id, execution index)` before it builds the
data and before it makes the initial weights, and records that seed, the
batch size and the epochs in the trial's directory.
"""

from __future__ import annotations

import contextlib

import keras
import keras_tuner as kt

from helpers import datafn, fitting, traced
from helpers.lock import search_lock

# Statuses of a trial that must never run again.
_ENDED = (kt.engine.trial.TrialStatus.COMPLETED, kt.engine.trial.TrialStatus.FAILED)

__all__ = [
    "EpochCountMixin",
    "DatasetTunerMixin",
    "DatasetHyperband",
    "DatasetRandomSearch",
    "DatasetBayesianOptimization",
    "DatasetGridSearch",
]


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
    batch_size)`, where `batch_size` is the one given to `search()` (or the
    trial's hyperparameter `batch_size`, where dataset_fn declares one), and trains
    on what it returns. Everything the stock tuner does around training is
    kept: Hyperband's epochs and warm starts, checkpoints, the saved build
    config, callbacks and executions.

    Args:
        dataset_fn: `dataset_fn(hp, batch_size) -> (train, validation)`.
        min_batch_size: when set, a trial that runs out of memory is tried
            again with half the batch size, down to this floor, before it is
            marked FAILED. The batch size used is recorded with the trial.
        reuse_traced_models: when True (the default), a trial whose model has
            the architecture of an earlier trial's trains that model, restarted
            from the new model's exact initial state, on the graph Keras traced
            for it: the same result, without tracing again (`helpers.traced`).
        *args, **kwargs: everything the stock tuner takes.

    Without `dataset_fn` the class behaves as its stock tuner, except that a
    search that ran zero trials raises instead of returning silently.
    The README lists both routes.
    """

    def __init__(self, *args, dataset_fn=None, min_batch_size=None, reuse_traced_models=True, **kwargs):
        if dataset_fn is not None:
            datafn.check_callable(dataset_fn)
        if min_batch_size is not None and (not isinstance(min_batch_size, int) or min_batch_size < 1):
            raise ValueError(f"min_batch_size={min_batch_size!r} is invalid; expected an integer >= 1 or None")
        self.dataset_fn = dataset_fn
        self.min_batch_size = min_batch_size
        self._executions = fitting.ExecutionCounter()
        self._pending_seed = None
        self._traced = traced.kept_for(reuse_traced_models)
        super().__init__(*args, **kwargs)

    def _populate_initial_space(self):
        # Called by the stock constructor: declare the data hyperparameters
        # first, exactly where DatasetHyperModel.declare_hyperparameters does.
        if self.dataset_fn is not None:
            hp = self.oracle.get_space()
            datafn.declare_data_hyperparameters(self.dataset_fn, hp, datafn.DECLARE_BATCH_SIZE)
            self.oracle.update_space(hp)
        super()._populate_initial_space()

    def reload(self):
        # A distributed chief saves its oracle while the last trial it ended is still listed as ongoing,
        # and keras-tuner's reload sends every ongoing trial back for retry: a completed trial would run again.
        super().reload()
        oracle = getattr(self.oracle, "_oracle", self.oracle)
        missing = sorted(set(oracle.end_order) - set(oracle.trials))
        if missing:
            # keras-tuner numbers a new trial by the count of trials it found, so it would reuse a live id.
            raise RuntimeError(
                f"{self.project_dir} lacks the folders of ended trials {missing} (trial_<id>/trial.json); the next "
                "trial would take the id of one that exists and overwrite it. Restore them, or start a new "
                "project_name")
        oracle._retry_queue = [trial_id for trial_id in oracle._retry_queue
                               if oracle.trials[trial_id].status not in _ENDED]
        if self.dataset_fn is not None:
            _check_resumed_space(self.dataset_fn, oracle)

    def search(self, *fit_args, **fit_kwargs):
        if self.dataset_fn is not None:
            fitting.reject_data_arguments(fit_args, fit_kwargs)
            # Try the real batch size before any training starts.
            # The local space: a worker's would be one more request to its chief.
            space = getattr(self.oracle, "_oracle", self.oracle).get_space()
            batch_size = datafn.trial_batch_size(space, fit_kwargs.get("batch_size"))
            train, validation = datafn.call_dataset_fn(self.dataset_fn, space, batch_size)
            fitting.check_finite(train, validation, fit_kwargs)
        with search_lock(self.project_dir):
            super().search(*fit_args, **fit_kwargs)
        _raise_if_no_trials(self.oracle)

    def _try_run_and_update_trial(self, trial, *fit_args, **fit_kwargs):
        try:
            return super()._try_run_and_update_trial(trial, *fit_args, **fit_kwargs)
        except kt.errors.FatalError as error:
            if self.dataset_fn is not None:
                fitting.end_trial_as_failed(self, trial, error)  # stop the search, but leave no trial RUNNING
            raise

    def _build_and_fit_model(self, trial, *args, **kwargs):
        if self.dataset_fn is None:
            return super()._build_and_fit_model(trial, *args, **kwargs)
        execution = self._executions.next(trial.trial_id)
        seed = datafn.trial_seed(fitting.oracle_seed(self.oracle), trial.trial_id, execution)
        batch_size = datafn.trial_batch_size(trial.hyperparameters, kwargs.pop("batch_size", None))
        while True:
            try:
                return self._fit_once(trial, args, kwargs, seed, execution, batch_size)
            except Exception as error:
                if not datafn.is_out_of_memory(error):
                    raise
                if self.min_batch_size and batch_size and batch_size // 2 >= self.min_batch_size:
                    batch_size //= 2
                    continue
                raise kt.errors.FailedTrialError(fitting.out_of_memory_message(batch_size, error)) from error

    def _fit_once(self, trial, args, kwargs, seed, execution, batch_size):
        train, validation = self.seeded_datasets(trial.hyperparameters, batch_size, seed)
        fitting.check_finite(train, validation, kwargs)
        data, kwargs = fitting.fit_arguments(kwargs, train, validation, batch_size, self.oracle.objective)
        fitting.record_execution(self, trial, execution, seed, batch_size, kwargs)
        with self.weights_seeded(seed):
            return super()._build_and_fit_model(trial, *data, *args, **kwargs)

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

    def _try_build(self, hp):
        model = super()._try_build(hp)
        # Only a model about to train (within weights_seeded) is swapped: get_best_models() gets the model built.
        if self._pending_seed is None or self._traced is None or self.distribution_strategy is not None:
            return model
        return self._traced.reuse(model)

    def _build_hypermodel(self, hp):
        # Seed again right before the initial weights are made (after keras-tuner's clear_session).
        if self._pending_seed is not None:
            keras.utils.set_random_seed(self._pending_seed)
        return super()._build_hypermodel(hp)


class DatasetHyperband(DatasetTunerMixin, kt.Hyperband):
    """`kt.Hyperband` with `dataset_fn`. Introduced in notebook 02."""


class DatasetRandomSearch(DatasetTunerMixin, kt.RandomSearch):
    """`kt.RandomSearch` with `dataset_fn`. Introduced in notebook 02 (a solution); notebook 04 searches with it."""


class DatasetBayesianOptimization(DatasetTunerMixin, kt.BayesianOptimization):
    """`kt.BayesianOptimization` with `dataset_fn`."""


class DatasetGridSearch(DatasetTunerMixin, kt.GridSearch):
    """`kt.GridSearch` with `dataset_fn`. Introduced in notebook 08, whose learning curve is one grid search."""


def _check_resumed_space(dataset_fn, oracle):
    """Probes dataset_fn's hyperparameters as at creation, and refuses ranges that differ from the saved search's.

    keras-tuner keeps the saved space on resume, so a changed range would be
    ignored without a word; a new hyperparameter joins the space once its
    probes pass.
    """
    fresh = kt.HyperParameters()
    datafn.declare_data_hyperparameters(dataset_fn, fresh, datafn.DECLARE_BATCH_SIZE)
    saved = {h.name: h for h in oracle.get_space().space}
    for declared in fresh.space:
        kept = saved.get(declared.name)
        if kept is not None and _range_of(kept) != _range_of(declared):
            raise ValueError(
                f"dataset_fn declares {declared.name!r} as {_range_of(declared)}, but the search saved in "
                f"{oracle._project_dir} has {_range_of(kept)}; keep the saved range, or start a new project_name "
                "(or overwrite=True)")
    oracle.update_space(fresh)


def _range_of(hyperparameter):
    config = hyperparameter.get_config()
    return {k: v for k, v in sorted(config.items()) if k not in ("name", "conditions", "default")}


def _raise_if_no_trials(oracle):
    trials = getattr(oracle, "trials", None)
    if isinstance(trials, dict) and not trials:
        raise RuntimeError(
            "search() ran zero trials: the oracle stopped before its first trial. "
            "Declare at least one tunable hyperparameter in build() or dataset_fn; "
            "one declared only inside fit() is not in the search space in time"
        )
