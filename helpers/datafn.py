"""Calling `dataset_fn` safely: what it returns, the declaration probes and per-trial seeds.

Both tuner routes (`helpers.tuners` and `helpers.hypermodel`) and
`helpers.rerun_trial` go through these functions, so they check and seed
alike. The checks are listed in the README's "When things go wrong".
"""

from __future__ import annotations

import inspect
import zlib

import keras_tuner as kt

from helpers.checks import check_count

__all__ = ["ACCEPTED", "BATCH_SIZE_HP", "DECLARE_BATCH_SIZE", "accepts_seed", "call_dataset_fn", "check_callable",
           "data_kind", "declare_data_hyperparameters", "first_line", "is_infinite", "is_out_of_memory", "seeded_call",
           "trial_batch_size", "trial_seed"]

# What dataset_fn may return for each split.
ACCEPTED = "a tf.data.Dataset, a keras.utils.PyDataset or an (x, y) pair of arrays"

# The hyperparameter that, where dataset_fn declares it, sets each trial's batch size (`trial_batch_size`).
BATCH_SIZE_HP = "batch_size"

# When a tuner is created, dataset_fn is called with this batch size so that
# the hyperparameters it declares join the search space before trial 0.
# The datasets it returns then are discarded.
DECLARE_BATCH_SIZE = 32


def trial_seed(tuner_seed, trial_id, execution):
    """The seed of one execution of one trial: a hash of the tuner's seed, the trial id and the execution index.

    It does not depend on how many random numbers were drawn before, so a
    trial can be re-run alone. Described in the README's "Reproduce a trial".
    """
    return zlib.crc32(f"{tuner_seed}:{trial_id}:{execution}".encode()) & 0x7FFFFFFF


def accepts_seed(dataset_fn):
    """Whether `dataset_fn` takes a `seed` keyword (or **kwargs)."""
    try:
        parameters = inspect.signature(dataset_fn).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.name == "seed" or p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)


def check_callable(dataset_fn):
    """Returns `dataset_fn` if it can be called; raises TypeError naming it otherwise."""
    if not callable(dataset_fn):
        raise TypeError(
            f"dataset_fn={dataset_fn!r} is not callable; expected a function "
            "dataset_fn(hp, batch_size) -> (train, validation)"
        )
    return dataset_fn


def trial_batch_size(hp, search_batch_size):
    """The batch size a trial trains with: its hyperparameter `batch_size` where one is declared, else search()'s.

    A dataset_fn that declares `hp.Choice("batch_size", [...])` gets the trial's value as its `batch_size`
    argument, the record and `trials_table` show it, and out-of-memory back-off halves it. A value that is
    not an integer >= 1 is a FatalValueError.
    """
    value = hp.values.get(BATCH_SIZE_HP)
    if value is None:
        return search_batch_size
    try:
        return check_count(value, "the hyperparameter batch_size")
    except ValueError as error:
        raise kt.errors.FatalValueError(f"{error}; declare it as hp.Choice or hp.Int of batch sizes") from None


def seeded_call(dataset_fn, hp, batch_size, seed, in_trial=True):
    """Seeds Python, NumPy, TensorFlow and Keras with `seed`, then calls dataset_fn with it.

    The first half of the seeding order that both tuner routes and
    `rerun_trial` follow; the second half seeds again before the initial
    weights are made.
    """
    import keras

    keras.utils.set_random_seed(seed)
    return call_dataset_fn(dataset_fn, hp, batch_size, seed=seed, in_trial=in_trial)


