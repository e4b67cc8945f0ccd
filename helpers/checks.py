"""Argument checks that name the bad value and what was expected.

Every module of the package checks its arguments through these, so a mistake
gets the same kind of message wherever it is made.
"""

from __future__ import annotations

import math
import numbers

__all__ = ["check_flag", "check_count", "check_non_negative", "check_probability", "check_pair", "check_image_shape",
           "check_directory"]


def check_flag(value, what):
    """Returns `value` if it is True or False; raises ValueError naming it otherwise ("no" and 0 included)."""
    if not isinstance(value, bool):
        raise ValueError(f"{what}={value!r} is invalid; expected True or False")
    return value


def check_count(value, what, minimum=1, hint=""):
    """Returns `value` as an int if it is an integer >= `minimum`; raises ValueError naming it otherwise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        extra = f" ({hint})" if hint else ""
        raise ValueError(f"{what}={value!r} is invalid; expected an integer >= {minimum}{extra}")
    return int(value)


def check_non_negative(value, what):
    """Returns `value` as a float if it is a finite number >= 0 (a stddev, a penalty); raises ValueError otherwise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) or value < 0:
        raise ValueError(f"{what}={value!r} is invalid; expected a finite number >= 0")
    return float(value)


def check_probability(value, what, expected="a probability"):
    """Returns `value` as a float if it lies in [0, 1]; raises ValueError naming it otherwise (NaN included).

    `expected` names what the value is in the message: "a fraction" for an augmentation factor.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0.0 <= value <= 1.0:
        raise ValueError(f"{what}={value!r} is invalid; expected {expected} in [0, 1]")
    return float(value)


def check_pair(x, y, split):
    """Raises ValueError unless the arrays `x` and `y` of a split have the same, non-zero length."""
    if len(x) != len(y):
        raise ValueError(f"{split} arrays differ in length: len(x)={len(x)} but len(y)={len(y)}; expected equal lengths")
    if len(x) == 0:
        raise ValueError(f"{split} arrays are empty; expected at least one sample")


def check_image_shape(image_shape, sample_shape, needed_by):
    """Returns `image_shape` as a tuple if (height, width) fits flattened samples of `sample_shape`."""
    if image_shape is None:
        raise ValueError(f"{needed_by} needs image_shape, the (height, width) of the flattened images")
    shape = tuple(image_shape)
    if len(shape) != 2 or len(sample_shape) != 1 or math.prod(shape) != math.prod(sample_shape):
        raise ValueError(
            f"image_shape={shape!r} does not fit samples of shape {tuple(sample_shape)}; expected (height, width) "
            "with height·width equal to the length of each flattened image"
        )
    return shape


def check_directory(path, what="directory"):
    """Returns `path` if it names a folder that exists and is writable, or can be made; raises ValueError otherwise."""
    import os

    text = os.fspath(path) if path is not None else ""
    if not str(text).strip():
        raise ValueError(f"{what}={path!r} is invalid; expected the path of a folder")
    existing = text
    while not os.path.exists(existing):  # the nearest part of the path that exists must be a writable folder
        parent = os.path.dirname(os.path.abspath(existing))
        if parent == os.path.abspath(existing):
            break
        existing = parent
    if not os.path.isdir(existing):
        raise ValueError(f"{what}={text!r} is invalid: {existing!r} is a file; expected a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ValueError(f"{what}={text!r} is invalid: {existing!r} is not writable")
    return text
