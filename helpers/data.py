"""Tasks and tf.data pipelines whose augmentation strength is a hyperparameter.

Introduced in notebook 01 (the tasks) and notebook 02 (the dataset function).
"""

from __future__ import annotations

import dataclasses
import math
import numbers

import numpy as np

__all__ = [
    "Task",
    "linear_task",
    "regularization_task",
    "train_dataset",
    "validation_dataset",
    "noisy_dataset_fn",
]


@dataclasses.dataclass(frozen=True)
class Task:
    """Training and validation arrays, and optionally a held-out test split.

    The toy regression tasks have arrays of shape (n, 1) and no test split.
    An image task (`helpers.digits_task`) has flattened images, a test split
    that no search may see, and `image_shape`, which the pixel-shift
    augmentation needs. Introduced in notebook 01; the test split and
    `image_shape` in notebook 05.
    """

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_val: np.ndarray
    y_val: np.ndarray
    description: str = ""
    x_test: np.ndarray | None = None
    y_test: np.ndarray | None = None
    image_shape: tuple | None = None

    def __post_init__(self):
        _check_pair(self.x_train, self.y_train, "training")
        _check_pair(self.x_val, self.y_val, "validation")
        if (self.x_test is None) != (self.y_test is None):
            raise ValueError("give both x_test and y_test, or neither")
        if self.x_test is not None:
            _check_pair(self.x_test, self.y_test, "test")


def linear_task() -> Task:
    """The original demo: y = 0.1·x + 0.2, x = 0…9999 (train) and 0…999 (val).

    x is given in thousands and y in hundreds, so that both lie in [0, 10) and
    y_scaled = x_scaled + 0.002. Noise with stddev 1 therefore blurs x by
    1,000 original units. Introduced in notebook 01.
    """
    x_train = np.arange(10_000, dtype=np.float64)
    x_val = np.arange(1_000, dtype=np.float64)
    return Task(
        name="linear",
        x_train=_column(x_train / 1000.0),
        y_train=_column((0.1 * x_train + 0.2) / 100.0),
        x_val=_column(x_val / 1000.0),
        y_val=_column((0.1 * x_val + 0.2) / 100.0),
        description="y = 0.1·x + 0.2; x in thousands, y in hundreds",
    )


def regularization_task(n_train: int = 20, n_val: int = 500, label_noise: float = 0.5, seed: int = 0) -> Task:
    """A few noisy samples of a smooth curve, and a dense clean validation grid.

    y = sin(3x) on x in [-1, 1]. A wide MLP fits the label noise of the small
    training set unless the inputs are blurred, so validation loss against
    input noise is U-shaped. Introduced in notebook 01, used in notebook 04.
    """
    _check_count(n_train, "n_train", minimum=2)
    _check_count(n_val, "n_val", minimum=2)
    _check_stddev(label_noise, "label_noise")
    rng = np.random.default_rng(seed)
    x_train = np.sort(rng.uniform(-1.0, 1.0, size=n_train))
    y_train = np.sin(3.0 * x_train) + rng.normal(0.0, label_noise, size=n_train)
    x_val = np.linspace(-1.0, 1.0, n_val)
    return Task(
        name="regularization",
        x_train=_column(x_train),
        y_train=_column(y_train),
        x_val=_column(x_val),
        y_val=_column(np.sin(3.0 * x_val)),
        description=f"y = sin(3x) + N(0, {label_noise}²), {n_train} training points",
    )


