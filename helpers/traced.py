"""Training a new model on the graph Keras already traced for an identical one.

Keras traces a model's training and evaluation steps the first time it fits it,
which costs one to three seconds of CPU on every new model, far more than a
trial of a small model spends training. A search builds a new model for every
trial, and most trials repeat an architecture that an earlier trial built; each
traced model also keeps about 6 MB of the process's memory for good
(TensorFlow 2.21), which adds up over a notebook's dozens of models.
`TracedModels` keeps one traced model per architecture and, for each new model,
hands back the kept one set to the new model's exact state (weights, optimizer
slots and step count, noise-layer seeds), so that training it gives what
training the new model would.

Two models count as identical only when nothing but their variables can tell
them apart: Keras's own `Sequential` or functional models made of Keras's own
layers (no `Lambda`), with equal layer, compile and optimizer configurations
(layer names aside) and equal variable shapes. Anything else is trained as it
was built.
"""

from __future__ import annotations

import collections
import json

from helpers.checks import check_flag

__all__ = ["MAX_PARAMS", "MAX_MODELS", "TracedModels", "kept_for", "shared", "signature"]

# Only models this small are kept: tracing is what dominates their trials, and
# keeping a few of them costs a few megabytes, also on a GPU.
MAX_PARAMS = 1_000_000
# At most this many architectures are kept per process; the least recently trained goes first.
MAX_MODELS = 8


def signature(model):
    """A string equal for two models that train alike from the same variables, or None if that can't be told."""
    import keras

    kind = type(model)
    # keras.Sequential, or the class of keras.Model(inputs, outputs); a subclass could train its own way.
    if not (kind.__module__.startswith("keras.") and kind.__name__ in ("Sequential", "Functional")):
        return None
    if getattr(model, "optimizer", None) is None:
        return None
    try:
        layers = list(model._flatten_layers(include_self=False))  # nested models' layers too
        configs = [model.get_config(), model.get_compile_config(), model.optimizer.get_config()]
    except Exception:  # a Keras without this method, or a configuration it cannot write: nothing can be told
        return None
    if any(isinstance(layer, keras.layers.Lambda) or not type(layer).__module__.startswith("keras.")
           for layer in layers):
        return None
    # The optimizer is compared once, by its own configuration, without its name; a float learning
    # rate lives in a variable of the optimizer, which TracedModels.reuse() copies.
    configs[1] = {key: value for key, value in configs[1].items() if key != "optimizer"}
    ignored = {"name"} | ({"learning_rate"} if isinstance(configs[2].get("learning_rate"), float) else set())
    configs[2] = {key: value for key, value in configs[2].items() if key not in ignored}
    renamed = {layer.name: f"#{index}" for index, layer in enumerate([model, *layers])}
    shapes = [[list(variable.shape), str(variable.dtype)] for variable in model.variables]
    # repr() gives an unknown object its address, so two models holding one never match.
    return json.dumps([kind.__name__, _renamed(configs, renamed), shapes], sort_keys=True, default=repr)


class TracedModels:
    """Traced models, one per architecture: `reuse(fresh)` returns what to train. See `shared()`."""

    def __init__(self, max_models=MAX_MODELS, max_params=MAX_PARAMS):
        self.max_models, self.max_params = max_models, max_params
        self._models = collections.OrderedDict()  # signature -> traced model, least recently used first

    def __len__(self):
        return len(self._models)

    def reuse(self, fresh):
        """A kept model of `fresh`'s architecture set to `fresh`'s state, or `fresh` itself (then kept).

        Every variable of the kept model (weights, noise-layer seed states) and of its optimizer (step count,
        learning rate, zeroed slots) takes `fresh`'s value, so training it gives what training `fresh` would,
        on the graph Keras already traced.
        """
        if fresh.count_params() > self.max_params:
            return fresh
        key = signature(fresh)
        if key is None:
            return fresh
        model = self._models.pop(key, None)
        model = fresh if model is None else _copy_state(model, fresh)
        self._models[key] = model
        while len(self._models) > self.max_models:
            self._models.popitem(last=False)
        return model


_SHARED = TracedModels()


def shared():
    """The process's `TracedModels`: every search and sweep in one process trains on the same kept models.

    A notebook's sweeps and searches repeat architectures (04 trains width 256 in four experiments), so
    each is traced once per process instead of once per experiment; `MAX_MODELS` bounds what is kept.
    """
    return _SHARED


def kept_for(reuse_traced_models):
    """`shared()` if `reuse_traced_models` is True, None if False; anything else is a ValueError."""
    return _SHARED if check_flag(reuse_traced_models, "reuse_traced_models") else None


def _copy_state(model, fresh):
    """`model` with every variable set to `fresh`'s; the callers have checked that their signatures match."""
    fresh.optimizer.build(fresh.trainable_variables)
    model.optimizer.build(model.trainable_variables)
    # Equal signatures mean equal model variables, and equal optimizer configurations over them equal slots.
    for target, source in zip(model.variables + model.optimizer.variables,
                              fresh.variables + fresh.optimizer.variables, strict=True):
        target.assign(source)
    return model


def _renamed(value, names):
    """`value` with every string that names a layer replaced by that layer's position."""
    if isinstance(value, dict):
        return {key: _renamed(item, names) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_renamed(item, names) for item in value]
    if isinstance(value, str):
        return names.get(value, value)
    return value
