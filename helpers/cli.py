"""One dataset-parametrized search from the command line: single process, chief or worker.

    python -m helpers.cli --directory DIR [--task regularization --tuner random --trials 6 --epochs 5]

The role comes from Keras Tuner's own environment variables: without them the
command runs the whole search in one process. With KERASTUNER_TUNER_ID=chief,
KERASTUNER_ORACLE_IP and KERASTUNER_ORACLE_PORT it runs the oracle and waits
for the workers; with KERASTUNER_TUNER_ID=tuner0, tuner1, ... (and the same
address) it asks the chief for trials and trains them. Every process writes
the progress lines of `helpers.progress`. The options are those of
`helpers.search.DEFAULTS`.
"""

from __future__ import annotations

import argparse
import sys

from helpers import progress, search

__all__ = ["arguments_for", "main", "parse_arguments"]


def parse_arguments(argv=None):
    """The search options and the directory, as a dict; a bad option exits with one line and status 2."""
    parser = argparse.ArgumentParser(prog="python -m helpers.cli", description=__doc__.splitlines()[0])
    parser.add_argument("--directory", required=True, help="the tuner directory, shared by all processes")
    for name, default in search.DEFAULTS.items():
        kind = str if name in ("task", "tuner", "project") else int
        parser.add_argument(_flag(name), type=kind, default=default,
                            help=f"default: {default if default is not None else 'the task’s'}")
    options = vars(parser.parse_args(argv))
    directory = options.pop("directory")
    try:
        options = search.check_options(**options)
    except ValueError as error:
        parser.error(str(error))
    return {"directory": directory, **options}


def arguments_for(**options):
    """The command-line arguments that give these search options (the inverse of `parse_arguments`)."""
    search.check_options(**options)
    arguments = []
    for name, value in options.items():
        arguments += [_flag(name), str(value)]
    return arguments


def main(argv=None):
    options = parse_arguments(argv)
    from helpers.runtime import quiet_tensorflow

    quiet_tensorflow()
    tuner = search.run_search(options.pop("directory"), on_progress=progress.print_event, **options)
    progress.print_event(progress.TrialEvent("finished", getattr(tuner, "tuner_id", "tuner0")))
    return 0


def _flag(name):
    return "--" + name.replace("_", "-")


if __name__ == "__main__":
    sys.exit(main())
