"""Throughput of the augmented training pipeline against the original per-element map.

Both pipelines read the linear task's 10,000 training points, shuffle them and
add Gaussian noise to x:

* per-element (the original): map the noise over single samples, then batch,
  no prefetch;
* vectorised (helpers.train_dataset): batch, then add noise to whole batches
  with a stateless RNG, then prefetch.

Run: `.venv/bin/python benchmarks/bench_pipeline.py [--batch-size 24] [--epochs 5]`.
Prints samples per second for each, measured alternately in one process, and
the ratio. Target: vectorised ≥ 5× per-element.

The headline figure consumes each epoch in-graph (`Dataset.reduce`), as
Keras's compiled train step does. The Python-loop figure adds about 0.1 ms of
eager iterator overhead per batch to both pipelines, which hides the
pipelines' own cost; it is printed for comparison.
"""

import argparse
import statistics
import time

import helpers

from arguments import count  # benchmarks/arguments.py, beside this script


def per_element_pipeline(x, y, batch_size, noise, seed):
    import tensorflow as tf

    dataset = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(len(x), seed=seed)
    dataset = dataset.map(lambda xi, yi: (xi + tf.random.normal(tf.shape(xi), stddev=noise), yi))
    return dataset.batch(batch_size)


def count_in_graph(dataset):
    import tensorflow as tf

    return dataset.reduce(tf.constant(0, tf.int64), lambda count, _: count + 1)


def count_in_python(dataset):
    count = 0
    for _ in dataset:
        count += 1
    return count


def samples_per_second(dataset, n_samples, epochs, consume):
    consume(dataset)  # warm up: trace and build once
    started = time.perf_counter()
    for _ in range(epochs):
        consume(dataset)
    return n_samples * epochs / (time.perf_counter() - started)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-size", type=count, default=24)
    parser.add_argument("--epochs", type=count, default=5)
    parser.add_argument("--rounds", type=count, default=3)
    args = parser.parse_args()
    tf = helpers.quiet_tensorflow()
    task = helpers.linear_task()
    n = len(task.x_train)
    pipelines = {
        "per-element map": per_element_pipeline(task.x_train, task.y_train, args.batch_size, 1.0, seed=0),
        "vectorised (helpers)": helpers.train_dataset(task.x_train, task.y_train, args.batch_size, noise=1.0, seed=0),
    }
    print(f"TensorFlow {tf.__version__}, batch_size={args.batch_size}, {n} samples × {args.epochs} epochs, "
          f"median of {args.rounds} alternating rounds")
    for label, consume in (("in-graph (as Keras consumes it)", count_in_graph), ("Python loop", count_in_python)):
        rates = {name: [] for name in pipelines}
        for _ in range(args.rounds):
            for name, dataset in pipelines.items():
                rates[name].append(samples_per_second(dataset, n, args.epochs, consume))
        medians = {name: statistics.median(values) for name, values in rates.items()}
        print(f"{label}:")
        for name, rate in medians.items():
            print(f"  {name:22s} {rate:12,.0f} samples/s")
        ratio = medians["vectorised (helpers)"] / medians["per-element map"]
        print(f"  speed-up: {ratio:.1f}× (target ≥ 5×)")


if __name__ == "__main__":
    main()
