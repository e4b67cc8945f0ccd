"""The tasks: generated toy regressions and scikit-learn's 8×8 digits, all offline.

A `Task` holds training and validation arrays, and optionally a test split
that no search sees.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from helpers.checks import check_count, check_non_negative, check_pair

__all__ = ["Task", "DIGITS_SHAPE", "linear_task", "regularization_task", "digits_task"]

# The (height, width) of scikit-learn's digits, which digits_task flattens to 64 values.
DIGITS_SHAPE = (8, 8)


@dataclasses.dataclass(frozen=True)
class Task:
    """Training and validation arrays, and optionally a held-out test split.

    The toy regression tasks have arrays of shape (n, 1); the linear task has no test split.
    An image task (`digits_task`) has flattened images, a test split that no
    search may see, and `image_shape`, which the pixel-shift augmentation
    needs. Returned by every task function of this module.
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
        check_pair(self.x_train, self.y_train, "training")
        check_pair(self.x_val, self.y_val, "validation")
        if (self.x_test is None) != (self.y_test is None):
            raise ValueError("give both x_test and y_test, or neither")
        if self.x_test is not None:
            check_pair(self.x_test, self.y_test, "test")


def linear_task() -> Task:
    """The original demo: y = 0.1·x + 0.2, x = 0…9999 (train) and 0…999 (val).

    x is given in thousands and y in hundreds, so that x lies in [0, 10) and
    y in [0.002, 10.001], with y_scaled = x_scaled + 0.002. Noise with stddev
    1 therefore blurs x by 1,000 original units. Introduced in notebook 01.
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


def regularization_task(n_train: int = 20, n_val: int = 500, label_noise: float = 0.5, seed: int = 0,
                        n_test: int = 200) -> Task:
    """A few noisy samples of a smooth curve, a dense clean validation grid, and held-out test points.

    y = sin(3x) on x in [-1, 1]. A wide MLP fits the label noise of the small
    training set unless the inputs are blurred, so validation loss against
    input noise is U-shaped. The `n_test` test points lie on the clean curve at
    random places of [-1, 1], drawn apart from the training points; no search
    sees them, so they judge the models that a search chose on the validation
    grid. Introduced in notebook 04.
    """
    check_count(n_train, "n_train", minimum=2)
    check_count(n_val, "n_val", minimum=2)
    check_count(n_test, "n_test", minimum=2)
    check_non_negative(label_noise, "label_noise")
    rng = np.random.default_rng(seed)
    x_train = np.sort(rng.uniform(-1.0, 1.0, size=n_train))
    y_train = np.sin(3.0 * x_train) + rng.normal(0.0, label_noise, size=n_train)
    x_val = np.linspace(-1.0, 1.0, n_val)
    x_test = np.sort(np.random.default_rng([seed, 1]).uniform(-1.0, 1.0, size=n_test))
    return Task(
        name="regularization",
        x_train=_column(x_train),
        y_train=_column(y_train),
        x_val=_column(x_val),
        y_val=_column(np.sin(3.0 * x_val)),
        description=f"y = sin(3x) + N(0, {label_noise}²), {n_train} training points, {n_test} test points",
        x_test=_column(x_test),
        y_test=_column(np.sin(3.0 * x_test)),
    )


def digits_task(n_train: int = 200, n_val: int = 400, seed: int = 0) -> Task:
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

    digits = load_digits()
    total, classes = len(digits.target), len(np.unique(digits.target))
    for value, name in ((n_train, "n_train"), (n_val, "n_val")):
        check_count(value, name, minimum=classes, hint="one image per digit")
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


def _column(values):
    return np.asarray(values, dtype=np.float32).reshape(-1, 1)
