"""The main job (`make demo`): two small Hyperband searches that tune the noise.

1. The original scenario: `L1_size` and `aug_noise` on the linear task.
2. The same search on the regularization task, with the MLP's `width`.

It prints one line per trial and the best hyperparameters of each search, and
writes `noise_vs_loss.png` into the output folder. Run it with
`python -m helpers.demo [--out DIR]`.
"""

from __future__ import annotations

import argparse
import dataclasses
import pathlib
import sys
import time

from helpers.runtime import quiet_tensorflow

SEED = 1


# The largest noise each task's searches try: past it, the loss only grows.
NOISE_MAX = {"linear": 2.0, "regularization": 0.6}


@dataclasses.dataclass(frozen=True)
class SearchSpec:
    title: str
    task: str
    max_epochs: int
    batch_size: int
    repeats: int


SEARCHES = (
    SearchSpec("Linear task: L1_size × aug_noise", "linear", max_epochs=9, batch_size=100, repeats=1),
    SearchSpec("Regularization task: width × aug_noise", "regularization", max_epochs=9, batch_size=64,
               repeats=200),
)


def search_parts(task_name, repeats, seed=SEED):
    """The model-building function and `noisy_dataset_fn` of a search on "linear" or "regularization".

    Shared by the demo and `helpers.tune`; `repeats` passes over the training set make one epoch.
    """
    import helpers

    if task_name not in NOISE_MAX:
        raise ValueError(f"task={task_name!r} is unknown; expected one of {sorted(NOISE_MAX)}")
    linear = task_name == "linear"
    task = helpers.linear_task() if linear else helpers.regularization_task()
    noise_max = NOISE_MAX[task_name]
    dataset_fn = helpers.noisy_dataset_fn(task, max_value=noise_max, default=noise_max / 2, seed=seed,
                                          repeats=repeats)
    return (helpers.build_linear_model if linear else helpers.build_mlp), dataset_fn


def run_search(spec, directory, seed=SEED, report=print):
    """Runs one Hyperband search of the demo and returns the tuner."""
    import keras

    import helpers

    build, dataset_fn = search_parts(spec.task, spec.repeats, seed)

    class ReportingHyperband(helpers.DatasetHyperband):
        def on_trial_end(self, trial):
            super().on_trial_end(trial)
            report("  " + helpers.format_trial(self.oracle.get_trial(trial.trial_id)))

    keras.utils.set_random_seed(seed)
    tuner = ReportingHyperband(
        build,
        objective="val_loss",
        max_epochs=spec.max_epochs,
        factor=3,
        seed=seed,
        directory=str(directory),
        project_name=spec.task,
        overwrite=True,
        dataset_fn=dataset_fn,
    )
    tuner.search(epochs=spec.max_epochs, batch_size=spec.batch_size, verbose=0)
    return tuner


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="outputs", help="folder for the PNG and the tuner files (default: outputs)")
    args = parser.parse_args(argv)
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    quiet_tensorflow()
    from matplotlib.figure import Figure

    import helpers

    figure = Figure(figsize=(11, 4), layout="constrained")
    axes = figure.subplots(1, 2)
    for spec, ax in zip(SEARCHES, axes):
        started = time.perf_counter()
        print(f"{spec.title} (Hyperband, max_epochs={spec.max_epochs}, batch_size={spec.batch_size})")
        tuner = run_search(spec, out / "tuning")
        best = tuner.get_best_hyperparameters()[0].values
        shown = {name: value for name, value in best.items() if not name.startswith("tuner/")}
        print(f"  best: {shown}  ({len(tuner.oracle.trials)} trials, {time.perf_counter() - started:.0f} s)\n")
        helpers.plot_objective_vs_noise(tuner, ax=ax, title=spec.title)
    path = out / "noise_vs_loss.png"
    figure.savefig(path, dpi=120)
    print(f"Wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
