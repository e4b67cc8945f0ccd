"""Every execution records its seed, batch size and epochs in the trial's directory."""

import pathlib

import pytest
from factories import make_tuner

import helpers
from helpers import records


def test_each_execution_records_the_seed_derived_from_tuner_seed_trial_and_execution(tiny_task, tmp_path):
    tuner = make_tuner("subclass", "random", tmp_path, dataset_fn=helpers.noisy_dataset_fn(tiny_task), max_trials=2,
                       executions_per_trial=2)
    tuner.search(epochs=1, batch_size=16, verbose=0)
    for trial_id in tuner.oracle.trials:
        recorded = records.read_records(tuner.get_trial_dir(trial_id))
        assert [r["seed"] for r in recorded] == [helpers.trial_seed(3, trial_id, e) for e in (0, 1)]
        assert {r["batch_size"] for r in recorded} == {16}
    assert len(set(helpers.trials_table(tuner)["seed"])) == 2



def test_records_are_appended_in_order_and_a_trial_without_any_reads_as_empty(tmp_path):
    assert records.read_records(tmp_path) == []
    records.write_record(tmp_path, {"execution": 0, "seed": 5})
    records.write_record(tmp_path, {"execution": 1, "seed": 6})
    assert [r["seed"] for r in records.read_records(tmp_path)] == [5, 6]


WRITER = """
import sys
from helpers import records
padding = "x" * 200_000
for execution in range(10_000):
    if execution % 4 == 0:
        records.write_atomically(sys.argv[1] + "/dataset_fn.json", "[]")
    records.write_record(sys.argv[1], {"execution": execution, "padding": padding})
"""


def test_a_writer_killed_at_any_moment_leaves_a_whole_record_file(tmp_path):
    """Real SIGKILLs while a process rewrites the file: every kill leaves JSON that parses."""
    import json
    import random
    import signal
    import subprocess
    import sys
    import time

    rng = random.Random(0)
    for _ in range(8):
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path)])
        while not (tmp_path / records.RECORD_FILE).exists():
            time.sleep(0.01)
        time.sleep(rng.uniform(0.05, 0.3))
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        assert writer.returncode == -signal.SIGKILL, "the writer ended before it was killed"
        assert isinstance(json.loads((tmp_path / records.RECORD_FILE).read_text()), list)


def test_a_torn_record_file_from_an_older_version_reads_as_empty_with_a_warning(tmp_path):
    (tmp_path / records.RECORD_FILE).write_text('[{"execution": 0, "seed": 12')
    with pytest.warns(RuntimeWarning, match="torn by an interrupted write"):
        assert records.read_records(tmp_path) == []
    records.write_record(tmp_path, {"execution": 0, "seed": 5})
    assert records.read_records(tmp_path) == [{"execution": 0, "seed": 5}]


def test_a_search_with_a_torn_record_still_tables_and_names_the_trial_it_cannot_rerun(tiny_task, tmp_path):
    tuner = make_tuner("subclass", "random", tmp_path, dataset_fn=helpers.noisy_dataset_fn(tiny_task), max_trials=2)
    tuner.search(epochs=1, batch_size=16, verbose=0)
    torn = sorted(tuner.oracle.trials)[0]
    (pathlib.Path(tuner.get_trial_dir(torn)) / records.RECORD_FILE).write_text('[{"exec')
    with pytest.warns(RuntimeWarning):
        table = helpers.trials_table(tuner)
    assert len(table) == 2 and table["status"].eq("COMPLETED").all()
    with pytest.warns(RuntimeWarning), pytest.raises(ValueError, match=f"trial {torn!r} has no"):
        helpers.rerun_trial(tuner, torn)
