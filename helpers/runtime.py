"""Quiet, reproducible start-up for notebooks and scripts.

Introduced in notebook 01's Setup cell. Import this module before TensorFlow:
`import helpers` itself imports nothing heavy, so
`helpers.quiet_tensorflow()` can run first.
"""

from __future__ import annotations

import contextlib
import logging
import os
import warnings

__all__ = ["quiet_tensorflow"]

# Keras warnings that are expected here and say nothing actionable:
# - Hyperband warm-starts a model from a checkpoint that also holds optimizer
#   slots: the weights load and the optimizer starts fresh, as intended;
# - fit() on a tf.data pipeline with its default shuffle=True: the pipelines
#   shuffle themselves.
_EXPECTED_WARNINGS = (
    r"Skipping variable loading for optimizer",
    r"`shuffle=True` was passed, but will be ignored",
)


def quiet_tensorflow():
    """Imports TensorFlow, Keras and Keras Tuner without their start-up log lines.

    TensorFlow 2.21 writes C++ log lines to the process's stderr while it is
    imported, before TF_CPP_MIN_LOG_LEVEL can apply, so the import runs with
    file descriptor 2 pointed at /dev/null. Afterwards Python-level logging of
    TensorFlow and absl is set to errors only, and the expected Keras
    warnings listed in `_EXPECTED_WARNINGS` are filtered. Call it before
    anything imports TensorFlow; it returns the TensorFlow module.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    with _stderr_to_devnull():
        import keras  # noqa: F401
        import keras_tuner  # noqa: F401
        import tensorflow as tf
    tf.get_logger().setLevel(logging.ERROR)
    logging.getLogger("absl").setLevel(logging.ERROR)
    for message in _EXPECTED_WARNINGS:
        warnings.filterwarnings("ignore", message=message, category=UserWarning)
    return tf


@contextlib.contextmanager
def _stderr_to_devnull():
    try:
        saved = os.dup(2)
    except OSError:  # no usable file descriptor 2 (some embedded interpreters)
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
