"""dataset_fn may return what model.fit takes: tf.data pipelines (test_tuners.py), PyDatasets and NumPy (x, y) pairs.

For each kind and both routes, one Hyperband search shows that trials train the scheduled epochs, warm-start
from their parents, re-run alone to the same score, and are scored on untouched validation data.
"""

import math
import re

import keras
import keras_tuner as kt
import numpy as np
import pytest
from factories import ROUTES, FirstWeights, Recorder, assert_warm_starts_from_parents, make_tuner, search

import helpers

KINDS = ["arrays", "pydataset"]


class NoisyBatches(keras.utils.PyDataset):
    """Batches of (x + noise, y) in order; every epoch draws fresh noise from a generator seeded with `seed`."""

    def __init__(self, x, y, batch_size, noise, seed):
        super().__init__()
        self.x, self.y, self.batch_size, self.noise = x, y, batch_size, noise
        self.rng = np.random.default_rng(seed)
        self.on_epoch_end()

    def __len__(self):
        return math.ceil(len(self.x) / self.batch_size)

    def __getitem__(self, index):
        batch = slice(index * self.batch_size, (index + 1) * self.batch_size)
        return self.noisy[batch], self.y[batch]

    def on_epoch_end(self):
        self.noisy = self.x + self.rng.normal(0.0, self.noise, self.x.shape).astype("float32") if self.noise else self.x


def kind_dataset_fn(kind, task):
    """A dataset_fn that declares aug_noise and returns data of `kind`, noisy for training only, seeded by `seed`."""

    def dataset_fn(hp, batch_size, seed=0):
        noise = hp.Float("aug_noise", 0.0, 0.5, default=0.25)
        if kind == "arrays":
            noisy = task.x_train + np.random.default_rng(seed).normal(0.0, noise, task.x_train.shape).astype("float32")
            return (noisy, task.y_train), (task.x_val, task.y_val)
        return (NoisyBatches(task.x_train, task.y_train, batch_size, noise, seed),
                NoisyBatches(task.x_val, task.y_val, batch_size, 0.0, seed))

    return dataset_fn


class StepsPerEpoch(Recorder):
    """Records the number of training batches of every epoch."""

    def on_epoch_begin(self, epoch, logs=None):
        self.runs.append(0)

    def on_train_batch_end(self, batch, logs=None):
        self.runs[-1] += 1


@pytest.fixture(scope="module", params=[(route, kind) for kind in KINDS for route in ROUTES],
                ids=lambda param: "-".join(param))
def kind_search(request, tiny_task, tmp_path_factory):
    route, kind = request.param
    first_weights, steps = FirstWeights(), StepsPerEpoch()
    tuner = make_tuner(route, "hyperband", tmp_path_factory.mktemp(f"{route}-{kind}"),
                       dataset_fn=kind_dataset_fn(kind, tiny_task))
    search(tuner, epochs=3, batch_size=16, callbacks=[first_weights, steps])
    return tuner, first_weights, steps


def test_each_trial_trains_its_scheduled_epochs_in_batches_of_the_search_s_size(kind_search, tiny_task):
    tuner, _, steps = kind_search
    table = helpers.epochs_table(tuner)
    assert (table["trained"] == table["scheduled"]).all(), table.to_string()
    assert (table["initial_epoch"] > 0).any(), "no warm-started trial in this schedule"
    assert set(steps.runs) == {math.ceil(len(tiny_task.x_train) / 16)}


def test_a_continued_trial_starts_from_its_parent_s_best_weights(kind_search):
    tuner, first_weights, _ = kind_search
    assert_warm_starts_from_parents(tuner, first_weights)


def test_trials_re_run_alone_to_their_scores_and_were_scored_on_clean_validation_data(kind_search, tiny_task):
    tuner, _, _ = kind_search
    trials = list(tuner.oracle.trials.values())
    warm = next(trial for trial in trials if "tuner/trial_id" in trial.hyperparameters.values)
    for trial in (trials[0], warm):
        assert helpers.rerun_trial(tuner, trial.trial_id) == pytest.approx(trial.score, rel=1e-5), trial.trial_id
    for trial in trials:
        clean = tuner.load_model(trial).evaluate(tiny_task.x_val, tiny_task.y_val, verbose=0)
        assert clean == pytest.approx(trial.score, rel=1e-4, abs=1e-6), trial.trial_id


def _generator(hp, batch_size):
    hp.Float("aug_noise", 0.0, 0.5)
    return (batch for batch in []), (batch for batch in [])


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("returned, message", [
    (lambda task: ({"x": task.x_train}, (task.x_val, task.y_val)),
     r"returned a value of type dict as its training data; expected a tf.data.Dataset, a keras.utils.PyDataset "
     r"or an \(x, y\) pair of arrays"),
    (lambda task: ((task.x_train, task.y_train[:10]), (task.x_val, task.y_val)),
     r"training data as an \(x, y\) pair of arrays with 64 and 10 rows; expected as many rows in y as in x"),
    (lambda task: ((task.x_train, task.y_train), (task.x_val[:0], task.y_val[:0])),
     r"returned an empty validation dataset"),
], ids=["dict", "unequal-rows", "empty-arrays"])
def test_data_of_a_kind_fit_cannot_take_is_named_when_the_tuner_is_made(route, returned, message, tiny_task, tmp_path):
    def dataset_fn(hp, batch_size):
        hp.Float("aug_noise", 0.0, 0.5)
        return returned(tiny_task)

    with pytest.raises(kt.errors.FatalError, match=message):
        make_tuner(route, "random", tmp_path, dataset_fn=dataset_fn)


