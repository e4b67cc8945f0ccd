"""tf.data pipelines whose augmentation strength is a hyperparameter: noise, pixel shifts, `noisy_dataset_fn`.

Training pipelines batch first, then augment whole batches in-graph (inside
TensorFlow's dataflow graph, not in Python) with stateless random numbers (a
pure function of an explicit seed), then prefetch. Validation data is never
augmented. Every pipeline here runs with tf.data's autotuning off
(`without_autotune`).
"""

from __future__ import annotations

import numpy as np

from helpers.checks import check_count, check_image_shape, check_non_negative, check_pair, check_probability
from helpers.tasks import DIGITS_SHAPE, Task

__all__ = ["train_dataset", "validation_dataset", "noisy_dataset_fn", "shift_pixels", "without_autotune"]

# The eight one-pixel moves (row, column); the ninth offset of a 3×3 window, (0, 0), leaves an image in place.
_MOVES = [(dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1) if (dy, dx) != (0, 0)]


def without_autotune(dataset):
    """`dataset` with tf.data's autotuning turned off; the elements are the same.

    Keras starts a new iterator over the training data every epoch, and with
    autotuning on, each iterator runs a model of the pipeline in a thread of its
    own. For pipelines as small as these, that costs more than it tunes. On a
    2-core CPU, an epoch of the regularization task (16 steps of 128, with
    validation) took 78 ms with it and 38 ms without in a process confined to
    one core, as a process is when another keeps the other core busy: with
    autotuning, the process sat idle for part of every epoch. Alone on both
    cores it took 47 ms either way. `prefetch(tf.data.AUTOTUNE)` and
    `num_parallel_calls=tf.data.AUTOTUNE` still apply, with tf.data's fixed
    defaults. Introduced in notebook 08, whose template for your own pipeline
    uses it.
    """
    import tensorflow as tf

    if not isinstance(dataset, tf.data.Dataset):
        raise TypeError(f"without_autotune got a {type(dataset).__name__}; expected a tf.data.Dataset")
    options = tf.data.Options()
    options.autotune.enabled = False
    return dataset.with_options(options)


def train_dataset(x, y, batch_size, noise=0.0, seed=0, passes=1, pixel_shift=0.0, image_shape=None):
    """Shuffled, batched training data with Gaussian noise of stddev `noise` on x.

    Each batch gets its own seed from a seeded stream that is redrawn every
    epoch, so the noise is fresh in every epoch and the same for the same
    `seed`. `passes` passes over the training set make one epoch (small
    training sets need many to make an epoch worth a Python round trip).
    Introduced in notebook 02.

    For flattened images, `pixel_shift` is the probability that an image is
    moved by one pixel (see `shift_pixels`) before the noise is added; it
    needs `image_shape`. Introduced in notebook 05.
    """
    import tensorflow as tf

    x, y = as_float32_pair(x, y, "training")
    batch_size = check_count(batch_size, "batch_size")
    noise = check_non_negative(noise, "noise")
    passes = check_count(passes, "passes")
    pixel_shift = check_probability(pixel_shift, "pixel_shift")
    if pixel_shift > 0.0:
        image_shape = check_image_shape(image_shape, x.shape[1:], needed_by=f"pixel_shift={pixel_shift!r}")
    dataset = tf.data.Dataset.from_tensor_slices((x, y))
    dataset = dataset.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    dataset = dataset.repeat(passes).batch(batch_size)
    if noise > 0.0 or pixel_shift > 0.0:
        seeds = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True).batch(2)
        dataset = tf.data.Dataset.zip(dataset, seeds).map(
            lambda batch, batch_seed: _augment(batch, batch_seed, noise, pixel_shift, image_shape),
            num_parallel_calls=tf.data.AUTOTUNE,
            deterministic=True,
        )
    return without_autotune(dataset.prefetch(tf.data.AUTOTUNE))


def validation_dataset(x, y, batch_size):
    """Batched validation data, never augmented and never shuffled.

    Introduced in notebook 02.
    """
    import tensorflow as tf

    x, y = as_float32_pair(x, y, "validation")
    batch_size = check_count(batch_size, "batch_size")
    return without_autotune(tf.data.Dataset.from_tensor_slices((x, y)).batch(batch_size))


