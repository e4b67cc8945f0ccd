"""Seconds per epoch of image augmentation in the tf.data pipeline against the same layers in the model.

On notebook 08's digits (200 training images, 20 passes an epoch, batches of
128, two hidden layers of 256 units), one epoch is timed four ways:

* none: clean data, the plain model;
* pipeline: `helpers.image_augmentation` mapped over the batches by
  `helpers.augmented_dataset`, the plain model;
* model: the same layers inside the model (`make_digits_mlp(augmentation=...)`);
* HyperImageAugment: keras-tuner's own augmentation model, with the same
  translation and rotation, in front of the same network.

Each model is fitted once first, so that tracing is left out; then `--epochs`
epochs are timed in one `fit`, in alternating rounds, and the median is
printed. Then three random searches with the same budget and seed (one per
placement, HyperImageAugment with its own space, narrowed to the digits) print
their time and best validation cross-entropy; their times include tracing,
which a model hyperparameter repeats in every trial.

Run: `.venv/bin/python benchmarks/bench_augment.py [--epochs 5] [--rounds 3] [--trials 3]`.
"""

import argparse
import statistics
import tempfile
import time

import helpers

from arguments import count  # benchmarks/arguments.py, beside this script

TRANSLATION, ROTATION, ZOOM = 0.1, 0.03, 0.1
WIDTH, BATCH_SIZE, PASSES, EPOCHS = 256, 128, 20, 3


def hyper_image_augment(translation, rotation):
    """keras-tuner's HyperImageAugment, its layers applied one after another, narrowed to these maxima."""
    import keras_tuner as kt

    return kt.applications.HyperImageAugment(input_shape=(8, 8, 1), augment_layers=0, rotate=rotation,
                                             translate_x=translation, translate_y=translation, contrast=None)


def fixed_hyper_augment_layer():
    """HyperImageAugment's model with its factors at TRANSLATION and ROTATION."""
    import keras_tuner as kt

    hp = kt.HyperParameters()
    hp.Fixed("factor_rotate", ROTATION)
    hp.Fixed("factor_translate_x", TRANSLATION)
    hp.Fixed("factor_translate_y", TRANSLATION)
    return hyper_image_augment(TRANSLATION, ROTATION).build(hp)


def ways(digits):
    """name -> (make the model, make the training data)."""
    clean = lambda: helpers.train_dataset(digits.x_train, digits.y_train, BATCH_SIZE, seed=1, passes=PASSES)
    augmentation = lambda seed=None: helpers.image_augmentation(TRANSLATION, ROTATION, ZOOM, seed=seed)
    return {
        "none": (lambda: helpers.make_digits_mlp(WIDTH), clean),
        "pipeline": (lambda: helpers.make_digits_mlp(WIDTH), lambda: helpers.augmented_dataset(
            digits.x_train, digits.y_train, BATCH_SIZE, augmentation(1), digits.image_shape, seed=1, passes=PASSES)),
        "model": (lambda: helpers.make_digits_mlp(WIDTH, augmentation=augmentation()), clean),
        "HyperImageAugment": (lambda: helpers.make_digits_mlp(WIDTH, augmentation=fixed_hyper_augment_layer()), clean),
    }


def time_epochs(digits, epochs, rounds):
    import keras

    models = {}
    for name, (make_model, make_data) in ways(digits).items():
        keras.utils.set_random_seed(1)
        models[name] = (make_model(), make_data)
        models[name][0].fit(make_data(), epochs=1, verbose=0)  # trace once, outside the timing
    times = {name: [] for name in models}
    for _ in range(rounds):
        for name, (model, make_data) in models.items():
            data = make_data()
            started = time.perf_counter()
            model.fit(data, epochs=epochs, verbose=0)
            times[name].append((time.perf_counter() - started) / epochs)
    return {name: statistics.median(values) for name, values in times.items()}


def searches(digits, trials):
    import keras_tuner as kt

    validation = helpers.validation_dataset(digits.x_val, digits.y_val, BATCH_SIZE)

    def factors(hp):
        return {"translation": hp.Float("translation", 0.0, 0.15, default=0.0),
                "rotation": hp.Float("rotation", 0.0, 0.05, default=0.0),
                "zoom": hp.Float("zoom", 0.0, 0.15, default=0.0)}

    def augmented_fn(hp, batch_size, seed=0):
        train = helpers.augmented_dataset(digits.x_train, digits.y_train, batch_size,
                                          helpers.image_augmentation(**factors(hp), seed=seed), digits.image_shape,
                                          seed=seed, passes=PASSES)
        return train, validation

    def clean_fn(hp, batch_size, seed=0):
        return helpers.train_dataset(digits.x_train, digits.y_train, batch_size, seed=seed, passes=PASSES), validation

    hyper_augment = hyper_image_augment(0.15, 0.05)
    runs = {
        "pipeline": (lambda hp: helpers.make_digits_mlp(WIDTH), augmented_fn),
        "model": (lambda hp: helpers.make_digits_mlp(WIDTH, augmentation=helpers.image_augmentation(**factors(hp))),
                  clean_fn),
        "HyperImageAugment": (lambda hp: helpers.make_digits_mlp(WIDTH, augmentation=hyper_augment.build(hp)),
                              clean_fn),
    }
    objective = kt.Objective("val_cross_entropy", direction="min")
    results = {}
    for name, (build_model, dataset_fn) in runs.items():
        tuner = helpers.DatasetRandomSearch(build_model, dataset_fn=dataset_fn, objective=objective, max_trials=trials,
                                            seed=1, directory=tempfile.mkdtemp())
        started = time.perf_counter()
        tuner.search(epochs=EPOCHS, batch_size=BATCH_SIZE, verbose=0)
        results[name] = (time.perf_counter() - started, tuner.oracle.get_best_trials()[0].score)
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=count, default=5)
    parser.add_argument("--rounds", type=count, default=3)
    parser.add_argument("--trials", type=count, default=3)
    args = parser.parse_args()
    tf = helpers.quiet_tensorflow()
    digits = helpers.digits_task(n_train=200, n_val=400)
    print(f"TensorFlow {tf.__version__}; digits: 200 images × {PASSES} passes an epoch, batches of {BATCH_SIZE}, "
          f"width {WIDTH}; translation {TRANSLATION}, rotation {ROTATION}, zoom {ZOOM}")
    per_epoch = time_epochs(digits, args.epochs, args.rounds)
    print(f"seconds per epoch (median of {args.rounds} rounds of {args.epochs} epochs, tracing left out):")
    for name, seconds in per_epoch.items():
        print(f"  {name:18s} {seconds:6.3f} s   {seconds / per_epoch['none']:4.2f}× none")
    print(f"random searches, {args.trials} trials × {EPOCHS} epochs, seed 1 (time includes tracing):")
    for name, (seconds, score) in searches(digits, args.trials).items():
        print(f"  {name:18s} {seconds:6.1f} s   best val_cross_entropy {score:.3f}")


if __name__ == "__main__":
    main()
