"""Results as tables and plots: they read a search or a table of scores, and train nothing.

The training that produces scores outside a search is in `helpers.experiments`.
"""

from __future__ import annotations

import math
import os
import re

from helpers import records

__all__ = ["trials_table", "format_trial", "epochs_table", "failure_reason", "plot_objective_vs_noise", "scores_table"]

# The trial's own fields in a trials_table row, in column order after the hyperparameters (status comes second).
_FIELDS = ("status", "score", "best_step", "batch_size", "seed", "message")
_ALWAYS = ("score", "best_step")


def trials_table(tuner):
    """One row per trial: trial id, status, every hyperparameter, score and best step.

    Rows are in trial order. A trial that has no score yet (running, failed or
    invalid) has NaN there. Trials trained on a dataset_fn's data add the
    `batch_size` and `seed` of their last execution, and a trial that did not
    complete adds the reason as `message`: its error's name and first
    meaningful line (see `failure_reason`), or that its objective was NaN. A hyperparameter always keeps its
    own name: where it is called `status`, `score`, `best_step`,
    `batch_size`, `seed` or `message`, that field of the trial is shown as
    `trial_<name>` instead. Introduced in notebook 01.
    """
    import pandas as pd

    names = {name for trial in tuner.oracle.trials.values() for name in trial.hyperparameters.values}
    field = {name: f"trial_{name}" if name in names else name for name in _FIELDS}
    rows = []
    for trial_id, trial in sorted(tuner.oracle.trials.items()):
        row = {"trial_id": trial_id, field["status"]: trial.status, **trial.hyperparameters.values,
               field["score"]: _score_or_nan(trial.score), field["best_step"]: trial.best_step}
        recorded = _records(tuner, trial_id)
        if recorded:
            row.update({field["batch_size"]: recorded[-1]["batch_size"], field["seed"]: recorded[-1]["seed"]})
        if trial.status != "COMPLETED" and trial.message:
            row[field["message"]] = failure_reason(trial.message)
        elif trial.status != "COMPLETED" and trial.score is not None and math.isnan(trial.score):
            row[field["message"]] = f"the objective {tuner.oracle.objective.name!r} was NaN: training diverged"
        rows.append(row)
    tail = [field[name] for name in _FIELDS[1:] if any(field[name] in row for row in rows) or name in _ALWAYS]
    head = ["trial_id", field["status"]]
    middle = []
    for row in rows:
        middle += [name for name in row if name not in head + tail + middle]
    return pd.DataFrame(rows, columns=head + middle + tail)


def format_trial(trial, digits=4):
    """A one-line summary of a trial: id, hyperparameters, score and status.

    Hyperband's bookkeeping values appear as `epochs a→b`. Introduced in notebook 02.
    """
    values = dict(trial.hyperparameters.values)
    parts = [f"trial {trial.trial_id}"]
    for name, value in values.items():
        if not name.startswith("tuner/"):
            parts.append(f"{name}={_short(value, digits)}")
    if "tuner/epochs" in values:
        parts.append(f"epochs {values['tuner/initial_epoch']}→{values['tuner/epochs']}")
    score = "—" if trial.score is None else _short(trial.score, digits)
    parts.append(f"score={score}")
    parts.append(str(trial.status))
    return "  ".join(parts)


def epochs_table(tuner, executions_per_trial=None):
    """Scheduled against trained epochs for every trial of a tuner with `epochs_trained`.

    `scheduled` is `tuner/epochs - tuner/initial_epoch` for Hyperband trials,
    and NaN for tuners that do not schedule epochs; `trained` counts the
    epochs Keras ran per execution. Introduced in notebook 02.
    """
    import pandas as pd

    if not hasattr(tuner, "epochs_trained"):
        raise TypeError(
            f"{type(tuner).__name__} does not record trained epochs; "
            "mix in helpers.EpochCountMixin (the Dataset* tuners have it)"
        )
    executions = executions_per_trial or getattr(tuner, "executions_per_trial", 1)
    rows = []
    for trial_id, trial in sorted(tuner.oracle.trials.items()):
        values = trial.hyperparameters.values
        scheduled = values.get("tuner/epochs", math.nan) - values.get("tuner/initial_epoch", 0)
        epochs = tuner.epochs_trained.get(trial_id, [])
        rows.append(
            {
                "trial_id": trial_id,
                "initial_epoch": values.get("tuner/initial_epoch", 0),
                "scheduled": scheduled,
                "trained": len(epochs) / executions,
            }
        )
    return pd.DataFrame(rows, columns=["trial_id", "initial_epoch", "scheduled", "trained"])


