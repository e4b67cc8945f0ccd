"""Read back the TensorBoard HParams logs that keras-tuner writes, without a TensorBoard server.

When `search()` gets a `keras.callbacks.TensorBoard(log_dir)` callback,
keras-tuner gives every execution of every trial its own folder,
`log_dir/<trial id>/execution<k>`, and writes the trial's hyperparameters there
for the HParams dashboard; Keras writes the epoch metrics under `train/` and
`validation/`. Introduced in notebook 06.
"""

from __future__ import annotations

import pathlib

__all__ = ["read_hparams_logs", "plot_hparams"]


def read_hparams_logs(log_dir, metric="epoch_loss"):
    """One row per logged execution: trial id, execution, every hyperparameter, and the validation metric.

    `best_val` is the lowest value of `metric` in the execution's `validation`
    events and `epochs` the number of epochs logged. Folders without an
    HParams record are skipped. Raises FileNotFoundError when `log_dir` does
    not exist. Introduced in notebook 06.
    """
    import pandas as pd

    log_dir = pathlib.Path(log_dir)
    if not log_dir.is_dir():
        raise FileNotFoundError(f"log_dir={str(log_dir)!r} is not a folder; pass the TensorBoard callback's log_dir")
    rows = []
    for run in sorted(log_dir.glob("*/execution*")):
        hparams = _session_hparams(run)
        if hparams is None:
            continue
        row = {"trial_id": run.parent.name, "execution": int(run.name.removeprefix("execution")), **hparams}
        values = _tensor_series(run / "validation", metric)
        row["best_val"] = min(values) if values else float("nan")
        row["epochs"] = len(values)
        rows.append(row)
    return pd.DataFrame(rows)


def plot_hparams(table, objective="best_val", figure=None):
    """One panel per hyperparameter: the objective against its values, as scattered points.

    Hyperparameters with text values are placed at evenly spaced positions.
    Returns the matplotlib Figure. Introduced in notebook 06.
    """
    import matplotlib.pyplot as plt

    names = [c for c in table.columns if c not in ("trial_id", "execution", "best_val", "epochs")]
    names = [n for n in names if not n.startswith("tuner/")]
    if not names:
        raise ValueError(f"no hyperparameter columns in the table; found {list(table.columns)}")
    if figure is None:
        figure = plt.figure(figsize=(4 * len(names), 3.5), layout="constrained")
    axes = figure.subplots(1, len(names), sharey=True, squeeze=False)[0]
    for ax, name in zip(axes, names):
        values = table[name]
        if values.dtype == object:
            levels = sorted(values.unique(), key=str)
            values = values.map({level: i for i, level in enumerate(levels)})
            ax.set_xticks(range(len(levels)), [str(level) for level in levels])
        ax.scatter(values, table[objective], s=20)
        ax.set_xlabel(name)
    axes[0].set_ylabel(objective)
    axes[0].set_yscale("log")
    return figure


def _session_hparams(run):
    from tensorboard.backend.event_processing.event_accumulator import TENSORS, EventAccumulator
    from tensorboard.plugins.hparams import plugin_data_pb2

    accumulator = EventAccumulator(str(run), size_guidance={TENSORS: 0})
    accumulator.Reload()
    content = accumulator.PluginTagToContent("hparams").get("_hparams_/session_start_info")
    if content is None:
        return None
    info = plugin_data_pb2.HParamsPluginData.FromString(content).session_start_info
    return {name: getattr(value, value.WhichOneof("kind")) for name, value in sorted(info.hparams.items())}


def _tensor_series(folder, tag):
    import tensorflow as tf
    from tensorboard.backend.event_processing.event_accumulator import TENSORS, EventAccumulator

    if not folder.is_dir():
        return []
    accumulator = EventAccumulator(str(folder), size_guidance={TENSORS: 0})
    accumulator.Reload()
    if tag not in accumulator.Tags().get("tensors", []):
        return []
    return [float(tf.make_ndarray(event.tensor_proto)) for event in accumulator.Tensors(tag)]
