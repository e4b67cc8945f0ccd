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


@dataclasses.dataclass(frozen=True)
class SearchSpec:
    title: str
    task: str
    max_epochs: int
    batch_size: int
    noise_max: float
    repeats: int


SEARCHES = (
    SearchSpec("Linear task: L1_size × aug_noise", "linear", max_epochs=9, batch_size=100, noise_max=2.0, repeats=1),
    SearchSpec("Regularization task: width × aug_noise", "regularization", max_epochs=9, batch_size=64,
               noise_max=0.6, repeats=200),
)


def run_search(spec, directory, seed=SEED, report=print):
    """Runs one Hyperband search of the demo and returns the tuner."""
    import keras

    import helpers

    task = helpers.linear_task() if spec.task == "linear" else helpers.regularization_task()
    build = helpers.build_linear_model if spec.task == "linear" else helpers.build_mlp
    dataset_fn = helpers.noisy_dataset_fn(
        task, max_value=spec.noise_max, default=spec.noise_max / 2, seed=seed, repeats=spec.repeats
    )

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
