"""Trials of one architecture train one traced model, and score exactly as fresh models would."""

import keras
import numpy as np
import pytest
from factories import ROUTES, RecordingDatasetFn, make_tuner, search

import helpers
from helpers import traced


def traced_build(hp):
    """Like tiny_build, with units 2 or 4 and Adam, whose slots and step count reuse must reset."""
    units = hp.Choice("units", [2, 4], default=2)
    model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(units, activation="relu"),
                              keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    return model


class ModelIds(keras.callbacks.Callback):
    """Records which model object every epoch of a search trained."""

    def __init__(self):
        super().__init__()
        self.ids = []

    def __deepcopy__(self, memo):  # keras-tuner copies the callbacks for every trial; keep one record
        return self

    def on_epoch_end(self, epoch, logs=None):
        self.ids.append(id(self.model))


def searched(route, directory, task, reuse):
    kwargs = {"reuse_traced_models": reuse}
    build = traced_build
    if route == "hypermodel":  # the option belongs to the HyperModel on this route
        build = helpers.DatasetHyperModel(traced_build, RecordingDatasetFn(task), **kwargs)
        kwargs = {}
    kwargs.update(max_epochs=2, factor=2)  # four trials, one of them warm-started
    tuner = make_tuner(route if route == "subclass" else "stock", "hyperband", directory / str(reuse), build=build,
                       dataset_fn=RecordingDatasetFn(task) if route == "subclass" else None, **kwargs)
    ids = ModelIds()
    search(tuner, epochs=2, callbacks=[ids])
    return tuner, ids.ids


@pytest.fixture(scope="module", params=ROUTES)
def searches(request, tiny_task, tmp_path_factory):
    """The same Hyperband search on one route, with and without reuse: {reuse: (tuner, trained model ids)}."""
    directory = tmp_path_factory.mktemp(request.param)
    return {reuse: searched(request.param, directory, tiny_task, reuse) for reuse in (True, False)}


def test_trials_of_one_architecture_train_one_model_and_score_as_fresh_models_would(searches):
    (reused_tuner, reused_ids), (fresh_tuner, fresh_ids) = searches[True], searches[False]
    reused, fresh = ([tuner.oracle.trials[t] for t in sorted(tuner.oracle.trials)] for tuner in (reused_tuner, fresh_tuner))
    assert [t.hyperparameters.values for t in reused] == [t.hyperparameters.values for t in fresh]
    assert [t.score for t in reused] == pytest.approx([t.score for t in fresh], rel=1e-6)
    assert any("tuner/trial_id" in t.hyperparameters.values for t in reused), "no warm start was checked"
    widths = {t.hyperparameters["units"] for t in reused}
    assert len(set(reused_ids)) == len(widths) < len(reused), "one model per architecture should train"
    assert len(set(fresh_ids)) > len(widths), "without reuse, every trial trains its own model"


def test_best_models_are_built_fresh_not_the_model_that_trials_share(searches):
    tuner, ids = searches[True]
    models = tuner.get_best_models(num_models=len(tuner.oracle.trials))
    assert len({id(model) for model in models}) == len(models)
    assert not {id(model) for model in models} & set(ids)


def test_models_that_differ_only_in_layer_names_or_learning_rate_share_a_signature():
    def make(learning_rate):
        model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(4), keras.layers.Dense(1)])
        model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="mse")
        return model

    first, second = make(0.01), make(0.1)
    assert first.layers[0].name != second.layers[0].name
    assert traced.signature(first) == traced.signature(second) is not None


