"""A small dataset-parametrized search run in its own process by test_tuners.py.

Usage: python search_child.py DIRECTORY KIND [PAUSE_TRIAL]

It resumes whatever DIRECTORY holds (overwrite=False). It writes the progress
lines of helpers.progress, as helpers.cli does, and, with PAUSE_TRIAL, `PAUSED`
in the middle of that trial's first epoch, then sleeps so that the test can kill it.
"""

import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import helpers  # noqa: E402

helpers.quiet_tensorflow()

import keras  # noqa: E402
import numpy as np  # noqa: E402
from factories import DATASET, tiny_build  # noqa: E402

from helpers import progress  # noqa: E402

BUDGET = {"random": {"max_trials": 4}, "hyperband": {"max_epochs": 3, "factor": 3}}


class Pause(keras.callbacks.Callback):
    def __deepcopy__(self, memo):
        return self

    def __init__(self, tuner, trial_id):
        super().__init__()
        self.tuner, self.trial_id = tuner, trial_id

    def on_train_batch_end(self, batch, logs=None):
        running = [t.trial_id for t in self.tuner.oracle.ongoing_trials.values()]
        if self.trial_id in running:
            print("PAUSED", flush=True)
            time.sleep(120)


def main(directory, kind, pause_trial=None):
    x = np.linspace(0.0, 1.0, 64, dtype=np.float32).reshape(-1, 1)
    task = helpers.Task("tiny", x, x.copy(), x[::2], x[::2].copy())

    reporting = progress.with_progress(DATASET[kind])
    tuner = reporting(tiny_build, dataset_fn=helpers.noisy_dataset_fn(task, max_value=0.5, default=0.25),
                      objective="val_loss", seed=3, directory=directory, project_name=kind, overwrite=False,
                      on_progress=progress.print_event, **BUDGET[kind])
    callbacks = [Pause(tuner, pause_trial)] if pause_trial else []
    tuner.search(epochs=3, batch_size=16, verbose=0, callbacks=callbacks)
    progress.print_event(progress.TrialEvent("finished", tuner.tuner_id))


if __name__ == "__main__":
    main(*sys.argv[1:])
