"""A ready search from keyword arguments: options are checked by name, and the search runs and resumes."""

import pytest

from helpers import search


@pytest.mark.parametrize("options, message", [
    ({"task": "mnist"}, "task='mnist' is unknown; expected one of"),
    ({"tuner": "grid"}, "tuner='grid' is unknown"),
    ({"trials": 0}, "trials=0 is invalid; expected an integer >= 1"),
    ({"epochs": 1.5}, "epochs=1.5 is invalid"),
    ({"batch_size": -1}, "batch_size=-1 is invalid"),
    ({"project": ""}, "project='' is invalid"),
    ({"trails": 3}, "unknown search option 'trails'"),
])
def test_a_bad_option_is_named(options, message):
    with pytest.raises(ValueError, match=message):
        search.check_options(**options)


def test_defaults_are_filled_in_with_the_task_s_batch_size():
    assert search.check_options(task="linear")["batch_size"] == search.TASKS["linear"].batch_size
    assert search.check_options(batch_size=8)["batch_size"] == 8


def test_a_search_runs_its_trials_and_a_second_call_resumes_it(tmp_path):
    options = dict(task="linear", tuner="random", trials=2, epochs=1, batch_size=500)
    tuner = search.run_search(tmp_path, **options)
    assert [t.status for t in tuner.oracle.trials.values()] == ["COMPLETED"] * 2
    assert {"L1_size", "aug_noise"} <= set(tuner.oracle.get_space().values)
    events = []
    again = search.run_search(tmp_path, on_progress=events.append, **options)
    assert len(again.oracle.trials) == 2 and events == [], "a finished search ran trials again"


def test_a_directory_refuses_a_different_search_in_one_sentence_and_overwrite_starts_afresh(tmp_path):
    search.run_search(tmp_path, task="linear", tuner="random", trials=1, epochs=1, batch_size=500)
    for other in ({"task": "regularization"}, {"tuner": "hyperband"}, {"seed": 2}):
        options = {"task": "linear", "tuner": "random", **other}
        with pytest.raises(ValueError, match=r"holds another search \(.*\), not the one asked for \(.*\); use another"):
            search.make_search(tmp_path, **options)
    tuner = search.run_search(tmp_path, overwrite=True, task="regularization", trials=1, epochs=1)
    assert len(tuner.oracle.trials) == 1 and "width" in tuner.oracle.get_space().values
    assert search.make_search(tmp_path, task="regularization").oracle.trials.keys() == tuner.oracle.trials.keys()


def test_the_command_line_names_a_different_search_in_one_line(tmp_path):
    import subprocess
    import sys

    search.claim_directory(tmp_path, task="linear")
    result = subprocess.run([sys.executable, "-m", "helpers.cli", "--directory", str(tmp_path), "--task",
                             "regularization"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and len(result.stderr.strip().splitlines()) == 1
    assert "holds another search (task='linear'), not the one asked for (task='regularization')" in result.stderr
