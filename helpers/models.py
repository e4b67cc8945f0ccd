"""Model-building functions: `build_*(hp)` for a search, `make_*(...)` for a fixed model.

One model per task: the linear task's small net, the regularization task's
MLP and the digits classifier.
"""

from __future__ import annotations

from helpers.checks import check_image_shape, check_non_negative
from helpers.tasks import DIGITS_SHAPE

__all__ = ["L1_SIZES", "MLP_WIDTHS", "build_linear_model", "build_mlp", "make_mlp", "make_digits_mlp"]

# The original demo's search space for the linear model's width, and the MLP's widths.
L1_SIZES = [1, 2, 4, 16, 32]
MLP_WIDTHS = [16, 64, 256]


def build_linear_model(hp):
    """Dense(L1_size, relu) → Dense(1), Adam, MSE with MAE: the original demo's model.

    Declares `L1_size` in {1, 2, 4, 16, 32}, default 2. Adam's learning rate is
    0.01 rather than Keras's default 0.001, so that the few epochs of a
    tutorial budget converge. Introduced in notebook 01, where it is written out.
    """
    import keras

    units = hp.Choice("L1_size", L1_SIZES, default=2)
    model = keras.Sequential(
        [keras.Input(shape=(1,)), keras.layers.Dense(units, activation="relu"), keras.layers.Dense(1)]
    )
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse", metrics=["mae"])
    return model


# Training steps per call into TensorFlow for the small models of notebooks 04 to 07 (see `make_mlp`).
STEPS_PER_EXECUTION = 32


def make_mlp(width=256, learning_rate=0.01):
    """Two hidden relu layers of `width` units: flexible enough to fit label noise.

    Compiled with `steps_per_execution=STEPS_PER_EXECUTION`: Keras runs that many training steps per call
    into TensorFlow, which gives the same weights as one step per call, faster for a model this small.
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
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="mse", metrics=["mae"],
                  steps_per_execution=STEPS_PER_EXECUTION)
    return model


def build_mlp(hp):
    """`make_mlp` with its width as the hyperparameter `width` in {16, 64, 256}, default 64.

    Introduced in notebook 04.
    """
    return make_mlp(hp.Choice("width", MLP_WIDTHS, default=64))


def make_digits_mlp(width=128, l2=0.0, input_noise=0.0, learning_rate=0.004, pixels=64, classes=10,
                    augmentation=None, image_shape=DIGITS_SHAPE):
    """Two hidden relu layers of `width` units and a softmax over the digits.

    `l2` adds the weight penalty l2·Σw² of every hidden and output kernel to
    the loss. `input_noise` puts a `keras.layers.GaussianNoise` layer of that
    stddev in front of the first layer: noise inside the model instead of in
    the data pipeline, active only while training. Compiled with Adam,
    sparse categorical cross-entropy, accuracy and a `cross_entropy` metric:
    Keras adds the L2 penalty to the reported loss, on validation and test data
    too, so compare models with and without `l2` on `cross_entropy`. Compiled with
    `steps_per_execution` as `make_mlp` is. Introduced in notebook 05.

    `augmentation`, a Keras layer such as `helpers.image_augmentation(...)`,
    goes in front of everything else: the flat pixels are reshaped to
    `image_shape` + (1,), augmented and flattened again, in every training
    step; Keras's random layers pass images through unchanged at inference.
    Introduced in notebook 08.
    """
    import keras

    l2, input_noise = check_non_negative(l2, "l2"), check_non_negative(input_noise, "input_noise")
    regularizer = keras.regularizers.L2(l2) if l2 > 0.0 else None
    layers = [keras.Input(shape=(pixels,))]
    if augmentation is not None:
        rows, columns = check_image_shape(image_shape, (pixels,), needed_by="augmentation")
        layers += [keras.layers.Reshape((rows, columns, 1)), augmentation, keras.layers.Reshape((pixels,))]
    if input_noise > 0.0:
        layers.append(keras.layers.GaussianNoise(input_noise))
    layers += [keras.layers.Dense(width, activation="relu", kernel_regularizer=regularizer) for _ in range(2)]
    layers.append(keras.layers.Dense(classes, activation="softmax", kernel_regularizer=regularizer))
    model = keras.Sequential(layers)
    metrics = ["accuracy", keras.metrics.SparseCategoricalCrossentropy(name="cross_entropy")]
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy",
                  metrics=metrics, steps_per_execution=STEPS_PER_EXECUTION)
    return model
