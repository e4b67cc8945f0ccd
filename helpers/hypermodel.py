"""The public-API route: a HyperModel whose `fit()` builds each trial's datasets from its hyperparameters.

`DatasetHyperModel` works with any stock tuner through the documented
`HyperModel.fit(hp, model, *args, **kwargs)` hook, with the same
`dataset_fn(hp, batch_size) -> (train, validation)` contract, seeding and
records as the subclass route in `helpers.tuners`.
"""

from __future__ import annotations

import keras
import keras_tuner as kt

from helpers import datafn, fitting, traced

__all__ = ["DatasetHyperModel"]


class DatasetHyperModel(kt.HyperModel):
    """A HyperModel whose `fit()` builds the datasets from `hp`: the public-API route.

    Args:
        hypermodel: a model-building function `build(hp)` or a `kt.HyperModel`;
            its own `fit()` is used when it has one.
        dataset_fn: `dataset_fn(hp, batch_size) -> (train, validation)`.
        reuse_traced_models: when True (the default), a trial whose model has
            the architecture of an earlier trial's trains that model, restarted
            from the new model's exact initial state, on the graph Keras traced
            for it: the same result, without tracing again (`helpers.traced`).

    Use it with any stock tuner, and call `search()` without data:
    `tuner.search(epochs=..., batch_size=...)`. Introduced in notebook 03.
    """

    def __init__(self, hypermodel, dataset_fn, name=None, tunable=True, reuse_traced_models=True):
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
        self._executions = fitting.ExecutionCounter()
        # Until one execution has trained, a dataset_fn error stops the search (as the subclass route's
        # check when search() starts does); afterwards it fails only its trial.
        self._trained = False
        self._traced = traced.kept_for(reuse_traced_models)

    def build(self, hp):
        return self.hypermodel.build(hp)

    def declare_hyperparameters(self, hp):
        datafn.declare_data_hyperparameters(self.dataset_fn, hp, datafn.DECLARE_BATCH_SIZE)
        self.hypermodel.declare_hyperparameters(hp)

    def fit(self, hp, model, *args, **kwargs):
        fitting.reject_data_arguments(args, kwargs)
        tuner, trial = _tuner_and_trial(kwargs.get("callbacks"))
        search_batch_size = kwargs.pop("batch_size", None)
        if trial is None:  # called outside a search: no seeding, no record
            batch_size = datafn.trial_batch_size(hp, search_batch_size)
            data, kwargs = fitting.fit_arguments(kwargs, *datafn.call_dataset_fn(self.dataset_fn, hp, batch_size),
                                                 batch_size)
            return self.hypermodel.fit(hp, model, *data, **kwargs)
        execution = self._executions.next(trial.trial_id)
        seed = datafn.trial_seed(fitting.oracle_seed(tuner.oracle), trial.trial_id, execution)
        batch_size = search_batch_size
        try:
            batch_size = datafn.trial_batch_size(hp, search_batch_size)
            train, validation = self.seeded_datasets_and_weights(hp, model, batch_size, seed)
            fitting.check_finite(train, validation, kwargs)
            data, kwargs = fitting.fit_arguments(kwargs, train, validation, batch_size, tuner.oracle.objective)
            fitting.record_execution(tuner, trial, execution, seed, batch_size, kwargs)
            self._trained = True
            if self._traced is not None and getattr(tuner, "distribution_strategy", None) is None:
                model = self._traced.reuse(model)
            return self.hypermodel.fit(hp, model, *data, **kwargs)
        except kt.errors.FatalError as error:
            fitting.end_trial_as_failed(tuner, trial, error)  # stop the search, but leave no trial RUNNING
            raise
        except Exception as error:
            if datafn.is_out_of_memory(error):
                raise kt.errors.FailedTrialError(fitting.out_of_memory_message(batch_size, error)) from error
            raise

    def seeded_datasets_and_weights(self, hp, model, batch_size, seed):
        """Seeds, builds the datasets, then seeds again and gives `model` fresh initial weights.

        A Hyperband trial that continues another keeps the weights it was
        warm-started with. This is the order the subclass route follows, so
        both routes train the same trial identically. Returns (train, validation).
        """
        train, validation = datafn.seeded_call(self.dataset_fn, hp, batch_size, seed, in_trial=self._trained)
        if "tuner/trial_id" not in hp.values:
            keras.utils.set_random_seed(seed)
            model.set_weights(self.hypermodel.build(hp).get_weights())
        return train, validation


def _tuner_and_trial(callbacks):
    # keras-tuner adds a callback that holds the tuner and the trial to every fit() of a search.
    for callback in callbacks or []:
        if hasattr(callback, "tuner") and hasattr(callback, "trial"):
            return callback.tuner, callback.trial
    return None, None