def call_dataset_fn(dataset_fn, hp, batch_size, seed=None, in_trial=False):
    """Calls `dataset_fn(hp, batch_size[, seed=seed])` and checks what it returns.

    Each split may be a tf.data.Dataset, a keras.utils.PyDataset or an (x, y)
    pair of arrays (`data_kind`). Outside a trial (when the tuner is created,
    and when `search()` starts) any error of dataset_fn, and a return value
    that is not such a pair or holds an empty split, raises a `keras_tuner.errors.FatalError`:
    the search stops before anything trains. Inside a trial the same
    problems fail that trial alone (`FailedTrialError`, with a message that
    names the hyperparameters) and the search goes on. Running out of memory
    raises as it is (see `is_out_of_memory`).
    """
    kwargs = {"seed": seed} if seed is not None and accepts_seed(dataset_fn) else {}
    try:
        result = dataset_fn(hp, batch_size, **kwargs)
    except Exception as error:
        if is_out_of_memory(error):
            raise
        raise _failure(_message_for(error, hp, batch_size), error, in_trial) from error
    problem, kind = _problem_with(result, batch_size, hp)
    if problem:
        raise _failure(problem, kind(), in_trial)
    return result


class EmptyDatasetError(kt.errors.FatalValueError):
    """dataset_fn returned a dataset with no batch."""


def _message_for(error, hp, batch_size):
    name = error.args[0] if isinstance(error, KeyError) and len(error.args) == 1 else None
    if isinstance(name, str) and name.endswith(" does not exist.") and name[:-len(" does not exist.")] not in hp.values:
        declared = sorted(h.name for h in hp.space)
        return (f"dataset_fn read the hyperparameter {name[:-len(' does not exist.')]!r}, which is not declared; "
                "declare it with hp.Float, hp.Int, hp.Choice, hp.Boolean or hp.Fixed before reading it "
                f"(declared: {declared})")
    return (f"dataset_fn failed with batch_size={batch_size!r} and hyperparameters {_data_values(hp)}: "
            f"{type(error).__name__}: {first_line(error)}")


def _failure(message, error, in_trial):
    if in_trial:
        return kt.errors.FailedTrialError(message)
    if isinstance(error, EmptyDatasetError):
        return EmptyDatasetError(message)
    if isinstance(error, (ValueError, KeyError)):
        return kt.errors.FatalValueError(message)
    if isinstance(error, TypeError):
        return kt.errors.FatalTypeError(message)
    return kt.errors.FatalRuntimeError(message)


def _problem_with(result, batch_size, hp):
    if not isinstance(result, (tuple, list)) or len(result) != 2 or any(part is None for part in result):
        message = f"dataset_fn returned {_describe(result)}; expected a pair (train, validation) of datasets, neither None"
        return message, TypeError
    for part, split in zip(result, ("training", "validation")):
        kind = data_kind(part)
        if kind is None:
            hint = (": a generator runs out after one epoch: write it as a keras.utils.PyDataset, whose "
                    "__getitem__ returns one batch" if inspect.isgenerator(part) else "")
            return f"dataset_fn returned {_describe(part)} as its {split} data; expected {ACCEPTED}{hint}", TypeError
        if kind == "pydataset" and not _has_length(part):
            return (f"dataset_fn returned a PyDataset as its {split} data that has neither __len__ nor num_batches; "
                    "define __len__ (its number of batches), or num_batches returning None for one that never "
                    "ends"), TypeError
        if kind == "arrays" and len(part[0]) != len(part[1]):
            return (f"dataset_fn returned its {split} data as an (x, y) pair of arrays with {len(part[0])} and "
                    f"{len(part[1])} rows; expected as many rows in y as in x"), ValueError
        if _is_empty(part):
            return (f"dataset_fn returned an empty {split} dataset for batch_size={batch_size!r} and "
                    f"hyperparameters {_data_values(hp)}; expected at least one batch"), EmptyDatasetError
    return None, None


def data_kind(data):
    """What model.fit would get: "dataset" (tf.data), "pydataset" (keras.utils.PyDataset), "arrays" (an (x, y)
    pair of NumPy arrays or tensors), or None for anything the tuners do not accept."""
    import keras
    import tensorflow as tf

    if isinstance(data, tf.data.Dataset):
        return "dataset"
    if isinstance(data, keras.utils.PyDataset):
        return "pydataset"
    if (isinstance(data, (tuple, list)) and len(data) == 2
            and all(hasattr(part, "__array__") and hasattr(part, "shape") and len(part.shape) for part in data)):
        return "arrays"
    return None


