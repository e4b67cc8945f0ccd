"""Model-building functions for the two tasks.

Introduced in notebook 01 (`build_linear_model`) and notebook 04 (`build_mlp`).
"""

from __future__ import annotations

__all__ = ["L1_SIZES", "MLP_WIDTHS", "build_linear_model", "build_mlp", "make_mlp"]

L1_SIZES = [1, 2, 4, 16, 32]
MLP_WIDTHS = [16, 64, 256]


def build_linear_model(hp):
    """Dense(L1_size, relu) → Dense(1), Adam, MSE with MAE: the original demo's model.

    Declares `L1_size` in {1, 2, 4, 16, 32}, default 2. Adam's learning rate is
    0.01 rather than Keras's default 0.001, so that the few epochs of a
    tutorial budget converge. Introduced in notebook 01.
    """
    import keras

    units = hp.Choice("L1_size", L1_SIZES, default=2)
    model = keras.Sequential(
        [keras.Input(shape=(1,)), keras.layers.Dense(units, activation="relu"), keras.layers.Dense(1)]
    )
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse", metrics=["mae"])
    return model


def make_mlp(width=256, learning_rate=0.01):
    """Two hidden relu layers of `width` units: flexible enough to fit label noise.

    Introduced in notebook 04.
    """
    import keras

    model = keras.Sequential(
        [
            keras.Input(shape=(1,)),
            keras.layers.Dense(width, activation="relu"),
            keras.layers.Dense(width, activation="relu"),
            keras.layers.Dense(1),
        ]
    )
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="mse", metrics=["mae"])
    return model


def build_mlp(hp):
    """`make_mlp` with its width as the hyperparameter `width` in {16, 64, 256}, default 64.

    Introduced in notebook 04.
    """
    return make_mlp(hp.Choice("width", MLP_WIDTHS, default=64))
