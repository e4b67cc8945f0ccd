"""The digits MLP regularizes as notebook 05 says, and rejects negative penalties by name."""

import math

import keras
import numpy as np
import pytest

import helpers


@pytest.fixture(scope="module")
def digits():
    return helpers.digits_task()


def test_l2_shows_in_the_loss_but_not_in_the_cross_entropy_metric(digits):
    scores = {}
    for l2 in (0.0, 1e-2):
        keras.utils.set_random_seed(0)
        model = helpers.make_digits_mlp(width=16, l2=l2)
        scores[l2] = model.evaluate(digits.x_val, digits.y_val, verbose=0, return_dict=True)
    assert scores[0.0]["loss"] == pytest.approx(scores[0.0]["cross_entropy"], rel=1e-5)
    assert scores[1e-2]["loss"] > scores[1e-2]["cross_entropy"] + 0.01
    assert scores[1e-2]["cross_entropy"] == pytest.approx(scores[0.0]["cross_entropy"], rel=1e-5)


def test_gaussian_noise_layer_is_active_in_training_only(digits):
    keras.utils.set_random_seed(0)
    model = helpers.make_digits_mlp(width=16, input_noise=0.5)
    assert isinstance(model.layers[0], keras.layers.GaussianNoise) and model.layers[0].stddev == 0.5
    x = digits.x_val[:20]
    np.testing.assert_array_equal(model(x, training=False).numpy(), model(x, training=False).numpy())
    assert not np.allclose(model(x, training=True).numpy(), model(x, training=False).numpy())
    assert not any(isinstance(layer, keras.layers.GaussianNoise) for layer in helpers.make_digits_mlp(16).layers)


@pytest.mark.parametrize("kwargs", [{"l2": -1e-3}, {"input_noise": -0.1}, {"l2": math.nan}])
def test_negative_regularization_is_rejected(kwargs):
    name, value = next(iter(kwargs.items()))
    with pytest.raises(ValueError, match=f"{name}={value!r} is invalid"):
        helpers.make_digits_mlp(**kwargs)

