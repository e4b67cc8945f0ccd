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



@pytest.mark.parametrize("message, reason", [
    ('Traceback (most recent call last):\n  File "x.py", line 1, in f\n    g()\n'
     "keras_tuner.src.errors.FailedTrialError: out of memory with batch_size=16\n", "out of memory with batch_size=16"),
    ('Traceback (most recent call last):\n  File "x.py", line 1, in f\n    g()\n'
     "tensorflow.python.framework.errors_impl.InvalidArgumentError: Graph execution error:\n\n"
     "Detected at node Cast defined at (most recent call last):\n"
     "Cannot cast a float tensor to int32\n\t [[{{node Cast}}]] [Op:__inference_train_function_123]\n",
     "InvalidArgumentError: Cannot cast a float tensor to int32"),
    ('Traceback (most recent call last):\n  File "x.py", line 1, in f\n    g()\nValueError: shapes (3,) and (4,)\n',
     "ValueError: shapes (3,) and (4,)"),
])
def test_a_failed_trial_s_reason_is_its_error_s_first_meaningful_line(message, reason):
    from helpers import results

    assert results.failure_reason(message) == reason


def test_hyperparameters_named_like_a_trial_s_fields_keep_their_values(tiny_task, tmp_path):
    inner = helpers.noisy_dataset_fn(tiny_task, max_value=0.5, default=0.1)

    def named_like_fields(hp, batch_size, seed=None):
        hp.Choice("batch_size", [4, 8])
        hp.Int("seed", 100, 200)
        hp.Choice("status", ["on", "off"])
        hp.Float("score", 0.0, 1.0)
        return inner(hp, batch_size, seed=seed)

    tuner = make_tuner("subclass", "random", tmp_path, build=tiny_build, dataset_fn=named_like_fields, max_trials=2)
    tuner.search(epochs=1, batch_size=16, verbose=0)
    table = helpers.trials_table(tuner)
    for _, row in table.iterrows():
        trial = tuner.oracle.get_trial(row["trial_id"])
        for name in ("batch_size", "seed", "status", "score"):
            assert row[name] == trial.hyperparameters[name], name
        assert row["trial_status"] == "COMPLETED" and row["trial_score"] == pytest.approx(trial.score)
        assert row["trial_batch_size"] == row["batch_size"], "a batch_size hyperparameter sets what trains"
    assert list(table.columns[:2]) == ["trial_id", "trial_status"]


def test_a_trial_whose_loss_diverged_to_nan_says_so(tiny_task, tmp_path):
    import math

    inner = helpers.noisy_dataset_fn(tiny_task, max_value=0.5, default=0.1)

    def nan_labels(hp, batch_size, seed=None):
        train, validation = inner(hp, batch_size, seed=seed)
        return train.map(lambda x, y: (x, y * math.nan)), validation

    tuner = make_tuner("subclass", "random", tmp_path, build=tiny_build, dataset_fn=nan_labels, max_trials=1)
    tuner.search(epochs=1, batch_size=16, verbose=0)
    table = helpers.trials_table(tuner)
    assert table["status"][0] != "COMPLETED"
    assert table["message"][0] == "the objective 'val_loss' was NaN: training diverged"