def first_line(error):
    """The first meaningful line of an error's message: not a blank line, nor TensorFlow's node annotations."""
    for line in str(error).strip().splitlines():
        line = line.strip()
        if line and not line.startswith("[[") and not line.startswith("\t"):
            return line
    return type(error).__name__


def declare_data_hyperparameters(dataset_fn, hp, batch_size):
    """Declares dataset_fn's hyperparameters in `hp`, then tries their extreme values and every choice.

    `hp` is the search space. dataset_fn runs with the defaults (which
    declares its hyperparameters), then with each value of every
    `hp.Choice` or `hp.Boolean`, and of a `batch_size` hyperparameter, in turn
    (which declares what a conditional branch holds),
    each time with every numeric hyperparameter at its minimum and at its
    maximum, so that a value dataset_fn cannot use (a negative noise, say)
    fails before any training starts. The datasets are discarded.
    `batch_size` is only a probe: a dataset that is empty at that size but
    not at size 1 (few samples, `drop_remainder=True`) is checked again with
    the batch size given to `search()`.
    """
    _probe(dataset_fn, hp, batch_size)
    settings, done = [{}], set()
    while settings:
        setting = settings.pop()
        for bound in ("min_value", "max_value"):
            probe = hp.copy()
            probe.values.update({h.name: getattr(h, bound) for h in hp.space if hasattr(h, "min_value")})
            probe.values.update(setting)
            _probe(dataset_fn, probe, batch_size)
            hp.merge(probe, overwrite=False)  # what a branch declared joins the space
        for h in hp.space:  # choices seen for the first time, including those a branch just declared
            for value in _probed_values(h):
                if (h.name, value) not in done:
                    done.add((h.name, value))
                    settings.append({h.name: value})


def _probed_values(h):
    """The values of `h` each probed on its own: every choice of a Choice or Boolean, and every batch size.

    A Float or an Int also has `values` (a grid of up to 10 points, for GridSearch); its extremes suffice,
    since a numeric value selects no branch. The `batch_size` hyperparameter, whatever its type, is probed
    at each value, because each one batches the data differently.
    """
    if isinstance(h, (kt.engine.hyperparameters.Choice, kt.engine.hyperparameters.Boolean)) or h.name == BATCH_SIZE_HP:
        return list(getattr(h, "values", []))
    return []


def _probe(dataset_fn, hp, batch_size):
    if BATCH_SIZE_HP in hp.values:  # the batch size is a hyperparameter: probe the value the trial would use
        call_dataset_fn(dataset_fn, hp, trial_batch_size(hp, batch_size))
        return
    try:
        call_dataset_fn(dataset_fn, hp, batch_size)
    except EmptyDatasetError:
        if batch_size == 1:
            raise
        call_dataset_fn(dataset_fn, hp, 1)  # empty only at the probe's batch size: search() checks its own


def is_out_of_memory(error):
    """Whether an exception is an out-of-memory error: MemoryError or TensorFlow's ResourceExhaustedError."""
    if isinstance(error, MemoryError):
        return True
    import tensorflow as tf

    return isinstance(error, tf.errors.ResourceExhaustedError)


def _has_length(pydataset):
    try:
        pydataset.num_batches
    except NotImplementedError:  # Keras's answer when a PyDataset defines neither
        return False
    return True


def _is_empty(data):
    kind = data_kind(data)
    if kind == "dataset":
        return int(data.cardinality()) == 0
    if kind == "pydataset":
        return data.num_batches == 0
    return kind == "arrays" and len(data[0]) == 0


def is_infinite(data):
    """Whether `data` never ends: a tf.data pipeline `.repeat()`ed without a count, or a PyDataset whose
    `num_batches` is None."""
    import tensorflow as tf

    kind = data_kind(data)
    if kind == "dataset":
        return int(data.cardinality()) == int(tf.data.INFINITE_CARDINALITY)
    return kind == "pydataset" and data.num_batches is None


def _data_values(hp):
    return {name: value for name, value in hp.values.items() if not name.startswith("tuner/")}


def _describe(value):
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of length {len(value)}"
    text = repr(value)
    return f"{text} of type {type(value).__name__}" if len(text) <= 60 else f"a value of type {type(value).__name__}"
