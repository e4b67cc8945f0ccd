"""Every execution records its seed, batch size and epochs in the trial's directory."""

import helpers
from factories import make_tuner
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
