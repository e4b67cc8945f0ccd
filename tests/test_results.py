"""Tables and plots of a search's results read what the search recorded."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from factories import make_tuner, tiny_build  # noqa: E402

import helpers  # noqa: E402


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

