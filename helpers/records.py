"""Per-trial records: the seed, batch size and epochs of every execution, in the trial's directory.

Both tuner routes write one record per execution that trained on
`dataset_fn`'s data; `trials_table` and `rerun_trial` read them. A record
file is replaced atomically (written beside, flushed to disk, renamed), so a
process killed at any moment leaves the old file or the new one, never half
of one.
"""

from __future__ import annotations

import json
import os
import warnings

__all__ = ["RECORD_FILE", "read_records", "write_record", "write_atomically"]

# Written in every trial's directory: one JSON object per execution that trained on dataset_fn's data.
RECORD_FILE = "dataset_fn.json"


def write_atomically(path, text):
    """Replaces the file at `path` with `text`: readers see the old content or the new, whatever happens."""
    path = os.fspath(path)
    partial = f"{path}.{os.getpid()}.partial"
    with open(partial, "w") as file:
        file.write(text)
        file.flush()
        os.fsync(file.fileno())
    os.replace(partial, path)
    folder = os.open(os.path.dirname(path) or ".", os.O_RDONLY)
    try:
        os.fsync(folder)  # make the rename itself durable
    finally:
        os.close(folder)


def write_record(trial_dir, record):
    """Appends one execution's record (seed, batch size, epochs) to the trial's RECORD_FILE."""
    records = read_records(trial_dir) + [record]
    write_atomically(os.path.join(trial_dir, RECORD_FILE), json.dumps(records, indent=1))


def read_records(trial_dir):
    """The records of a trial directory, oldest first; an empty list when there are none.

    A file torn by a kill during a write (possible with versions before 0.2,
    which rewrote it in place) holds no usable record: it reads as empty,
    with a warning, and the trial's next execution writes a whole file again.
    """
    path = os.path.join(trial_dir, RECORD_FILE)
    try:
        with open(path) as file:
            text = file.read()
    except FileNotFoundError:
        return []
    try:
        records = json.loads(text)
    except json.JSONDecodeError:
        warnings.warn(f"{path} was torn by an interrupted write; its records are ignored", RuntimeWarning,
                      stacklevel=2)
        return []
    if not isinstance(records, list) or not all(isinstance(record, dict) for record in records):
        warnings.warn(f"{path} holds {type(records).__name__}, not a list of records; ignored", RuntimeWarning,
                      stacklevel=2)
        return []
    return records
