"""`make demo` runs two valid Hyperband searches and prints one line per ended trial."""

from helpers import progress, search
from tools import demo


def test_the_demo_s_searches_are_valid_hyperband_searches_on_both_tasks():
    tasks = set()
    for title, options in demo.SEARCHES:
        checked = search.check_options(**options, seed=demo.SEED, project=options["task"])
        assert checked["tuner"] == "hyperband" and checked["epochs"] == checked["max_epochs"], title
        tasks.add(checked["task"])
    assert tasks == set(search.TASKS)


def test_the_demo_prints_each_ended_trial_once_and_nothing_when_one_starts(capsys):
    class Trial:
        trial_id, score, status = "0001", 0.5, "COMPLETED"
        hyperparameters = type("HP", (), {"values": {"aug_noise": 0.25, "tuner/epochs": 3, "tuner/initial_epoch": 0}})

    demo.print_ended_trial(progress.TrialEvent("start", "tuner0", trial_id="0001"))
    demo.print_ended_trial(progress.TrialEvent("end", "tuner0", trial_id="0001", status="COMPLETED", score=0.5,
                                                trial=Trial))
    assert capsys.readouterr().out == "  trial 0001  aug_noise=0.25  epochs 0→3  score=0.5  COMPLETED\n"
