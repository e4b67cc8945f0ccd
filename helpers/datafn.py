"""Calling `dataset_fn` safely: what it returns, the declaration probes and per-trial seeds.

Both tuner routes (`helpers.tuners` and `helpers.hypermodel`) and
`helpers.rerun_trial` go through these functions, so they check and seed
alike. The checks are listed in the README's "When things go wrong".
"""

from __future__ import annotations

import inspect
import zlib

import keras_tuner as kt

__all__ = ["DECLARE_BATCH_SIZE", "accepts_seed", "call_dataset_fn", "check_callable", "declare_data_hyperparameters",
           "is_out_of_memory", "seeded_call", "trial_seed"]

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


def seeded_call(dataset_fn, hp, batch_size, seed):
    """Seeds Python, NumPy, TensorFlow and Keras with `seed`, then calls dataset_fn with it.

    The first half of the seeding order that both tuner routes and
    `rerun_trial` follow; the second half seeds again before the initial
    weights are made.
    """
    import keras

    keras.utils.set_random_seed(seed)
    return call_dataset_fn(dataset_fn, hp, batch_size, seed=seed)


def call_dataset_fn(dataset_fn, hp, batch_size, seed=None):
    """Calls `dataset_fn(hp, batch_size[, seed=seed])` and checks what it returns.

    A dataset_fn that returns no pair, an empty training dataset, reads an
    undeclared hyperparameter or rejects its arguments raises a
    `keras_tuner.errors.FatalError`, which stops the search instead of failing
    trial after trial. Running out of memory raises as it is (see
    `is_out_of_memory`).
    """
    kwargs = {"seed": seed} if seed is not None and accepts_seed(dataset_fn) else {}
    try:
        result = dataset_fn(hp, batch_size, **kwargs)
    except KeyError as error:
        declared = sorted(h.name for h in hp.space)
        raise kt.errors.FatalValueError(
            f"dataset_fn read the hyperparameter {error.args[0].split()[0]!r}, which is not declared; declare it "
            f"with hp.Float, hp.Int, hp.Choice, hp.Boolean or hp.Fixed before reading it (declared: {declared})"
        ) from error
    except (ValueError, TypeError) as error:
        raise kt.errors.FatalValueError(
            f"dataset_fn failed with batch_size={batch_size!r} and hyperparameters {_data_values(hp)}: {error}"
        ) from error
    if not isinstance(result, (tuple, list)) or len(result) != 2 or any(part is None for part in result):
        raise kt.errors.FatalTypeError(
            f"dataset_fn returned {_describe(result)}; expected a pair (train, validation) "
            "of datasets, neither of them None"
        )
    if _is_empty(result[0]):
        raise kt.errors.FatalValueError(
            f"dataset_fn returned an empty training dataset for batch_size={batch_size!r} and "
            f"hyperparameters {_data_values(hp)}; expected at least one batch"
        )
    return result


def declare_data_hyperparameters(dataset_fn, hp, batch_size):
    """Declares dataset_fn's hyperparameters in `hp`, then tries their smallest and largest values.

    `hp` is the search space. dataset_fn runs with the defaults (which
    declares its hyperparameters), then with every numeric hyperparameter at
    its minimum and at its maximum, so that a range dataset_fn cannot use (a
    negative noise, say) fails before any training starts. The datasets are
    discarded.
    """
    call_dataset_fn(dataset_fn, hp, batch_size)
    numeric = [h for h in hp.space if hasattr(h, "min_value") and hasattr(h, "max_value")]
    for bound in ("min_value", "max_value"):
        if not numeric:
            break
        probe = hp.copy()
        for h in numeric:
            probe.values[h.name] = getattr(h, bound)
        call_dataset_fn(dataset_fn, probe, batch_size)


def is_out_of_memory(error):
    """Whether an exception is an out-of-memory error: MemoryError or TensorFlow's ResourceExhaustedError."""
    if isinstance(error, MemoryError):
        return True
    import tensorflow as tf

    return isinstance(error, tf.errors.ResourceExhaustedError)


def _is_empty(dataset):
    import tensorflow as tf

    if not isinstance(dataset, tf.data.Dataset):
        return False
    return int(dataset.cardinality()) == 0


def _data_values(hp):
    return {name: value for name, value in hp.values.items() if not name.startswith("tuner/")}


def _describe(value):
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of length {len(value)}"
    return f"{value!r} of type {type(value).__name__}"
