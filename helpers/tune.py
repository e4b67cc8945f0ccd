"""One dataset-parametrized search from the command line: single process, chief or worker.

    python -m helpers.tune --task regularization --tuner random --trials 6 --epochs 5 --directory DIR

The role comes from Keras Tuner's own environment variables: without them the
command runs the whole search in one process. With KERASTUNER_TUNER_ID=chief,
KERASTUNER_ORACLE_IP and KERASTUNER_ORACLE_PORT it runs the oracle and waits
for the workers; with KERASTUNER_TUNER_ID=tuner0, tuner1, ... (and the same
address) it asks the chief for trials and trains them. Every process prints
`START <trial id> <tuner id>` when it starts a trial and
`DONE <trial id> <tuner id> <status> <score>` when it ends one.
"""

from __future__ import annotations

import argparse
import os
import sys

TUNERS = ("random", "hyperband", "bayesian")


def parse_arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", choices=("linear", "regularization"), default="regularization")
    parser.add_argument("--tuner", choices=TUNERS, default="random")
    parser.add_argument("--trials", type=int, default=6, help="max_trials (random, bayesian)")
    parser.add_argument("--max-epochs", type=int, default=9, help="max_epochs (hyperband)")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--directory", required=True, help="the tuner directory, shared by all processes")
    parser.add_argument("--project", default="search")
    args = parser.parse_args(argv)
    for name in ("trials", "max_epochs", "epochs", "batch_size"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')}={getattr(args, name)} is invalid; expected an integer >= 1")
    return args


def make_tuner(args):
    """The Dataset* tuner that the arguments describe."""
    import helpers
    from helpers.demo import search_parts

    build, dataset_fn = search_parts(args.task, repeats=1 if args.task == "linear" else 100, seed=args.seed)
    tuner_id = os.environ.get("KERASTUNER_TUNER_ID", "tuner0")

    def report(tuner, trial):
        ended = tuner.oracle.get_trial(trial.trial_id)
        score = "nan" if ended.score is None else f"{float(ended.score):.6g}"
        print(f"DONE {ended.trial_id} {tuner_id} {ended.status} {score}", flush=True)

    common = dict(objective="val_loss", seed=args.seed, directory=args.directory, project_name=args.project,
                  overwrite=False, dataset_fn=dataset_fn)
    if args.tuner == "hyperband":
        base, budget = helpers.DatasetHyperband, dict(max_epochs=args.max_epochs, factor=3)
    elif args.tuner == "bayesian":
        base, budget = helpers.DatasetBayesianOptimization, dict(max_trials=args.trials)
    else:
        base, budget = helpers.DatasetRandomSearch, dict(max_trials=args.trials)
    def on_trial_begin(self, trial):
        print(f"START {trial.trial_id} {tuner_id}", flush=True)
        base.on_trial_begin(self, trial)

    def on_trial_end(self, trial):
        base.on_trial_end(self, trial)
        report(self, trial)

    reporting = type("Reporting" + base.__name__, (base,), {"on_trial_begin": on_trial_begin,
                                                            "on_trial_end": on_trial_end})
    return reporting(build, **common, **budget)


def main(argv=None):
    args = parse_arguments(argv)
    import helpers

    helpers.quiet_tensorflow()
    tuner = make_tuner(args)
    tuner.search(epochs=args.epochs, batch_size=args.batch_size, verbose=0)
    print(f"FINISHED {os.environ.get('KERASTUNER_TUNER_ID', 'tuner0')}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
