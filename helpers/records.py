"""Per-trial records: the seed, batch size and epochs of every execution, in the trial's directory.

Both tuner routes write one record per execution that trained on
`dataset_fn`'s data; `trials_table` and `rerun_trial` read them.
"""

from __future__ import annotations

import json
import os

__all__ = ["RECORD_FILE", "read_records", "write_record"]

# Written in every trial's directory: one JSON object per execution that trained on dataset_fn's data.
RECORD_FILE = "dataset_fn.json"


def write_record(trial_dir, record):
    """Appends one execution's record (seed, batch size, epochs) to the trial's RECORD_FILE."""
    path = os.path.join(trial_dir, RECORD_FILE)
    records = read_records(trial_dir)
    records.append(record)
    with open(path, "w") as file:
        json.dump(records, file, indent=1)


def read_records(trial_dir):
    """The records of a trial directory, oldest first; an empty list when there are none."""
    path = os.path.join(trial_dir, RECORD_FILE)
    if not os.path.exists(path):
        return []
    with open(path) as file:
        return json.load(file)
