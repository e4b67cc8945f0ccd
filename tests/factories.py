"""Shared test factories: a tiny task, a tiny model and tuners of every kind on both routes.

A plain module that the test files import; conftest.py holds only fixtures.
"""

import keras
import keras_tuner as kt
import numpy as np
import tensorflow as tf

import helpers

ROUTES = ["subclass", "hypermodel"]
STOCK = {
    "hyperband": kt.Hyperband,
    "random": kt.RandomSearch,
    "bayesian": kt.BayesianOptimization,
    "grid": kt.GridSearch,
}
DATASET = {
    "hyperband": helpers.DatasetHyperband,
    "random": helpers.DatasetRandomSearch,
    "bayesian": helpers.DatasetBayesianOptimization,
    "grid": helpers.DatasetGridSearch,
}
BUDGET = {
    "hyperband": {"max_epochs": 3, "factor": 3},
    "random": {"max_trials": 3},
    "bayesian": {"max_trials": 3, "num_initial_points": 2},
    "grid": {"max_trials": 3},
}
# Stock tuners that record trained epochs through the public hook, so that the
# HyperModel route can be checked the same way as the subclass route.
COUNTING_STOCK = {kind: type(f"Counting{cls.__name__}", (helpers.EpochCountMixin, cls), {})
                  for kind, cls in STOCK.items()}


def tiny_task():
    """64 training and 32 validation points of y = x on [0, 1]."""
    x_train = np.linspace(0.0, 1.0, 64, dtype=np.float32).reshape(-1, 1)
    x_val = np.linspace(0.0, 1.0, 32, dtype=np.float32).reshape(-1, 1)
    return helpers.Task("tiny", x_train, x_train.copy(), x_val, x_val.copy())


def tiny_build(hp):
    """Dense(units) → Dense(1), with `units` tunable; plain SGD, traced, the cheapest model to train in a test."""
    units = hp.Choice("units", [2, 4, 8], default=4)
    model = keras.Sequential(
        [keras.Input(shape=(1,)), keras.layers.Dense(units, activation="relu"), keras.layers.Dense(1)]
    )
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    return model


def make_tuner(route, kind, tmp_path, build=tiny_build, dataset_fn=None, seed=3, **kwargs):
    """A tuner of `kind` on the subclass route ("subclass"), the HyperModel route ("hypermodel") or stock."""
    options = dict(BUDGET[kind], objective="val_loss", seed=seed, directory=str(tmp_path),
                   project_name=f"{route}-{kind}", overwrite=True)
    options.update(kwargs)
    keras.utils.set_random_seed(seed)
    if route == "subclass":
        return DATASET[kind](build, dataset_fn=dataset_fn, **options)
    if route == "hypermodel":
        return COUNTING_STOCK[kind](helpers.DatasetHyperModel(build, dataset_fn), **options)
    if route == "stock":
        return STOCK[kind](build, **options)
    raise ValueError(f"unknown route {route!r}")


def search(tuner, epochs=2, batch_size=16, **kwargs):
    """Runs a quiet search and returns the tuner."""
    tuner.search(epochs=epochs, batch_size=batch_size, verbose=0, **kwargs)
    return tuner


class Recorder(keras.callbacks.Callback):
    """A callback whose `runs` list survives keras-tuner's deep copy of the search's callbacks."""

    def __init__(self):
        super().__init__()
        self.runs = []

    def __deepcopy__(self, memo):
        return self


class FirstWeights(Recorder):
    """Records the weights every fit() starts from."""

    def on_train_begin(self, logs=None):
        self.runs.append([w.copy() for w in self.model.get_weights()])


def assert_warm_starts_from_parents(tuner, first_weights):
    """Every Hyperband trial that continues another started from its parent's best weights (FirstWeights)."""
    trials = [tuner.oracle.get_trial(trial_id) for trial_id in sorted(tuner.oracle.trials)]
    children = [(index, trial) for index, trial in enumerate(trials) if "tuner/trial_id" in trial.hyperparameters.values]
    assert children, "no warm-started trial in this schedule"
    for index, child in children:
        parent = tuner.oracle.get_trial(child.hyperparameters.values["tuner/trial_id"])
        for started, saved in zip(first_weights.runs[index], tuner.load_model(parent).get_weights()):
            np.testing.assert_array_equal(started, saved)


class RecordingDatasetFn:
    """A dataset_fn that declares `aug_noise` and records every call."""

    def __init__(self, task, noise_max=0.5):
        self.inner = helpers.noisy_dataset_fn(task, max_value=noise_max, default=noise_max / 2)
        self.calls = []

    def __call__(self, hp, batch_size):
        train, validation = self.inner(hp, batch_size)
        self.calls.append({"noise": hp.get("aug_noise"), "batch_size": batch_size, "validation": validation})
        return train, validation


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
    """TensorFlow's out-of-memory error, as a trial would meet it."""
    return tf.errors.ResourceExhaustedError(None, None, "OOM when allocating tensor (injected by the test)")


def notebook_cells(path):
    """The cells of a committed notebook, read as JSON."""
    import json

    return json.loads(path.read_text())["cells"]


def cell_source(cell):
    """A cell's source as one string."""
    return "".join(cell["source"])