@pytest.mark.parametrize("change", ["width", "activation", "loss", "beta_1", "eager", "lambda", "subclassed"])
def test_models_that_could_train_differently_never_share_a_signature(change):
    def make(width=4, activation=None, loss="mse", beta_1=0.9, run_eagerly=False, extra=()):
        layers = [keras.Input(shape=(3,)), *extra, keras.layers.Dense(width, activation=activation),
                  keras.layers.Dense(1)]
        model = keras.Sequential(layers)
        model.compile(optimizer=keras.optimizers.Adam(0.01, beta_1=beta_1), loss=loss, run_eagerly=run_eagerly)
        return model

    class Subclassed(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(1)

        def call(self, x):
            return self.dense(x)

    base = make()
    if change == "subclassed":
        model = Subclassed()
        model.compile(optimizer="adam", loss="mse")
        assert traced.signature(model) is None
        return
    if change == "lambda":
        assert traced.signature(make(extra=[keras.layers.Lambda(lambda x: 2 * x)])) is None
        return
    other = {"width": lambda: make(width=8), "activation": lambda: make(activation="relu"),
             "loss": lambda: make(loss="mae"), "beta_1": lambda: make(beta_1=0.5),
             "eager": lambda: make(run_eagerly=True)}[change]()
    assert traced.signature(other) != traced.signature(base)
    kept = traced.TracedModels()
    kept.reuse(base)
    assert kept.reuse(other) is other


def test_a_restarted_model_trains_like_the_fresh_model_it_copies():
    x = np.linspace(0, 1, 32, dtype=np.float32).reshape(-1, 1)

    def make(learning_rate):
        model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.GaussianNoise(0.1),
                                  keras.layers.Dense(8, activation="relu"), keras.layers.Dense(1)])
        model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="mse")
        return model

    used = make(0.05)
    used.fit(x, x, epochs=2, verbose=0)  # traced, trained, with optimizer slots and a step count
    keras.utils.set_random_seed(3)
    fresh = make(0.01)
    keras.utils.set_random_seed(3)
    expected = make(0.01).fit(x, x, epochs=2, verbose=0, shuffle=False).history["loss"]
    kept = traced.TracedModels()
    kept.reuse(used)
    model = kept.reuse(fresh)
    assert model is used
    assert model.fit(x, x, epochs=2, verbose=0, shuffle=False).history["loss"] == pytest.approx(expected, rel=1e-6)


def test_only_small_models_are_kept_and_the_least_recently_used_goes_first():
    def make(width):
        model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(width), keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        return model

    kept = traced.TracedModels(max_models=2, max_params=100)
    big = make(64)
    assert kept.reuse(big) is big and len(kept) == 0, "a model over max_params is not kept"
    one, two, three = make(1), make(2), make(3)
    assert [kept.reuse(m) for m in (one, two)] == [one, two]
    assert kept.reuse(make(1)) is one, "a model of a kept architecture trains the kept one"
    assert kept.reuse(three) is three and len(kept) == 2
    assert kept.reuse(make(1)) is one, "the most recently used stays"
    other = make(2)
    assert kept.reuse(other) is other, "the least recently used went first"


@pytest.mark.parametrize("route", ROUTES)
def test_reuse_traced_models_must_be_true_or_false(route, tiny_task, tmp_path):
    with pytest.raises(ValueError, match=r"reuse_traced_models='no' is invalid; expected True or False"):
        if route == "subclass":
            helpers.DatasetRandomSearch(traced_build, dataset_fn=RecordingDatasetFn(tiny_task), max_trials=1,
                                        directory=str(tmp_path), reuse_traced_models="no")
        else:
            helpers.DatasetHyperModel(traced_build, RecordingDatasetFn(tiny_task), reuse_traced_models="no")


def test_functional_models_are_reused_like_sequential_ones():
    def make():
        inputs = keras.Input(shape=(2,))
        outputs = keras.layers.Dense(1)(keras.layers.Dense(3, activation="relu")(inputs))
        model = keras.Model(inputs, outputs)
        model.compile(optimizer="adam", loss="mse")
        return model

    first, second = make(), make()
    assert traced.signature(first) == traced.signature(second) is not None
    kept = traced.TracedModels()
    kept.reuse(first)
    assert kept.reuse(second) is first