def scores_table(scores, columns=("test_loss", "test_accuracy"), digits=3):
    """One row per method: each column of its `repeated_scores` as "mean ± std" over the repeats.

    `scores` maps a method's name to its `repeated_scores` DataFrame. Introduced
    in notebook 05.
    """
    import pandas as pd

    rows = {}
    for method, frame in scores.items():
        missing = [column for column in columns if column not in frame.columns]
        if missing:
            raise KeyError(f"{method!r} has no column {missing[0]!r}; found {list(frame.columns)}")
        rows[method] = {
            column: f"{frame[column].mean():.{digits}f} ± {frame[column].std(ddof=0):.{digits}f}"
            for column in columns
        }
    table = pd.DataFrame.from_dict(rows, orient="index", columns=list(columns))
    table.index.name = "method"
    return table


def plot_objective_vs_noise(tuner, noise="aug_noise", sweep=None, ax=None, title=None, color_by=None):
    """Plots each completed trial's score against its noise level, over an optional sweep.

    The sweep (from `helpers.noise_sweep`, or any DataFrame with `noise`, `mean` and
    `std` columns) is drawn as its mean with a band of ± one standard
    deviation. Colours follow the hyperparameter `color_by`, by default the
    first other one, if any: one colour per value, or a colour scale for a
    float. Returns the matplotlib Axes. Introduced in notebook 04; `color_by`
    in notebook 05.
    """
    import matplotlib.pyplot as plt
    import pandas as pd

    table = trials_table(tuner)
    names = [c for c in table.columns[2:] if c in tuner.oracle.hyperparameters and not c.startswith("tuner/")]
    for name in (noise, color_by):
        if name is not None and name not in names:
            raise KeyError(f"no hyperparameter named {name!r} in the search; found {names}")
    status, score = (f"trial_{name}" if f"trial_{name}" in table.columns else name for name in ("status", "score"))
    table = table[table[status] == "COMPLETED"].rename(columns={score: "objective"})
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    if sweep is not None:
        ax.plot(sweep["noise"], sweep["mean"], color="black", label="grid sweep (mean)")
        ax.fill_between(sweep["noise"], sweep["mean"] - sweep["std"], sweep["mean"] + sweep["std"],
                        color="black", alpha=0.15, label="± 1 std")
    others = [name for name in names if name != noise]
    color_by = color_by or (others[0] if others else None)
    if color_by is None:
        ax.scatter(table[noise], table["objective"], label="trials", s=25)
    elif pd.api.types.is_float_dtype(table[color_by]):
        points = ax.scatter(table[noise], table["objective"], c=table[color_by], cmap="viridis", s=25, label="trials")
        ax.figure.colorbar(points, ax=ax, label=color_by)
    else:
        for value, group in table.groupby(color_by):
            ax.scatter(group[noise], group["objective"], label=f"trials, {color_by}={value}", s=25)
    ax.set_xlabel(f"{noise} (stddev of the input noise)")
    ax.set_ylabel(f"{tuner.oracle.objective.name}")
    ax.set_yscale("log")
    ax.set_title(title or "Objective against noise")
    ax.legend(fontsize="small")
    return ax


def failure_reason(message):
    """The reason a trial failed, in one line, from keras-tuner's traceback of it.

    The exception's short name and the first meaningful line of its message
    (a FailedTrialError's message alone, as the tuners write it to be read);
    TensorFlow's "Graph execution error" and node annotations are skipped.
    """
    lines = [line.rstrip() for line in message.strip().splitlines()]
    frames = [i for i, line in enumerate(lines) if line.startswith(" ")]
    tail = [line for line in lines[(frames[-1] + 1) if frames else 0:] if line.strip()]
    header = re.match(r"^([\w.]+?)(?::\s*(.*))?$", tail[0]) if tail else None
    if header is None:
        return tail[0] if tail else ""
    name, text = header.group(1).rsplit(".", 1)[-1], (header.group(2) or "").strip()
    details = [line.strip() for line in tail[1:] if not line.strip().startswith(("[[", "Detected at node"))]
    if text in ("", "Graph execution error:") and details:
        text = details[0]
    return text if name == "FailedTrialError" else f"{name}: {text}" if text else name


def _records(tuner, trial_id):
    directory = os.path.join(str(tuner.project_dir), f"trial_{trial_id}")
    return records.read_records(directory) if os.path.isdir(directory) else []


def _score_or_nan(score):
    return math.nan if score is None else float(score)


def _short(value, digits):
    if isinstance(value, float):
        return f"{value:.{digits}g}"
    return str(value)
