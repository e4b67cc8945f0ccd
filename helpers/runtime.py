"""Quiet start-up and the notebooks' budgets, for notebooks and scripts.

Every notebook's Setup cell uses it. Import this module before TensorFlow:
`import helpers` itself imports nothing heavy, so
`helpers.quiet_tensorflow()` can run first.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import logging
import os
import warnings

__all__ = ["Budget", "CPU_BUDGET", "GPU_BUDGET", "budget", "quiet_tensorflow"]

# Environment variable that forces a budget ("cpu" or "gpu") whatever hardware is visible.
BUDGET_VARIABLE = "KT_TUTORIAL_BUDGET"

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
    warnings listed in `_EXPECTED_WARNINGS` are filtered.

    The garbage collector is off during the imports, which allocate some
    700,000 objects, and collects once after them: its repeated passes over the
    growing heap made this call take 4.9 s of CPU time instead of 4.3 s here.
    Last, `gc.freeze()` takes the objects alive now (some 400,000) out of the
    collector's scans: keras-tuner collects garbage twice per trial, and each
    pass over them costs about 0.3 s of a 2-core CPU, often more than the trial
    trains. Frozen objects are never collected; these are modules, classes and
    functions that live as long as the process anyway.
    Call it before anything imports TensorFlow; it returns the TensorFlow module.
    `helpers.setup()` calls it in every notebook. Introduced in notebook 07, whose kernel imports
    TensorFlow only after its search.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    collecting = gc.isenabled()
    gc.disable()
    try:
        with _stderr_to_devnull():
            import keras  # noqa: F401
            import keras_tuner  # noqa: F401
            import tensorflow as tf
    finally:
        if collecting:
            gc.enable()
            gc.collect()
    tf.get_logger().setLevel(logging.ERROR)
    logging.getLogger("absl").setLevel(logging.ERROR)
    for message in _EXPECTED_WARNINGS:
        warnings.filterwarnings("ignore", message=message, category=UserWarning)
    gc.freeze()
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


@dataclasses.dataclass(frozen=True)
class Budget:
    """How much larger than the CI budget the notebooks' searches and sweeps are.

    The notebooks write their CPU budget and pass it through `trials()`,
    `epochs()` and `repeats()`, so one code path serves both. Returned by
    `budget()`.
    """

    name: str
    trial_scale: int = 1
    epoch_scale: int = 1
    repeat_scale: int = 1
    device: str = "CPU"

    def trials(self, count):
        return count * self.trial_scale

    def epochs(self, count):
        return count * self.epoch_scale

    def repeats(self, count):
        return count * self.repeat_scale

    def __str__(self):
        scales = f"trials ×{self.trial_scale}, epochs ×{self.epoch_scale}, repeats ×{self.repeat_scale}"
        return f"{self.name} budget on {self.device} ({scales})"


# The one place where the notebooks' budgets are set. CI runs the CPU budget.
CPU_BUDGET = Budget("CPU")
GPU_BUDGET = Budget("GPU", trial_scale=3, epoch_scale=2, repeat_scale=2)


def budget(import_tensorflow=True):
    """The budget for this machine: `GPU_BUDGET` where TensorFlow sees a GPU, else `CPU_BUDGET`.

    Set the environment variable KT_TUTORIAL_BUDGET to "cpu" or "gpu" to choose
    one yourself. With `import_tensorflow=False`, this process never imports
    TensorFlow (about 0.3 GB of memory it keeps for good): notebook 07 leaves
    that memory to the chief and workers it starts. On Linux with no GPU device
    file (no NVIDIA, ROCm or WSL driver) the answer is CPU at once; otherwise a
    short-lived child process asks TensorFlow which GPU it sees.
    `helpers.setup()` calls it. Introduced in notebook 01.
    """
    if not isinstance(import_tensorflow, bool):
        raise TypeError(f"import_tensorflow={import_tensorflow!r} is invalid; expected True or False")
    choice = os.environ.get(BUDGET_VARIABLE, "").strip().lower()
    if choice not in ("", "cpu", "gpu"):
        raise ValueError(f"{BUDGET_VARIABLE}={choice!r} is invalid; expected 'cpu', 'gpu' or unset")
    if import_tensorflow:
        device = _visible_gpu()
    else:
        device = _visible_gpu_in_child() if _may_have_gpu() else None
    use_gpu = choice == "gpu" or (choice == "" and device is not None)
    return dataclasses.replace(GPU_BUDGET if use_gpu else CPU_BUDGET, device=device or "CPU")


def _visible_gpu():
    """The name of the first GPU TensorFlow sees in this process, or None."""
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    return tf.config.experimental.get_device_details(gpus[0]).get("device_name", "GPU") if gpus else None


_GPU_PROBE = (
    "import json, tensorflow as tf\n"
    "gpus = tf.config.list_physical_devices('GPU')\n"
    "print(json.dumps(tf.config.experimental.get_device_details(gpus[0]).get('device_name', 'GPU') if gpus else None))\n"
)


# The device files through which TensorFlow reaches a GPU on Linux: NVIDIA's driver (CUDA), AMD's (ROCm) and
# WSL's (DirectML). Without any of them no TensorFlow build can see a GPU.
_GPU_DEVICE_FILES = ("/dev/nvidiactl", "/dev/kfd", "/dev/dxg")


def _may_have_gpu():
    """False only where TensorFlow surely sees no GPU: Linux without a GPU driver's device file.

    Asking TensorFlow costs a child process that imports it (about 8 s of CPU on a 2-core machine).
    """
    import sys

    return not sys.platform.startswith("linux") or any(os.path.exists(path) for path in _GPU_DEVICE_FILES)


def _visible_gpu_in_child():
    """`_visible_gpu()` answered by a child process, which alone imports TensorFlow."""
    import json
    import subprocess
    import sys

    environment = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    environment.setdefault("TF_FORCE_GPU_ALLOW_GROWTH", "true")
    probe = subprocess.run([sys.executable, "-c", _GPU_PROBE], capture_output=True, text=True, env=environment,
                           timeout=300)
    if probe.returncode != 0:
        last = (probe.stderr.strip().splitlines() or ["no message"])[-1]
        raise RuntimeError(f"could not ask TensorFlow for its GPUs in a child process: {last}")
    return json.loads(probe.stdout.strip().splitlines()[-1])
