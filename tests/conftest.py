"""Shared fixtures: a tiny task and tuner factories for both routes."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import pytest

import helpers

helpers.quiet_tensorflow()

import keras  # noqa: E402
import keras_tuner as kt  # noqa: E402
import numpy as np  # noqa: E402

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


@pytest.fixture(scope="session")
def tiny_task():
    """64 training and 32 validation points of y = x on [0, 1]."""
    x_train = np.linspace(0.0, 1.0, 64, dtype=np.float32).reshape(-1, 1)
    x_val = np.linspace(0.0, 1.0, 32, dtype=np.float32).reshape(-1, 1)
    return helpers.Task("tiny", x_train, x_train.copy(), x_val, x_val.copy())


def tiny_build(hp):
    """Dense(units) → Dense(1), with `units` tunable."""
    units = hp.Choice("units", [2, 4, 8], default=4)
    model = keras.Sequential(
        [keras.Input(shape=(1,)), keras.layers.Dense(units, activation="relu"), keras.layers.Dense(1)]
    )
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse", run_eagerly=True)
    return model


def make_tuner(route, kind, tmp_path, build=tiny_build, dataset_fn=None, seed=3, **kwargs):
    """A tuner of `kind` on the subclass route ("subclass") or the HyperModel route ("hypermodel")."""
    options = dict(BUDGET[kind], objective="val_loss", seed=seed, directory=str(tmp_path),
                   project_name=f"{route}-{kind}", overwrite=True)
    options.update(kwargs)
    keras.utils.set_random_seed(seed)
    if route == "subclass":
        return DATASET[kind](build, dataset_fn=dataset_fn, **options)
    if route == "hypermodel":
        return CountingStock[kind](helpers.DatasetHyperModel(build, dataset_fn), **options)
    if route == "stock":
        return STOCK[kind](build, **options)
    raise ValueError(f"unknown route {route!r}")


# Stock tuners that record trained epochs through the public hook, so that the
# HyperModel route can be checked the same way as the subclass route.
CountingStock = {kind: type(f"Counting{cls.__name__}", (helpers.EpochCountMixin, cls), {}) for kind, cls in STOCK.items()}
