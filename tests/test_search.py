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