def noisy_dataset_fn(
    task: Task,
    name: str = "aug_noise",
    min_value: float = 0.0,
    max_value: float = 2.0,
    default: float = 1.0,
    seed: int = 0,
    passes: int = 1,
):
    """A `dataset_fn(hp, batch_size) -> (train, validation)` for the tuners.

    It declares the float hyperparameter `name` in [min_value, max_value] and
    uses it as the stddev of the input noise on the training split. The
    validation dataset is built once per batch size and reused unchanged in
    every trial. The training data is shuffled and noised with `seed`, or with
    the per-trial seed that the tuners pass when they call it. Introduced in
    notebook 04.
    """
    min_value = check_non_negative(min_value, "min_value")
    max_value = check_non_negative(max_value, "max_value")
    if not min_value <= default <= max_value:
        raise ValueError(
            f"default={default!r} must lie in [min_value, max_value] = [{min_value}, {max_value}]"
        )
    passes = check_count(passes, "passes")
    validation = validation_by_batch_size(task)

    def dataset_fn(hp, batch_size, seed=seed):
        noise = hp.Float(name, min_value, max_value, default=default)
        batch_size = check_count(batch_size, "batch_size", hint="pass batch_size to search()")
        train = train_dataset(task.x_train, task.y_train, batch_size, noise=noise, seed=seed, passes=passes)
        return train, validation(batch_size)

    return dataset_fn


def validation_by_batch_size(task):
    """A function `batch_size -> task's validation dataset`, built once per batch size and then reused.

    The ready dataset functions (`noisy_dataset_fn`, `helpers.augmentation_dataset_fn`) hand every trial the
    same validation data this way.
    """
    built = {}

    def validation(batch_size):
        if batch_size not in built:
            built[batch_size] = validation_dataset(task.x_val, task.y_val, batch_size)
        return built[batch_size]

    return validation


def shift_pixels(images, seed, rate, image_shape=DIGITS_SHAPE):
    """Moves each flattened image by one pixel with probability `rate`, in-graph.

    A moved image goes one pixel in one of the eight directions (up, down,
    left, right or diagonally), chosen uniformly; the pixels it uncovers are
    zero. `images` has shape (batch, height·width) and `seed` is a stateless
    seed of shape (2,), so the same seed moves the same images the same way.
    `train_dataset(..., pixel_shift=rate)` applies it to every batch.
    """
    import tensorflow as tf

    height, width = image_shape
    batch = tf.shape(images)[0]
    padded = tf.pad(tf.reshape(images, (-1, height, width)), [[0, 0], [1, 1], [1, 1]])
    # Index 0 is the image in place, 1…8 the moves; a window starting at (1 - dy, 1 - dx) moves it by (dy, dx).
    windows = [padded[:, 1 - dy:1 - dy + height, 1 - dx:1 - dx + width] for dy, dx in [(0, 0)] + _MOVES]
    candidates = tf.reshape(tf.stack(windows, axis=1), (batch, len(windows), height * width))
    move_seed, choice_seed = tf.unstack(tf.random.experimental.stateless_split(seed, 2))
    moved = tf.random.stateless_uniform((batch,), seed=move_seed, dtype=images.dtype) < rate
    direction = tf.random.stateless_uniform((batch,), seed=choice_seed, minval=1, maxval=9, dtype=tf.int32)
    index = tf.where(moved, direction, tf.zeros_like(direction))
    return tf.gather(candidates, index, batch_dims=1)


def _augment(batch, batch_seed, stddev, pixel_shift, image_shape):
    import tensorflow as tf

    x, y = batch
    if pixel_shift > 0.0:
        x = shift_pixels(x, tf.random.experimental.stateless_fold_in(batch_seed, 1), pixel_shift, image_shape)
    if stddev > 0.0:
        x = x + tf.random.stateless_normal(tf.shape(x), seed=batch_seed, stddev=stddev, dtype=x.dtype)
    return x, y


def as_float32_pair(x, y, split):
    """`x` and `y` as float32 arrays of one split, checked to have the same, non-zero length."""
    x = np.asarray(x, dtype=np.float32)
    y = np.asarray(y, dtype=np.float32)
    check_pair(x, y, split)
    return x, y
