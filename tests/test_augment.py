"""Keras augmentation layers as data hyperparameters (notebook 08): reproducible, training split only, or in the model."""

import keras
import keras_tuner as kt
import numpy as np
import pytest

import helpers
from factories import make_tuner, search

FACTORS = {"translation": 0.15, "rotation": 0.05, "zoom": 0.15}


@pytest.fixture(scope="module")
def digits():
    return helpers.digits_task(n_train=50, n_val=30)


def _batches(dataset):
    return [x.numpy() for x, _ in dataset]


def _train(digits, seed, **factors):
    augmentation = helpers.image_augmentation(**factors, seed=seed)
    return helpers.augmented_dataset(digits.x_train, digits.y_train, 16, augmentation, digits.image_shape, seed=seed)


def test_the_same_seed_gives_the_same_images_each_epoch_is_new_and_labels_stay(digits):
    first, again, other = _train(digits, 4, **FACTORS), _train(digits, 4, **FACTORS), _train(digits, 5, **FACTORS)
    epoch_1, epoch_2 = _batches(first), _batches(first)
    assert all(np.array_equal(a, b) for a, b in zip(epoch_1, _batches(again)))
    assert not np.array_equal(epoch_1[0], epoch_2[0]), "a second epoch should draw new transforms"
    assert not np.array_equal(epoch_1[0], _batches(other)[0])
    clean = helpers.train_dataset(digits.x_train, digits.y_train, 16, seed=4)
    # Same shuffle: the labels match batch for batch, and every augmented image differs from its clean one.
    for (x, y), (x_clean, y_clean) in zip(_train(digits, 4, **FACTORS), clean):
        assert np.array_equal(y.numpy(), y_clean.numpy())
        assert np.all(np.abs(x.numpy() - x_clean.numpy()).sum(axis=1) > 0)


def test_zero_factors_pass_images_through_and_bad_factors_are_named(digits):
    zero = _batches(_train(digits, 4))
    clean = _batches(helpers.train_dataset(digits.x_train, digits.y_train, 16, seed=4))
    assert all(np.allclose(a, b) for a, b in zip(zero, clean))
    for name, value in (("rotation", -0.1), ("zoom", 1.5), ("translation", float("nan"))):
        with pytest.raises(ValueError, match=rf"{name}={value!r} is invalid; expected a fraction in \[0, 1\]"):
            helpers.image_augmentation(**{name: value})
    with pytest.raises(ValueError, match=r"image_shape=\(4, 4\) does not fit samples of shape \(64,\)"):
        helpers.augmented_dataset(digits.x_train, digits.y_train, 16, helpers.image_augmentation(), (4, 4))


def test_in_the_model_the_layers_augment_while_training_and_are_the_identity_at_inference(digits):
    keras.utils.set_random_seed(0)
    model = helpers.make_digits_mlp(16, augmentation=helpers.image_augmentation(**FACTORS))
    layer = model.get_layer("augmentation")
    images = digits.x_val.reshape(-1, 8, 8, 1)
    assert np.array_equal(np.asarray(layer(images, training=False)), images)
    assert not np.array_equal(np.asarray(layer(images, training=True)), images)
    keras.utils.set_random_seed(0)
    plain = helpers.make_digits_mlp(16)
    plain.set_weights(model.get_weights()[-len(plain.get_weights()):])
    assert np.allclose(model.predict(digits.x_val, verbose=0), plain.predict(digits.x_val, verbose=0), atol=1e-6)


def test_a_search_on_augmentation_layers_declares_their_factors_and_re_runs_each_trial(digits, tmp_path):
    dataset_fn = helpers.augmentation_dataset_fn(digits)
    tuner = make_tuner("subclass", "random", tmp_path, build=lambda hp: helpers.make_digits_mlp(16), dataset_fn=dataset_fn,
                       max_trials=2, objective="val_loss")
    search(tuner, epochs=1)
    table = helpers.trials_table(tuner)
    assert set(FACTORS) <= set(table.columns) and (table["status"] == "COMPLETED").all()
    assert (table[list(FACTORS)] > 0).all().all(), "the trials should draw their own factors, not the defaults"
    for trial_id in table["trial_id"]:
        helpers.rerun_trial(tuner, trial_id)  # raises unless the score is reproduced
    hp = kt.HyperParameters()
    _, validation = dataset_fn(hp, 10)
    assert np.array_equal(np.concatenate([x.numpy() for x, _ in validation]), digits.x_val), "validation is clean"


def test_repeated_scores_take_an_augmentation_or_noise_but_not_both(digits):
    with pytest.raises(ValueError, match=r"augmentation with noise=0.5"):
        helpers.repeated_scores(digits, lambda: helpers.make_digits_mlp(16), noise=0.5,
                                augmentation=lambda seed: helpers.image_augmentation(seed=seed))
