"""The main job (`make demo`): two small Hyperband searches that tune the noise.

1. The original scenario: `L1_size` and `aug_noise` on the linear task.
2. The same search on the regularization task, with the MLP's `width`.

It prints one line per trial and the best hyperparameters of each search, and
writes `noise_vs_loss.png` into the output folder. Run it with
`python -m tools.demo [--out DIR]`. Both searches come from
`helpers.search.run_search`, as the command line's do.
"""

from __future__ import annotations

import argparse
import pathlib
import sys
import time

SEED = 1
# The demo's two searches: Hyperband on each task, with the task's batch size and passes per epoch.
SEARCHES = (
    ("Linear task: L1_size × aug_noise", dict(task="linear", tuner="hyperband", max_epochs=9, epochs=9)),
    ("Regularization task: width × aug_noise", dict(task="regularization", tuner="hyperband", max_epochs=9,
                                                    epochs=9)),
)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="outputs", help="folder for the PNG and the tuner files (default: outputs)")
    args = parser.parse_args(argv)
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    import helpers

    helpers.quiet_tensorflow()
    import keras
    from matplotlib.figure import Figure

    from helpers import search

    figure = Figure(figsize=(11, 4), layout="constrained")
    axes = figure.subplots(1, 2)
    for (title, options), ax in zip(SEARCHES, axes):
        started = time.perf_counter()
        options = search.check_options(**options, seed=SEED, project=options["task"])
        print(f"{title} (Hyperband, max_epochs={options['max_epochs']}, batch_size={options['batch_size']})")
        keras.utils.set_random_seed(SEED)
        tuner = search.run_search(out / "tuning", overwrite=True, on_progress=print_ended_trial, **options)
        best = tuner.get_best_hyperparameters()[0].values
        shown = {name: value for name, value in best.items() if not name.startswith("tuner/")}
        print(f"  best: {shown}  ({len(tuner.oracle.trials)} trials, {time.perf_counter() - started:.0f} s)\n")
        helpers.plot_objective_vs_noise(tuner, ax=ax, title=title)
    path = out / "noise_vs_loss.png"
    figure.savefig(path, dpi=120)
    print(f"Wrote {path}")
    return 0


def print_ended_trial(event):
    """Prints one line for a trial that ended, as `helpers.format_trial` writes it."""
    if event.event == "end":
        import helpers

        print("  " + helpers.format_trial(event.trial))


if __name__ == "__main__":
    sys.exit(main())
