"""Test scores, the comparison table and the trials-over-sweep plot that notebooks 04 and 05 show."""

import dataclasses

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import helpers  # noqa: E402
from conftest import make_tuner, tiny_build  # noqa: E402

FIT = dict(epochs=1, batch_size=100, repeats_per_epoch=1)


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


def test_scores_table_shows_mean_and_spread_per_method():
    frames = {"a": pd.DataFrame({"test_loss": [1.0, 3.0]}), "b": pd.DataFrame({"test_loss": [0.5, 0.5]})}
    table = helpers.scores_table(frames, columns=["test_loss"])
    assert list(table.index) == ["a", "b"]
    assert table.loc["a", "test_loss"] == "2.000 ± 1.000"
    assert table.loc["b", "test_loss"] == "0.500 ± 0.000"
    with pytest.raises(KeyError, match="'a' has no column 'test_accuracy'"):
        helpers.scores_table(frames, columns=["test_accuracy"])


@pytest.fixture(scope="module")
def two_hyperparameter_search(tiny_task, tmp_path_factory):
    dataset_fn = helpers.noisy_dataset_fn(tiny_task, max_value=0.5, default=0.1)
    tuner = make_tuner("subclass", "random", tmp_path_factory.mktemp("plot"), build=tiny_build, dataset_fn=dataset_fn)
    tuner.search(epochs=1, batch_size=32, verbose=0)
    return tuner


def test_plot_colours_trials_by_a_float_hyperparameter_with_a_colour_scale(two_hyperparameter_search):
    ax = helpers.plot_objective_vs_noise(two_hyperparameter_search, color_by="aug_noise")
    assert len(ax.figure.axes) == 2, "a float hyperparameter should get a colour bar"
    points = ax.collections[-1]
    np.testing.assert_allclose(np.sort(points.get_array()),
                               np.sort(helpers.trials_table(two_hyperparameter_search)["aug_noise"]))
    plt.close(ax.figure)


def test_plot_groups_trials_by_a_choice_and_ignores_bookkeeping_columns(two_hyperparameter_search):
    ax = helpers.plot_objective_vs_noise(two_hyperparameter_search)
    labels = [text.get_text() for text in ax.get_legend().get_texts()]
    assert labels and all(label.startswith("trials, units=") for label in labels)
    assert len(ax.figure.axes) == 1
    plt.close(ax.figure)


def test_plot_names_an_unknown_hyperparameter(two_hyperparameter_search):
    with pytest.raises(KeyError, match="no hyperparameter named 'width'"):
        helpers.plot_objective_vs_noise(two_hyperparameter_search, color_by="width")


def test_noise_sweep_summarizes_the_chosen_metric_and_keeps_every_model_s_scores(digits):
    sweep = helpers.noise_sweep(digits, lambda: helpers.make_digits_mlp(16), [0.0, 0.3], repeats=2,
                                metric="cross_entropy", **FIT)
    for _, row in sweep.iterrows():
        scores = row["scores"]
        assert list(scores["repeat"]) == [0, 1] and "test_accuracy" in scores.columns
        assert row["losses"] == list(scores["val_cross_entropy"])
        assert row["mean"] == pytest.approx(np.mean(row["losses"]))
    same = helpers.repeated_scores(digits, lambda: helpers.make_digits_mlp(16), repeats=2, noise=0.3, **FIT)
    pd.testing.assert_frame_equal(sweep["scores"].iloc[1], same)


def test_noise_sweep_names_a_metric_the_model_does_not_report(digits):
    with pytest.raises(KeyError, match=r"metric='mae' is not reported by the model; it reports \['accuracy'"):
        helpers.noise_sweep(digits, lambda: helpers.make_digits_mlp(16), [0.0], repeats=1, metric="mae", **FIT)
