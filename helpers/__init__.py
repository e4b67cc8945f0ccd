"""Dataset parameters as hyperparameters in Keras Tuner.

`import helpers` is cheap and changes no global setting: each public name is
imported from its module on first use, so `helpers.quiet_tensorflow()` can run
before TensorFlow is imported. Each docstring names the notebook that
introduces the function.
"""

import importlib

_MODULE_OF = {
    "Task": "helpers.data",
    "linear_task": "helpers.data",
    "regularization_task": "helpers.data",
    "train_dataset": "helpers.data",
    "validation_dataset": "helpers.data",
    "noisy_dataset_fn": "helpers.data",
    "digits_task": "helpers.images",
    "shift_pixels": "helpers.images",
    "L1_SIZES": "helpers.models",
    "MLP_WIDTHS": "helpers.models",
    "build_linear_model": "helpers.models",
    "build_mlp": "helpers.models",
    "make_mlp": "helpers.models",
    "make_digits_mlp": "helpers.models",
    "trials_table": "helpers.results",
    "format_trial": "helpers.results",
    "epochs_table": "helpers.results",
    "noise_sweep": "helpers.results",
    "repeated_scores": "helpers.results",
    "scores_table": "helpers.results",
    "plot_objective_vs_noise": "helpers.results",
    "quiet_tensorflow": "helpers.runtime",
    "Budget": "helpers.runtime",
    "CPU_BUDGET": "helpers.runtime",
    "GPU_BUDGET": "helpers.runtime",
    "budget": "helpers.runtime",
    "DECLARE_BATCH_SIZE": "helpers.tuners",
    "rerun_trial": "helpers.reproduce",
    "read_hparams_logs": "helpers.tblogs",
    "plot_hparams": "helpers.tblogs",
    "trial_seed": "helpers.datafn",
    "EpochCountMixin": "helpers.tuners",
    "DatasetTunerMixin": "helpers.tuners",
    "DatasetHyperband": "helpers.tuners",
    "DatasetRandomSearch": "helpers.tuners",
    "DatasetBayesianOptimization": "helpers.tuners",
    "DatasetGridSearch": "helpers.tuners",
    "DatasetHyperModel": "helpers.tuners",
}

__all__ = sorted(_MODULE_OF)


def __getattr__(name):
    if name not in _MODULE_OF:
        raise AttributeError(f"module 'helpers' has no attribute {name!r}")
    value = getattr(importlib.import_module(_MODULE_OF[name]), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_MODULE_OF))