@pytest.mark.parametrize("route", ROUTES)
def test_a_python_generator_is_refused_with_the_pydataset_to_write_instead(route, tmp_path):
    with pytest.raises(kt.errors.FatalTypeError, match=r"of type generator as its training data;.*runs out after one "
                                                       r"epoch: write it as a keras.utils.PyDataset"):
        make_tuner(route, "random", tmp_path, dataset_fn=_generator)


def test_a_pydataset_with_its_own_unseeded_generator_cannot_be_re_run_and_rerun_trial_says_why(tiny_task, tmp_path):
    def dataset_fn(hp, batch_size):  # no seed argument: each call draws noise nobody can replay
        noise = hp.Float("aug_noise", 0.3, 0.5)
        return (NoisyBatches(tiny_task.x_train, tiny_task.y_train, batch_size, noise, seed=None),
                (tiny_task.x_val, tiny_task.y_val))

    def smooth_build(hp):  # tanh units never die, so the score always depends on the noise the model saw
        model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(4, activation="tanh"),
                                  keras.layers.Dense(1)])
        model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
        return model

    tuner = search(make_tuner("subclass", "random", tmp_path, build=smooth_build, dataset_fn=dataset_fn,
                              max_trials=3), epochs=2)
    # Two different noise draws can, rarely, score within rerun_trial's tolerance; then that re-run passes. Three
    # trials make it all but impossible that none is refused.
    refusals = []
    for trial_id in sorted(tuner.oracle.trials):
        try:
            helpers.rerun_trial(tuner, trial_id)
        except RuntimeError as error:
            refusals.append((trial_id, str(error)))
    assert refusals, "no re-run of an unseeded PyDataset was refused"
    for trial_id, refusal in refusals:
        assert re.match(rf"trial '{trial_id}' scored .* when it ran and .* now: its data draw randomness that the "
                        r"trial's seed does not reach, such as a PyDataset", refusal), refusal


class Endless(NoisyBatches):
    """A PyDataset that says it never ends."""

    @property
    def num_batches(self):
        return None


class Unsized(keras.utils.PyDataset):
    """A PyDataset that tells neither its length nor that it is endless."""

    def __init__(self, x, y):
        super().__init__()
        self.x, self.y = x, y

    def __getitem__(self, index):
        return self.x[:16], self.y[:16]


@pytest.mark.parametrize("route", ROUTES)
def test_a_pydataset_of_unknown_or_endless_length_is_named_before_training(route, tiny_task, tmp_path):
    def unsized(hp, batch_size):
        hp.Float("aug_noise", 0.0, 0.5)
        return Unsized(tiny_task.x_train, tiny_task.y_train), (tiny_task.x_val, tiny_task.y_val)

    with pytest.raises(kt.errors.FatalTypeError, match=r"returned a PyDataset as its training data that has neither "
                                                       r"__len__ nor num_batches"):
        make_tuner(route, "random", tmp_path / "unsized", dataset_fn=unsized)

    def endless(hp, batch_size):
        hp.Float("aug_noise", 0.0, 0.5)
        return Endless(tiny_task.x_train, tiny_task.y_train, batch_size, 0.0, 0), (tiny_task.x_val, tiny_task.y_val)

    tuner = make_tuner(route, "random", tmp_path / "endless", dataset_fn=endless, max_trials=1)
    with pytest.raises(kt.errors.FatalValueError,
                       match=r"infinite training dataset .*PyDataset whose num_batches is None.*steps_per_epoch"):
        search(tuner, epochs=1)
    tuner = make_tuner(route, "random", tmp_path / "steps", dataset_fn=endless, max_trials=1)
    search(tuner, epochs=1, steps_per_epoch=2)
    trial = tuner.oracle.get_trial("0")
    assert trial.status == "COMPLETED"
    assert helpers.rerun_trial(tuner, "0") == pytest.approx(trial.score, rel=1e-5), "the re-run replays steps_per_epoch"


@pytest.mark.parametrize("route", ROUTES)
def test_arrays_without_a_batch_size_stop_the_search_before_anything_trains(route, tiny_task, tmp_path):
    tuner = make_tuner(route, "random", tmp_path, dataset_fn=kind_dataset_fn("arrays", tiny_task), max_trials=1)
    with pytest.raises(kt.errors.FatalValueError, match=r"returned its training and validation data as arrays, which "
                                                        r"Keras batches, and the trial has no batch size"):
        tuner.search(epochs=1, verbose=0)
    assert [trial.status for trial in tuner.oracle.trials.values()] in ([], ["FAILED"])