def train_dataset(x, y, batch_size, noise=0.0, seed=0, repeats=1, pixel_shift=0.0, image_shape=None):
    """Shuffled, batched training data with Gaussian noise of stddev `noise` on x.

    The pipeline batches first, then augments a whole batch in-graph with
    stateless RNGs, then prefetches. Each batch gets its own seed from a
    seeded stream that is redrawn every epoch, so the noise is fresh in every
    epoch and the same for the same `seed`. `repeats` passes over the
    training set make one epoch. Introduced in notebook 02.

    For flattened images, `pixel_shift` is the probability that an image is
    moved by one pixel (see `helpers.shift_pixels`) before the noise is
    added; it needs `image_shape`. Introduced in notebook 05.
    """
    import tensorflow as tf

    from helpers.images import check_shift

    x, y = _as_float32_pair(x, y, "training")
    batch_size = _check_count(batch_size, "batch_size")
    noise = _check_stddev(noise, "noise")
    repeats = _check_count(repeats, "repeats")
    pixel_shift = check_shift(pixel_shift, image_shape, x.shape[1:])
    dataset = tf.data.Dataset.from_tensor_slices((x, y))
    dataset = dataset.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    dataset = dataset.repeat(repeats).batch(batch_size)
    if noise > 0.0 or pixel_shift > 0.0:
        seeds = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True).batch(2)
        dataset = tf.data.Dataset.zip(dataset, seeds).map(
            lambda batch, batch_seed: _augment(batch, batch_seed, noise, pixel_shift, image_shape),
            num_parallel_calls=tf.data.AUTOTUNE,
            deterministic=True,
        )
    return dataset.prefetch(tf.data.AUTOTUNE)


def validation_dataset(x, y, batch_size):
    """Batched validation data, never augmented and never shuffled.

    Introduced in notebook 02.
    """
    import tensorflow as tf

    x, y = _as_float32_pair(x, y, "validation")
    batch_size = _check_count(batch_size, "batch_size")
    return tf.data.Dataset.from_tensor_slices((x, y)).batch(batch_size)


def noisy_dataset_fn(
    task: Task,
    name: str = "aug_noise",
    min_value: float = 0.0,
    max_value: float = 2.0,
    default: float = 1.0,
    seed: int = 0,
    repeats: int = 1,
):
    """A `dataset_fn(hp, batch_size) -> (train, validation)` for the tuners.

    It declares the float hyperparameter `name` in [min_value, max_value] and
    uses it as the stddev of the input noise on the training split. The
    validation dataset is built once per batch size and reused unchanged in
    every trial. The training data is shuffled and noised with `seed`, or with
    the per-trial seed that the tuners pass when they call it. Introduced in
    notebook 02.
    """
    min_value = _check_stddev(min_value, "min_value")
    max_value = _check_stddev(max_value, "max_value")
    if not min_value <= default <= max_value:
        raise ValueError(
            f"default={default!r} must lie in [min_value, max_value] = [{min_value}, {max_value}]"
        )
    repeats = _check_count(repeats, "repeats")
    validation_by_batch_size = {}

    def dataset_fn(hp, batch_size, seed=seed):
        noise = hp.Float(name, min_value, max_value, default=default)
        batch_size = _check_count(batch_size, "batch_size", hint="pass batch_size to search()")
        if batch_size not in validation_by_batch_size:
            validation_by_batch_size[batch_size] = validation_dataset(task.x_val, task.y_val, batch_size)
        train = train_dataset(task.x_train, task.y_train, batch_size, noise=noise, seed=seed, repeats=repeats)
        return train, validation_by_batch_size[batch_size]

    return dataset_fn


def _augment(batch, batch_seed, stddev, pixel_shift, image_shape):
    import tensorflow as tf

    from helpers.images import shift_pixels

    x, y = batch
    if pixel_shift > 0.0:
        x = shift_pixels(x, tf.random.experimental.stateless_fold_in(batch_seed, 1), pixel_shift, image_shape)
    if stddev > 0.0:
        x = x + tf.random.stateless_normal(tf.shape(x), seed=batch_seed, stddev=stddev, dtype=x.dtype)
    return x, y


def _column(values):
    return np.asarray(values, dtype=np.float32).reshape(-1, 1)


def _as_float32_pair(x, y, split):
    x = np.asarray(x, dtype=np.float32)
    y = np.asarray(y, dtype=np.float32)
    _check_pair(x, y, split)
    return x, y


def _check_pair(x, y, split):
    if len(x) != len(y):
        raise ValueError(f"{split} arrays differ in length: len(x)={len(x)} but len(y)={len(y)}; expected equal lengths")
    if len(x) == 0:
        raise ValueError(f"{split} arrays are empty; expected at least one sample")


def _check_count(value, what, minimum=1, hint=""):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        extra = f" ({hint})" if hint else ""
        raise ValueError(f"{what}={value!r} is invalid; expected an integer >= {minimum}{extra}")
    return int(value)


def _check_stddev(value, what):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) or value < 0:
        raise ValueError(f"{what}={value!r} is invalid; expected a finite number >= 0")
    return float(value)
