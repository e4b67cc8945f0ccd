"""Wall time per trial: a dataset tuner against the stock tuner on pre-built data.

All run the same RandomSearch (same seed, trials, epochs and batch size) on
the linear task. The stock tuner gets a training pipeline built once, with the
noise fixed at the search space's default; the dataset tuner rebuilds it from
each trial's `aug_noise`, once as the stock tuner trains (a new model traced
in every trial, `reuse_traced_models=False`) and once by default (trials of one
width train one traced model, `helpers.traced`). Runs alternate in one
process, in alternating order (ABC, then CBA).

Run: `.venv/bin/python benchmarks/bench_trial.py [--trials 6] [--rounds 3]`.
Target: the dataset tuner without reuse ≤ 1.05× the stock tuner's time per trial;
the default is reported against the stock tuner too.
"""

import argparse
import statistics
import tempfile
import time

import helpers


def time_per_trial(make_tuner, search_kwargs, directory):
    import keras

    keras.utils.set_random_seed(0)
    tuner = make_tuner(directory)
    started = time.perf_counter()
    tuner.search(verbose=0, **search_kwargs)
    return (time.perf_counter() - started) / len(tuner.oracle.trials)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=6)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    helpers.quiet_tensorflow()
    import keras_tuner as kt

    task = helpers.linear_task()
    dataset_fn = helpers.noisy_dataset_fn(task)
    common = dict(objective="val_loss", max_trials=args.trials, seed=1, overwrite=True)
    fixed_train = helpers.train_dataset(task.x_train, task.y_train, args.batch_size, noise=1.0)
    fixed_validation = helpers.validation_dataset(task.x_val, task.y_val, args.batch_size)

    def stock(directory):
        hp = kt.HyperParameters()
        hp.Float("aug_noise", 0.0, 2.0, default=1.0)  # same space, but it cannot reach the data
        return kt.RandomSearch(helpers.build_linear_model, hyperparameters=hp, directory=directory,
                               project_name="stock", **common)

    def dataset(directory, reuse=True):
        return helpers.DatasetRandomSearch(helpers.build_linear_model, dataset_fn=dataset_fn, directory=directory,
                                           project_name="dataset", reuse_traced_models=reuse, **common)

    def dataset_without_reuse(directory):
        return dataset(directory, reuse=False)

    runs = {
        "stock RandomSearch, pre-built data": (stock, dict(x=fixed_train, validation_data=fixed_validation,
                                                          epochs=args.epochs, shuffle=False)),
        "DatasetRandomSearch, no reuse": (dataset_without_reuse, dict(epochs=args.epochs,
                                                                     batch_size=args.batch_size)),
        "DatasetRandomSearch, default": (dataset, dict(epochs=args.epochs, batch_size=args.batch_size)),
    }
    seconds = {name: [] for name in runs}
    with tempfile.TemporaryDirectory() as directory:
        for round_index in range(args.rounds):
            order = list(runs) if round_index % 2 == 0 else list(reversed(runs))  # ABC, CBA: no order bias
            for name in order:
                make, kwargs = runs[name]
                seconds[name].append(time_per_trial(make, kwargs, directory))
    print(f"{args.trials} trials × {args.epochs} epochs, batch_size={args.batch_size}, "
          f"median of {args.rounds} rounds in alternating order")
    medians = {name: statistics.median(values) for name, values in seconds.items()}
    for name, value in medians.items():
        print(f"  {name:36s} {value:6.3f} s/trial")
    stock_median = medians["stock RandomSearch, pre-built data"]
    print(f"  no reuse / stock: {medians['DatasetRandomSearch, no reuse'] / stock_median:.3f}× (target ≤ 1.05×)")
    print(f"  default / stock:  {medians['DatasetRandomSearch, default'] / stock_median:.3f}×")


if __name__ == "__main__":
    main()
