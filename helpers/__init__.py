"""Dataset parameters as hyperparameters in Keras Tuner: what the notebooks and your scripts import.

`import helpers` is cheap and changes no global setting: each public name is
imported from its module on first use, so `helpers.quiet_tensorflow()` can run
before TensorFlow is imported. A public name's docstring says which notebook
introduces it (tests/test_package.py checks that the notebook uses it) or,
for names no notebook uses, where it is described.
"""

import importlib

_MODULE_OF = {
    # tasks
    "Task": "helpers.tasks",
    "linear_task": "helpers.tasks",
    "regularization_task": "helpers.tasks",
    "digits_task": "helpers.tasks",
    # pipelines and augmentations
    "train_dataset": "helpers.pipelines",
    "validation_dataset": "helpers.pipelines",
    "noisy_dataset_fn": "helpers.pipelines",
    "shift_pixels": "helpers.pipelines",
    "without_autotune": "helpers.pipelines",
    "image_augmentation": "helpers.augment",
    "augmented_dataset": "helpers.augment",
    "augmentation_dataset_fn": "helpers.augment",
    # models
    "L1_SIZES": "helpers.models",
    "MLP_WIDTHS": "helpers.models",
    "build_linear_model": "helpers.models",
    "build_mlp": "helpers.models",
    "make_mlp": "helpers.models",
    "make_digits_mlp": "helpers.models",
    # tuners: the subclass route and the public-API route
    "EpochCountMixin": "helpers.tuners",
    "DatasetTunerMixin": "helpers.tuners",
    "DatasetHyperband": "helpers.tuners",
    "DatasetRandomSearch": "helpers.tuners",
    "DatasetBayesianOptimization": "helpers.tuners",
    "DatasetGridSearch": "helpers.tuners",
    "DatasetHyperModel": "helpers.hypermodel",
    # calling dataset_fn, seeds
    "DECLARE_BATCH_SIZE": "helpers.datafn",
    "trial_seed": "helpers.datafn",
    # training outside a search, and results
    "noise_sweep": "helpers.experiments",
    "repeated_scores": "helpers.experiments",
    "trials_table": "helpers.results",
    "format_trial": "helpers.results",
    "epochs_table": "helpers.results",
    "scores_table": "helpers.results",
    "plot_objective_vs_noise": "helpers.results",
    "rerun_trial": "helpers.reproduce",
    "read_hparams_logs": "helpers.tblogs",
    "plot_hparams": "helpers.tblogs",
    # ready searches, distributed
    "make_search": "helpers.search",
    "run_search": "helpers.search",
    "Launcher": "helpers.launch",
    # runtime
    "setup": "helpers.kernel",
    "quiet_tensorflow": "helpers.runtime",
    "Budget": "helpers.runtime",
    "CPU_BUDGET": "helpers.runtime",
    "GPU_BUDGET": "helpers.runtime",
    "budget": "helpers.runtime",
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
