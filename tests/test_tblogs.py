"""The HParams logs that a dataset-parametrized search writes can be read back without TensorBoard."""

import keras
import pytest
from factories import make_tuner

import helpers


@pytest.mark.parametrize("route", ["subclass", "hypermodel"])
def test_logs_record_every_hyperparameter_of_every_completed_trial(route, tiny_task, tmp_path):
    tuner = make_tuner(route, "random", tmp_path / "tuner", dataset_fn=helpers.noisy_dataset_fn(tiny_task))
    tuner.search(epochs=2, batch_size=16, verbose=0, callbacks=[keras.callbacks.TensorBoard(str(tmp_path / "logs"))])
    logs = helpers.read_hparams_logs(tmp_path / "logs").set_index("trial_id")
    completed = [t for t in tuner.oracle.trials.values() if t.status == "COMPLETED"]
    assert completed and sorted(logs.index) == sorted(t.trial_id for t in completed)
    for trial in completed:
        row = logs.loc[trial.trial_id]
        for name, value in trial.hyperparameters.values.items():
            assert row[name] == pytest.approx(value), (trial.trial_id, name)
        assert row["epochs"] == 2
        assert row["best_val"] == pytest.approx(trial.score, rel=1e-5)


def test_a_missing_log_folder_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="nowhere"):
        helpers.read_hparams_logs(tmp_path / "nowhere")
