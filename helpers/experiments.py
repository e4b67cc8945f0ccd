"""Experiments that train outside a search: grid sweeps over the noise level, and repeated scores.

Each trains fresh models on seeded repeats and returns a table of their
validation (and test) metrics; `helpers.results` shows such tables.
"""

from __future__ import annotations

from helpers import traced
from helpers.augment import augmented_dataset
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
    rows = []
    for noise in noises:
        scores = _scores_by_repeat(task, make_model, repeats, epochs, batch_size, noise, 0.0, passes, seed, predict)
        if f"val_{metric}" not in scores.columns:
            reported = [name.removeprefix("val_") for name in scores.columns if name.startswith("val_")]
            raise KeyError(f"metric={metric!r} is not reported by the model; it reports {reported}")
        values = [float(value) for value in scores[f"val_{metric}"]]
        rows.append({"noise": noise, "mean": float(np.mean(values)), "std": float(np.std(values)), "values": values,
                     "scores": scores})
    return pd.DataFrame(rows)


def repeated_scores(task, make_model, repeats=3, epochs=10, batch_size=64, noise=0.0, pixel_shift=0.0,
                    passes=1, seed=0, augmentation=None):
    """Trains `make_model()` `repeats` times on one setting and scores each model on validation and test.

    Seeds as in `noise_sweep`, so two settings compared with the same `seed`
    share initial weights wherever their models have the same shapes. Returns
    a DataFrame with one row per repeat: `repeat`, then every metric the
    model reports on each split, prefixed `val_` and `test_` (`val_loss`,
    `test_loss`, `test_accuracy`, ...).
    The task needs a test split. Introduced in notebook 05.

    `augmentation(seed)`, if given, returns a Keras layer, such as
    `helpers.image_augmentation(..., seed=seed)`, that augments the training
    images in the pipeline (`helpers.augmented_dataset`) instead of noise and
    shifts; it gets the repeat's data seed. Introduced in notebook 08.
    """
    if task.x_test is None:
        raise ValueError(f"task {task.name!r} has no test split; expected a task with x_test and y_test")
    if augmentation is not None and (noise or pixel_shift):
        raise ValueError(f"augmentation with noise={noise!r} or pixel_shift={pixel_shift!r}; expected one of them")
    return _scores_by_repeat(task, make_model, repeats, epochs, batch_size, noise, pixel_shift, passes, seed,
                             augmentation=augmentation)


def _scores_by_repeat(task, make_model, repeats, epochs, batch_size, noise, pixel_shift, passes, seed, predict=None,
                      augmentation=None):
    """The scores of every repeat. One traced model serves every repeat of an architecture (`helpers.traced`)."""
    import keras
    import pandas as pd

    check_count(repeats, "repeats")
    splits = {"val": validation_dataset(task.x_val, task.y_val, batch_size)}
    if task.x_test is not None:
        splits["test"] = validation_dataset(task.x_test, task.y_test, batch_size)
    rows = []
    keras.backend.clear_session()
    for repeat in range(repeats):
        keras.utils.set_random_seed(seed + repeat)
        model = traced.shared().reuse(make_model())
        if augmentation is None:
            train = train_dataset(task.x_train, task.y_train, batch_size, noise=noise, seed=seed + repeat,
                                  passes=passes, pixel_shift=pixel_shift, image_shape=task.image_shape)
        else:
            train = augmented_dataset(task.x_train, task.y_train, batch_size, augmentation(seed + repeat),
                                      task.image_shape, seed=seed + repeat, passes=passes)
        model.fit(train, epochs=epochs, verbose=0, shuffle=False)
        row = {"repeat": repeat}
        for split, dataset in splits.items():
            scores = model.evaluate(dataset, verbose=0, return_dict=True)
            row.update({f"{split}_{name}": float(value) for name, value in scores.items()})
        if predict is not None:
            row["predictions"] = model.predict(predict, batch_size=batch_size, verbose=0)
        rows.append(row)
    return pd.DataFrame(rows)
