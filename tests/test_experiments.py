"""Sweeps and repeated scores train seeded models and report what notebooks 04 and 05 read."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

import helpers

FIT = dict(epochs=1, batch_size=100, passes=1)


# That validation loss against noise is U-shaped on the regularization task is asserted by notebook 04, at the
# tutorial's own budget, which make test runs.


@pytest.fixture(scope="module")
def digits():
    return helpers.digits_task()


@pytest.fixture(scope="module")
def scores(digits):
    return helpers.repeated_scores(digits, lambda: helpers.make_digits_mlp(16), repeats=2, noise=0.2, **FIT)


def test_repeated_scores_has_a_row_per_repeat_and_every_metric_on_both_splits(scores):
    assert list(scores["repeat"]) == [0, 1]
    for split in ("val", "test"):
        for metric in ("loss", "accuracy", "cross_entropy"):
            assert f"{split}_{metric}" in scores.columns
    assert scores["test_accuracy"].between(0, 1).all()
    assert scores["val_loss"].iloc[0] != scores["val_loss"].iloc[1], "repeats should differ in their seeds"


def test_repeated_scores_repeat_exactly_with_the_same_seed(digits, scores):
    again = helpers.repeated_scores(digits, lambda: helpers.make_digits_mlp(16), repeats=2, noise=0.2, **FIT)
    pd.testing.assert_frame_equal(again, scores)


def test_repeated_scores_score_the_task_s_test_split(digits, scores):
    same = dataclasses.replace(digits, x_test=digits.x_val, y_test=digits.y_val)
    mirrored = helpers.repeated_scores(same, lambda: helpers.make_digits_mlp(16), repeats=2, noise=0.2, **FIT)
    np.testing.assert_allclose(mirrored["test_loss"], mirrored["val_loss"], rtol=1e-6)
    np.testing.assert_allclose(mirrored["val_loss"], scores["val_loss"], rtol=1e-6)
    assert not np.allclose(scores["test_loss"], scores["val_loss"], rtol=1e-3)


def test_repeated_scores_needs_a_test_split(tiny_task):
    with pytest.raises(ValueError, match="task 'tiny' has no test split"):
        helpers.repeated_scores(tiny_task, lambda: None, repeats=1)


def test_noise_sweep_summarizes_the_chosen_metric_and_keeps_every_model_s_scores(digits):
    sweep = helpers.noise_sweep(digits, lambda: helpers.make_digits_mlp(16), [0.0, 0.3], repeats=2,
                                metric="cross_entropy", **FIT)
    for _, row in sweep.iterrows():
        scores = row["scores"]
        assert list(scores["repeat"]) == [0, 1] and "test_accuracy" in scores.columns
        assert row["values"] == list(scores["val_cross_entropy"])
        assert row["mean"] == pytest.approx(np.mean(row["values"]))
    same = helpers.repeated_scores(digits, lambda: helpers.make_digits_mlp(16), repeats=2, noise=0.3, **FIT)
    pd.testing.assert_frame_equal(sweep["scores"].iloc[1], same)


def test_noise_sweep_names_a_metric_the_model_does_not_report(digits):
    with pytest.raises(KeyError, match=r"metric='mae' is not reported by the model; it reports \['accuracy'"):
        helpers.noise_sweep(digits, lambda: helpers.make_digits_mlp(16), [0.0], repeats=1, metric="mae", **FIT)



def test_repeats_reuse_one_traced_model_and_score_exactly_as_fresh_models_would():
    import keras

    digits = helpers.digits_task(n_train=40, n_val=40)
    make = lambda: helpers.make_digits_mlp(16, input_noise=0.3)  # noqa: E731  a seeded noise layer too
    scores = helpers.repeated_scores(digits, make, repeats=3, epochs=2, batch_size=16, noise=0.2, seed=5)
    # Repeat 0 trains the model it traces; the others train that model, reset. The last, after two trainings,
    # must score as a fresh model trained alike.
    repeat = 2
    keras.backend.clear_session()
    keras.utils.set_random_seed(5 + repeat)
    model = make()
    model.fit(helpers.train_dataset(digits.x_train, digits.y_train, 16, noise=0.2, seed=5 + repeat), epochs=2,
              verbose=0)
    expected = model.evaluate(helpers.validation_dataset(digits.x_test, digits.y_test, 16), verbose=0,
                              return_dict=True)
    assert scores.loc[repeat, "test_loss"] == pytest.approx(expected["loss"], rel=1e-6)
    assert scores.loc[repeat, "test_accuracy"] == expected["accuracy"]
    assert scores["test_loss"].nunique() == 3, "each repeat starts from its own initial weights"


def test_a_sweep_reuses_one_traced_model_across_noise_levels_and_scores_as_fresh_models_would():
    import keras

    task = helpers.regularization_task(n_train=10, n_val=20)
    sweep = helpers.noise_sweep(task, lambda: helpers.make_mlp(8), noises=[0.0, 0.3], repeats=2, epochs=2,
                                batch_size=8, passes=2, seed=4, predict=task.x_test)
    # The sweep traces its first model and trains that one, reset, for every later noise and repeat. The last
    # of them (noise 0.3, repeat 1) comes after three trainings and differs from the first in both: a fresh
    # model trained alike must score and predict as it did.
    noise, repeat = 0.3, 1
    keras.backend.clear_session()
    keras.utils.set_random_seed(4 + repeat)
    model = helpers.make_mlp(8)
    model.fit(helpers.train_dataset(task.x_train, task.y_train, 8, noise=noise, seed=4 + repeat, passes=2),
              epochs=2, verbose=0)
    expected = model.evaluate(helpers.validation_dataset(task.x_val, task.y_val, 8), verbose=0)[0]
    last = sweep.set_index("noise").loc[noise]
    assert last["values"][repeat] == pytest.approx(expected, rel=1e-6)
    np.testing.assert_allclose(last["scores"]["predictions"][repeat], model.predict(task.x_test, verbose=0), rtol=1e-5)


def test_experiments_of_one_architecture_train_one_kept_model_across_calls():
    task = helpers.regularization_task(n_train=10, n_val=20)
    built = []

    def make():
        built.append(helpers.make_mlp(8))
        return built[-1]

    helpers.noise_sweep(task, make, noises=[0.0, 0.3], repeats=2, epochs=1, batch_size=8)
    helpers.repeated_scores(task, make, repeats=2, epochs=1, batch_size=8)
    trained = [model for model in built if int(model.optimizer.iterations) > 0]
    assert len(built) == 6 and len(trained) <= 1, "each call traced a model of its own"
