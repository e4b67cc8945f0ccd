"""A real, offline image task and a pixel-shift augmentation for flattened images.

Introduced in notebook 05.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = ["digits_task", "shift_pixels"]

DIGITS_SHAPE = (8, 8)
# The eight one-pixel moves (row, column); the ninth offset of a 3×3 window, (0, 0), leaves an image in place.
_MOVES = [(dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1) if (dy, dx) != (0, 0)]


def digits_task(n_train: int = 200, n_val: int = 400, seed: int = 0):
    """Scikit-learn's 8×8 handwritten digits, split into small training, validation and test sets.

    The 1,797 images ship inside scikit-learn, so nothing is downloaded.
    Pixels are scaled from 0…16 to [0, 1] and flattened to 64 values; labels
    are the integers 0–9. The splits are stratified by digit and disjoint:
    `n_train` images to train on (few, so that a wide MLP overfits), `n_val`
    for the tuner's objective and every remaining image as a test split that
    no search sees. Introduced in notebook 05.
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    from helpers.data import Task, _check_count

    digits = load_digits()
    total, classes = len(digits.target), len(np.unique(digits.target))
    for value, name in ((n_train, "n_train"), (n_val, "n_val")):
        _check_count(value, name, minimum=classes, hint="one image per digit")
    if n_train + n_val > total - classes:
        raise ValueError(
            f"n_train + n_val = {n_train + n_val} leaves too few test images; expected at most {total - classes} "
            f"of the {total} digits"
        )
    x = (digits.data / 16.0).astype(np.float32)
    y = digits.target.astype(np.int32)
    x_train, x_rest, y_train, y_rest = train_test_split(x, y, train_size=n_train, stratify=y, random_state=seed)
    x_val, x_test, y_val, y_test = train_test_split(
        x_rest, y_rest, train_size=n_val, stratify=y_rest, random_state=seed
    )
    return Task(
        name="digits",
        x_train=x_train,
        y_train=y_train,
        x_val=x_val,
        y_val=y_val,
        x_test=x_test,
        y_test=y_test,
        image_shape=DIGITS_SHAPE,
        description=f"8×8 digits: {n_train} training, {n_val} validation, {len(x_test)} test images",
    )


def shift_pixels(images, seed, rate, image_shape=DIGITS_SHAPE):
    """Moves each flattened image by one pixel with probability `rate`, in-graph.

    A moved image goes one pixel in one of the eight directions (up, down,
    left, right or diagonally), chosen uniformly; the pixels it uncovers are
    zero. `images` has shape (batch, height·width) and `seed` is a stateless
    seed of shape (2,), so the same seed moves the same images the same way.
    Introduced in notebook 05.
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


def check_shift(rate, image_shape, sample_shape):
    """Checks a pixel-shift rate and the image shape it needs; returns the rate as a float."""
    if isinstance(rate, bool) or not isinstance(rate, numbers.Real) or not 0.0 <= rate <= 1.0:  # NaN fails too
        raise ValueError(f"pixel_shift={rate!r} is invalid; expected a probability in [0, 1]")
    if rate == 0.0:
        return 0.0
    if image_shape is None:
        raise ValueError(f"pixel_shift={rate!r} needs image_shape, the (height, width) of the flattened images")
    shape = tuple(image_shape)
    if len(shape) != 2 or math.prod(shape) != math.prod(sample_shape) or len(sample_shape) != 1:
        raise ValueError(
            f"image_shape={shape!r} does not fit samples of shape {tuple(sample_shape)}; expected (height, width) "
            "with height·width equal to the length of each flattened image"
        )
    return float(rate)
