"""The progress protocol: one JSON line per trial event, written and read alike by every process."""

import math

import pytest
from factories import DATASET, RecordingDatasetFn, tiny_build

from helpers import progress


def test_an_event_survives_its_line_and_other_lines_are_not_events():
    event = progress.TrialEvent("end", "tuner1", trial_id="03", status="COMPLETED", score=0.25)
    line = event.to_line()
    assert line.startswith(progress.PREFIX) and "\n" not in line
    assert progress.parse_line(line) == event
    assert progress.parse_line(progress.TrialEvent("end", "tuner0", "1", "FAILED", math.nan).to_line()).score is None
    for other in ("Epoch 1/3", "@trial {\"event\": \"st", "@trial [1, 2]", "@trial {\"event\": \"nope\"}", ""):
        assert progress.parse_line(other) is None, other


def test_an_unknown_event_is_named():
    with pytest.raises(ValueError, match="event='begin' is invalid"):
        progress.TrialEvent("begin", "tuner0")


def test_a_tuner_with_progress_reports_each_trial_s_start_and_end_in_order(tiny_task, tmp_path):
    events = []
    tuner_class = progress.with_progress(DATASET["random"])
    assert progress.with_progress(DATASET["random"]) is tuner_class
    tuner = tuner_class(tiny_build, dataset_fn=RecordingDatasetFn(tiny_task), objective="val_loss", max_trials=2,
                        directory=str(tmp_path), on_progress=events.append)
    tuner.search(epochs=1, batch_size=16, verbose=0)
    assert [(e.event, e.trial_id) for e in events] == [("start", "0"), ("end", "0"), ("start", "1"), ("end", "1")]
    ended = [e for e in events if e.event == "end"]
    assert [e.score for e in ended] == [tuner.oracle.get_trial(e.trial_id).score for e in ended]
    assert {e.status for e in ended} == {"COMPLETED"} and {e.worker for e in events} == {"tuner0"}
