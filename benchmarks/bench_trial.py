"""Wall time per trial: a dataset tuner against the stock tuner on pre-built data.

All arms run the same RandomSearch (same seed, trials, epochs and batch size)
on the linear task. The stock tuner gets a training pipeline built once, with
the noise fixed at the search space's default; the dataset tuner rebuilds it
from each trial's `aug_noise`, once as the stock tuner trains (a new model
traced in every trial, `reuse_traced_models=False`) and once by default
(trials of one width train one traced model, `helpers.traced`).

Each measurement runs in a fresh process: a process that has traced many models
gets slower (TensorFlow keeps every traced graph), which would favour whichever
arm ran first. Rounds alternate the order of the arms (ABC, then CBA).

Run: `.venv/bin/python benchmarks/bench_trial.py [--trials 8] [--rounds 4]`.
Target: the dataset tuner without reuse ≤ 1.05× the stock tuner's time per trial;
the default is reported against the stock tuner too.
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time

from arguments import count  # benchmarks/arguments.py, beside this script

ARMS = ["stock", "no reuse", "default"]
LABELS = {"stock": "stock RandomSearch, pre-built data", "no reuse": "DatasetRandomSearch, no reuse",
          "default": "DatasetRandomSearch, default"}


def time_one_arm(arm, trials, epochs, batch_size, directory):
    """Seconds per trial of one arm's search, in this process."""
    import helpers

    helpers.quiet_tensorflow()
    import keras
    import keras_tuner as kt

    task = helpers.linear_task()
    common = dict(objective="val_loss", max_trials=trials, seed=1, overwrite=True, directory=directory)
    keras.utils.set_random_seed(0)
    if arm == "stock":
        hp = kt.HyperParameters()
        hp.Float("aug_noise", 0.0, 2.0, default=1.0)  # same space, but it cannot reach the data
        tuner = kt.RandomSearch(helpers.build_linear_model, hyperparameters=hp, project_name="stock", **common)
        kwargs = dict(x=helpers.train_dataset(task.x_train, task.y_train, batch_size, noise=1.0),
                      validation_data=helpers.validation_dataset(task.x_val, task.y_val, batch_size), shuffle=False)
    else:
        tuner = helpers.DatasetRandomSearch(helpers.build_linear_model, dataset_fn=helpers.noisy_dataset_fn(task),
                                            project_name="dataset", reuse_traced_models=arm == "default", **common)
        kwargs = dict(batch_size=batch_size)
    started = time.perf_counter()
    tuner.search(epochs=epochs, verbose=0, **kwargs)
    return (time.perf_counter() - started) / len(tuner.oracle.trials)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=count, default=8)
    parser.add_argument("--epochs", type=count, default=2)
    parser.add_argument("--batch-size", type=count, default=100)
    parser.add_argument("--rounds", type=count, default=4)
    parser.add_argument("--arm", choices=ARMS, help=argparse.SUPPRESS)  # one measurement, in a child process
    args = parser.parse_args()
    if args.arm:
        with tempfile.TemporaryDirectory() as directory:
            print(json.dumps(time_one_arm(args.arm, args.trials, args.epochs, args.batch_size, directory)))
        return
    seconds = {arm: [] for arm in ARMS}
    for round_index in range(args.rounds):
        for arm in ARMS if round_index % 2 == 0 else ARMS[::-1]:
            child = subprocess.run([sys.executable, __file__, "--arm", arm, "--trials", str(args.trials), "--epochs",
                                    str(args.epochs), "--batch-size", str(args.batch_size)],
                                   capture_output=True, text=True, check=True)
            seconds[arm].append(json.loads(child.stdout.strip().splitlines()[-1]))
    print(f"{args.trials} trials × {args.epochs} epochs, batch_size={args.batch_size}, "
          f"median of {args.rounds} rounds, one process per measurement, arms in alternating order")
    medians = {arm: statistics.median(values) for arm, values in seconds.items()}
    for arm in ARMS:
        rounds = " ".join(f"{value:.2f}" for value in seconds[arm])
        print(f"  {LABELS[arm]:36s} {medians[arm]:6.3f} s/trial (rounds: {rounds})")
    print(f"  no reuse / stock: {medians['no reuse'] / medians['stock']:.3f}× (target ≤ 1.05×)")
    print(f"  default / stock:  {medians['default'] / medians['stock']:.3f}×")


if __name__ == "__main__":
    main()
