"""Image augmentation with Keras's preprocessing layers: in the tf.data pipeline, or inside the model.

The same `keras.layers.Pipeline` of random layers can run in two places. In
the training pipeline (`augmented_dataset`), its factors are data
hyperparameters that `dataset_fn` declares, it runs on the CPU in tf.data's
threads, ahead of training, and the saved model knows nothing of it. Inside
the model (`make_digits_mlp(augmentation=...)`), its factors are model
hyperparameters, it runs in every training step on the model's device, and it
is saved with the model, where it does nothing at inference.
"""

from __future__ import annotations

from helpers.checks import check_count, check_image_shape, check_probability
from helpers.pipelines import as_float32_pair, validation_by_batch_size, without_autotune

__all__ = ["image_augmentation", "augmented_dataset", "augmentation_dataset_fn"]


def image_augmentation(translation=0.0, rotation=0.0, zoom=0.0, seed=None):
    """A `keras.layers.Pipeline` of RandomTranslation, RandomRotation and RandomZoom, for images (h, w, channels).

    `translation` moves an image by up to that fraction of its height and
    width, `rotation` turns it by up to that fraction of a full turn, and
    `zoom` zooms in or out by up to that fraction; the pixels uncovered are
    zero. A factor of 0 leaves its layer out, so all three at 0 give a
    pipeline that returns its input (Keras 3.15's `Pipeline` fails when empty,
    so it then holds one `Identity` layer). Layer i draws from the seed `seed + i`;
    with `seed=None`, the default, each layer takes its seed from Keras's global one
    (`keras.utils.set_random_seed`), as a layer built inside a model does.
    Introduced in notebook 08.
    """
    import keras

    factors = {"translation": translation, "rotation": rotation, "zoom": zoom}
    for name, value in factors.items():
        factors[name] = check_probability(value, name, expected="a fraction")
    if seed is not None:
        seed = check_count(seed, "seed", minimum=0)
    make = {
        "translation": lambda factor, seed: keras.layers.RandomTranslation(factor, factor, fill_mode="constant",
                                                                         seed=seed),
        "rotation": lambda factor, seed: keras.layers.RandomRotation(factor, fill_mode="constant", seed=seed),
        "zoom": lambda factor, seed: keras.layers.RandomZoom(factor, fill_mode="constant", seed=seed),
    }
    layers = [make[name](value, None if seed is None else seed + index)
              for index, (name, value) in enumerate(factors.items()) if value]
    return keras.layers.Pipeline(layers or [keras.layers.Identity()], name="augmentation")


def augmented_dataset(x, y, batch_size, augmentation, image_shape, seed=0, passes=1):
    """Shuffled, batched training data whose flattened images go through `augmentation` batch by batch.

    Each batch of x is reshaped to `image_shape` + (1,), augmented with
    `training=True` and flattened back, in tf.data's graph. The batches are
    augmented one after another (`num_parallel_calls=None`): the random
    layers draw from a seed that advances with every call, so their order
    fixes the draws, and a pipeline rebuilt with the same seeds gives the same
    images. Validation data goes through `helpers.validation_dataset` instead.
    Notebook 08 writes the same pipeline out for 8×8 images.
    """
    import tensorflow as tf

    x, y = as_float32_pair(x, y, "training")
    batch_size = check_count(batch_size, "batch_size")
    passes = check_count(passes, "passes")
    height, width = check_image_shape(image_shape, x.shape[1:], needed_by="augmented_dataset")

    def augment(images, labels):
        images = augmentation(tf.reshape(images, (-1, height, width, 1)), training=True)
        return tf.reshape(images, (-1, height * width)), labels

    dataset = tf.data.Dataset.from_tensor_slices((x, y))
    dataset = dataset.shuffle(len(x), seed=seed, reshuffle_each_iteration=True).repeat(passes).batch(batch_size)
    return without_autotune(dataset.map(augment, num_parallel_calls=None).prefetch(tf.data.AUTOTUNE))


def augmentation_dataset_fn(task, max_translation=0.25, max_rotation=0.1, max_zoom=0.25, passes=1):
    """A `dataset_fn(hp, batch_size, seed)` whose three augmentation factors are data hyperparameters.

    It declares `translation`, `rotation` and `zoom`, floats from 0 to their
    maximum (default 0), builds `image_augmentation` from the trial's values
    and seed, and applies it to the training split of an image task. The
    validation split is never augmented. Notebook 08 writes the same function
    out; `benchmarks/bench_augment.py` and the tests use this one.
    """
    if task.image_shape is None:
        raise ValueError(f"task {task.name!r} has no image_shape; expected an image task such as digits_task()")
    maxima = {"translation": max_translation, "rotation": max_rotation, "zoom": max_zoom}
    for name, value in maxima.items():
        maxima[name] = check_probability(value, f"max_{name}", expected="a fraction")
    passes = check_count(passes, "passes")
    validation = validation_by_batch_size(task)

    def dataset_fn(hp, batch_size, seed=0):
        factors = {name: hp.Float(name, 0.0, maximum, default=0.0) for name, maximum in maxima.items()}
        batch_size = check_count(batch_size, "batch_size", hint="pass batch_size to search()")
        augmentation = image_augmentation(**factors, seed=seed)
        train = augmented_dataset(task.x_train, task.y_train, batch_size, augmentation, task.image_shape,
                                  seed=seed, passes=passes)
        return train, validation(batch_size)

    return dataset_fn
