"""A ready dataset-parametrized search, set up from keyword arguments.

The one place where a named task becomes a model, a `noisy_dataset_fn` and a
tuner. The command line (`helpers.cli`), the launcher (`helpers.launch`), the
demo and notebook 07 all call it:

    tuner = make_search("outputs/search", task="regularization", tuner="random", trials=6)
    tuner.search(epochs=5, batch_size=64, verbose=0)
"""

from __future__ import annotations

import dataclasses
import pathlib

from helpers.checks import check_count

__all__ = ["DEFAULTS", "IDENTITY", "TASKS", "TUNERS", "check_options", "claim_directory", "make_search", "run_search",
           "search_parts"]


@dataclasses.dataclass(frozen=True)
class _TaskSetup:
    task: str          # the helpers.tasks function
    build: str         # the helpers.models build function
    noise_max: float   # the largest noise searched: past it, the loss only grows
    passes: int        # passes over the training set per epoch
    batch_size: int


TASKS = {
    "linear": _TaskSetup("linear_task", "build_linear_model", noise_max=2.0, passes=1, batch_size=100),
    "regularization": _TaskSetup("regularization_task", "build_mlp", noise_max=0.6, passes=100, batch_size=64),
}
# Tuner names and their helpers.tuners classes, with the argument that sets each one's budget.
TUNERS = {
    "random": ("DatasetRandomSearch", "max_trials"),
    "hyperband": ("DatasetHyperband", "max_epochs"),
    "bayesian": ("DatasetBayesianOptimization", "max_trials"),
}
# Every option of a search and its default; `batch_size=None` takes the task's.
DEFAULTS = {"task": "regularization", "tuner": "random", "trials": 6, "max_epochs": 9, "epochs": 5,
            "batch_size": None, "seed": 1, "project": "search"}


def check_options(**options):
    """All the options of a search, defaults filled in; raises ValueError naming an unknown or bad one."""
    unknown = sorted(set(options) - set(DEFAULTS))
    if unknown:
        raise ValueError(f"unknown search option {unknown[0]!r}; expected some of {sorted(DEFAULTS)}")
    options = {**DEFAULTS, **options}
    for name, choices in (("task", TASKS), ("tuner", TUNERS)):
        if options[name] not in choices:
            raise ValueError(f"{name}={options[name]!r} is unknown; expected one of {sorted(choices)}")
    for name in ("trials", "max_epochs", "epochs"):
        check_count(options[name], name)
    if options["batch_size"] is None:
        options["batch_size"] = TASKS[options["task"]].batch_size
    check_count(options["batch_size"], "batch_size")
    check_count(options["seed"], "seed", minimum=0)
    if not isinstance(options["project"], str) or not options["project"]:
        raise ValueError(f"project={options['project']!r} is invalid; expected a non-empty name")
    return options


def search_parts(task, seed=DEFAULTS["seed"]):
    """The model-building function and the `noisy_dataset_fn` of a search on the task named `task`."""
    from helpers import models, pipelines, tasks

    setup = TASKS[check_options(task=task)["task"]]
    data = getattr(tasks, setup.task)()
    dataset_fn = pipelines.noisy_dataset_fn(data, max_value=setup.noise_max, default=setup.noise_max / 2,
                                            seed=seed, passes=setup.passes)
    return getattr(models, setup.build), dataset_fn


def make_search(directory, *, overwrite=False, on_progress=None, **options):
    """The Dataset* tuner of a search, in `directory`, that resumes what the directory holds.

    The directory records which search it holds (task, tuner, seed and, for
    Hyperband, max_epochs, in `<project>/search.json`) and refuses a
    different one with a ValueError; `overwrite=True` deletes it first.

    `options` are those of `DEFAULTS`; `epochs` and `batch_size` are for
    `search()`, so call `tuner.search(epochs=..., batch_size=...)` with them
    (`check_options` fills them in). `on_progress(TrialEvent)` is called
    when each trial starts and ends (see `helpers.progress`). Introduced in
    notebook 07.
    """
    from helpers import progress, tuners

    options = claim_directory(directory, overwrite=overwrite, **options)  # overwrite: deleted here, once
    build, dataset_fn = search_parts(options["task"], options["seed"])
    class_name, budget_argument = TUNERS[options["tuner"]]
    budget = {"max_epochs": options["max_epochs"], "factor": 3} if budget_argument == "max_epochs" else {
        "max_trials": options["trials"]}
    tuner_class = progress.with_progress(getattr(tuners, class_name))
    return tuner_class(build, objective="val_loss", seed=options["seed"], directory=str(directory),
                       project_name=options["project"], overwrite=False, dataset_fn=dataset_fn,
                       on_progress=on_progress, **budget)


# The options that make a search what it is; the others (trials, epochs, batch size) may change on resume.
IDENTITY = ("task", "tuner", "seed", "max_epochs")
SEARCH_FILE = "search.json"


def claim_directory(directory, *, overwrite=False, **options):
    """Checks the options, then records the search in `directory` or refuses a different one; returns the options.

    `make_search` calls it; the command line calls it first, to answer a
    mistake in one line before TensorFlow is imported.
    """
    options = check_options(**options)
    _claim(pathlib.Path(directory) / options["project"], options, overwrite)
    return options


def _claim(project_dir, options, overwrite):
    """Records which search `project_dir` holds, or refuses a different one in one sentence."""
    import json
    import shutil

    from helpers.records import write_atomically

    identity = {name: options[name] for name in IDENTITY if name != "max_epochs" or options["tuner"] == "hyperband"}
    path = project_dir / SEARCH_FILE
    if overwrite and project_dir.exists():
        shutil.rmtree(project_dir)
    if path.exists():
        held = json.loads(path.read_text())
        if held != identity:
            differ = ", ".join(f"{name}={held.get(name)!r}" for name in sorted(set(held) | set(identity))
                               if held.get(name) != identity.get(name))
            asked = ", ".join(f"{name}={identity.get(name)!r}" for name in sorted(set(held) | set(identity))
                              if held.get(name) != identity.get(name))
            raise ValueError(f"{project_dir} holds another search ({differ}), not the one asked for ({asked}); "
                             "use another directory or project, or overwrite=True (--overwrite) to start afresh")
        return
    if any(project_dir.glob("trial_*")) or (project_dir / "oracle.json").exists():
        raise ValueError(f"{project_dir} holds a search that helpers.search did not make; use another directory or "
                         "project, or overwrite=True (--overwrite) to start afresh")
    project_dir.mkdir(parents=True, exist_ok=True)
    write_atomically(path, json.dumps(identity, sort_keys=True))


def run_search(directory, *, overwrite=False, on_progress=None, **options):
    """Makes the search with `make_search` and runs it with its `epochs` and `batch_size`; returns the tuner."""
    options = check_options(**options)
    tuner = make_search(directory, overwrite=overwrite, on_progress=on_progress, **options)
    tuner.search(epochs=options["epochs"], batch_size=options["batch_size"], verbose=0)
    return tuner
