"""The one call in every notebook's Setup cell: what Colab lacks, quiet TensorFlow, seeds, and the budget.

    import helpers
    budget = helpers.setup(seed=1)

The Setup cell itself only makes `import helpers` work: on Colab it installs this
package from GitHub without dependencies, in a local clone it puts the repository
root on `sys.path`. Everything else happens here, where it is tested.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import re
import subprocess
import sys

from helpers import runtime

__all__ = ["FAILED_INSTALL", "colab_requirements", "setup"]

# The distribution that holds `helpers`; its metadata carries the dependency ranges of pyproject.toml.
DISTRIBUTION = "kt-dataset-hparams"

# The sentence a failed Colab install ends the Setup cell with; {what} and {why} are filled in.
FAILED_INSTALL = "Setup could not install {what} ({why}); check this runtime's internet access, then run this cell again."


def colab_requirements():
    """What Colab lacks, at this package's own ranges: keras-tuner, and tensorboard where it is missing.

    TensorFlow and Keras are never named: Colab has them, and pip would replace them.
    """
    try:
        declared = importlib.metadata.requires(DISTRIBUTION) or []
    except importlib.metadata.PackageNotFoundError:
        raise RuntimeError(f"helpers was not installed with pip, so its dependency ranges are unknown; install "
                           f"it with `pip install --no-deps git+<repository URL>` ({DISTRIBUTION})") from None
    ranges = {re.split(r"[<>=!~;\s\[]", line, maxsplit=1)[0].lower(): line.split(";")[0].strip()
              for line in declared if "extra ==" not in line}
    wanted = [ranges["keras-tuner"]]
    if importlib.util.find_spec("tensorboard") is None:  # keras-tuner imports it in every trial
        wanted.append(ranges["tensorboard"])
    return wanted


def _install_on_colab():
    packages = colab_requirements()
    pip = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", *packages], capture_output=True,
                         text=True)
    if pip.returncode != 0:
        reason = (pip.stderr.strip() or "no message").splitlines()[-1]
        raise RuntimeError(FAILED_INSTALL.format(what=" and ".join(packages), why=f"pip: {reason}")) from None


def setup(seed=1, import_tensorflow=True):
    """Prepares a notebook's kernel and returns its `runtime.Budget`. Introduced in notebook 01.

    In this order: TensorFlow's C++ logs are quieted and GPU memory growth is switched on (both before
    TensorFlow loads); on Colab, keras-tuner (and tensorboard where missing) are installed at this
    package's ranges, and a failed install raises one sentence; TensorFlow is imported quietly and every
    seed is set to `seed`; the budget is chosen and one line of versions is printed. With
    `import_tensorflow=False` this kernel never imports TensorFlow (notebook 07 leaves it to the processes
    it starts), so no seed is set.
    """
    if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed={seed!r} is invalid; expected a non-negative int")
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    os.environ.setdefault("TF_FORCE_GPU_ALLOW_GROWTH", "true")  # on a GPU, take memory only as it is needed
    if "google.colab" in sys.modules:
        _install_on_colab()
    if import_tensorflow:
        runtime.quiet_tensorflow()
        import keras

        keras.utils.set_random_seed(seed)
    budget = runtime.budget(import_tensorflow=import_tensorflow)
    versions = ", ".join(f"{name} {_version(module)}" for name, module in
                         [("TensorFlow", "tensorflow"), ("Keras", "keras"), ("keras-tuner", "keras_tuner")])
    print(f"{versions}; {budget}")
    return budget


def _version(module):
    """The version of an imported module, else of its distribution, without importing it."""
    if module in sys.modules:
        return sys.modules[module].__version__
    try:
        return importlib.metadata.version(module.replace("_", "-"))
    except importlib.metadata.PackageNotFoundError:
        return "(not installed)"
