"""Experiments that train outside a search: grid sweeps over the noise level, and repeated scores.

Each trains fresh models on seeded repeats and returns a table of their
validation (and test) metrics; `helpers.results` shows such tables.
"""

from __future__ import annotations

from helpers.checks import check_count
from helpers.pipelines import train_dataset, validation_dataset

__all__ = ["noise_sweep", "repeated_scores"]


def noise_sweep(task, make_model, noises, repeats=3, epochs=10, batch_size=64, passes=1, seed=0,
                metric="loss", predict=None):
    """Trains `make_model()` at every noise level, `repeats` times, and reports a validation metric.

    Repeat r uses `keras.utils.set_random_seed(seed + r)` and the data seed
    `seed + r`, so every noise level sees the same initial weights and noise
    stream within a repeat. Returns a DataFrame with one row per noise level:
    `noise`, then the `mean`, `std` and per-repeat `values` of the
    validation `metric`, and `scores`, that level's `repeated_scores` table
    (test scores included when the task has a test split). With `predict`, an
    array of inputs, `scores` also keeps each model's `predictions` there.
    Introduced in notebook 04; `metric` and `scores` in notebook 05.
    """
    import numpy as np
    import pandas as pd

    noises = [float(noise) for noise in noises]
    if not noises:
        raise ValueError("noises is empty; expected at least one noise level")
    rows, model = [], None
    for noise in noises:  # one traced model serves every noise level and repeat (see `_restarted`)
        scores, model = _scores_by_repeat(task, make_model, repeats, epochs, batch_size, noise, 0.0, passes, seed,
                                          model, predict)
        if f"val_{metric}" not in scores.columns:
            reported = [name.removeprefix("val_") for name in scores.columns if name.startswith("val_")]
            raise KeyError(f"metric={metric!r} is not reported by the model; it reports {reported}")
        values = [float(value) for value in scores[f"val_{metric}"]]
        rows.append({"noise": noise, "mean": float(np.mean(values)), "std": float(np.std(values)), "values": values,
                     "scores": scores})
    return pd.DataFrame(rows)


def repeated_scores(task, make_model, repeats=3, epochs=10, batch_size=64, noise=0.0, pixel_shift=0.0,
                    passes=1, seed=0):
    """Trains `make_model()` `repeats` times on one setting and scores each model on validation and test.

    Seeds as in `noise_sweep`, so two settings compared with the same `seed`
    share initial weights wherever their models have the same shapes. Returns
    a DataFrame with one row per repeat: `repeat`, then every metric the
    model reports on each split, prefixed `val_` and `test_` (`val_loss`,
    `test_loss`, `test_accuracy`, ...).
    The task needs a test split. Introduced in notebook 05.
    """
    if task.x_test is None:
        raise ValueError(f"task {task.name!r} has no test split; expected a task with x_test and y_test")
    return _scores_by_repeat(task, make_model, repeats, epochs, batch_size, noise, pixel_shift, passes, seed)[0]


def _scores_by_repeat(task, make_model, repeats, epochs, batch_size, noise, pixel_shift, passes, seed, model=None,
                      predict=None):
    """The scores of every repeat, and the traced model that the next call may reuse."""
    import keras
    import pandas as pd

    check_count(repeats, "repeats")
    splits = {"val": validation_dataset(task.x_val, task.y_val, batch_size)}
    if task.x_test is not None:
        splits["test"] = validation_dataset(task.x_test, task.y_test, batch_size)
    rows = []
    if model is None:
        keras.backend.clear_session()
    for repeat in range(repeats):
        keras.utils.set_random_seed(seed + repeat)
        model = _restarted(model, make_model())
        train = train_dataset(task.x_train, task.y_train, batch_size, noise=noise, seed=seed + repeat,
                              passes=passes, pixel_shift=pixel_shift, image_shape=task.image_shape)
        model.fit(train, epochs=epochs, verbose=0, shuffle=False)
        row = {"repeat": repeat}
        for split, dataset in splits.items():
            scores = model.evaluate(dataset, verbose=0, return_dict=True)
            row.update({f"{split}_{name}": float(value) for name, value in scores.items()})
        if predict is not None:
            row["predictions"] = model.predict(predict, batch_size=batch_size, verbose=0)
        rows.append(row)
    return pd.DataFrame(rows), model


def _restarted(model, fresh):
    """`model` set to the initial state of `fresh`, a new model of the same architecture; else `fresh` itself.

    Every variable of the model (weights and noise-layer seed states) and of its optimizer (step count,
    learning rate, zeroed slots) takes `fresh`'s value, so training `model` again gives what training `fresh`
    would, while it reuses the graph that Keras traced for `model`. Tracing costs about a second per model
    here, and each traced model keeps about 6 MB of the process's memory for good (TensorFlow 2.21), which
    adds up over the dozens of models of notebooks 04 and 05.
    """
    if model is None or type(model.optimizer) is not type(fresh.optimizer):
        return fresh
    fresh.optimizer.build(fresh.trainable_variables)
    pairs = list(zip(model.variables, fresh.variables)) + list(zip(model.optimizer.variables,
                                                                    fresh.optimizer.variables))
    if (len(model.variables), len(model.optimizer.variables)) != (len(fresh.variables),
                                                                  len(fresh.optimizer.variables)):
        return fresh
    if any(target.shape != source.shape or target.dtype != source.dtype for target, source in pairs):
        return fresh
    for target, source in pairs:
        target.assign(source)
    return model
