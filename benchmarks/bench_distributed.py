"""Trials per minute of a distributed search with 1 and with 2 workers on this machine.

Both runs use `helpers.Launcher` on the same search (RandomSearch on the
regularization task), each worker limited to one intra-op and one inter-op
thread, alternating 1-worker and 2-worker runs. The wall time counts from the
launch to the last process's exit, start-up included, and the figure without
start-up counts from the first trial's start to the last trial's end.

Run: `.venv/bin/python benchmarks/bench_distributed.py [--trials 12] [--epochs 4] [--rounds 2]`.
Target: 2 workers ≥ 1.5× the trials per minute of 1 worker on 2 cores.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time

from helpers.launch import Launcher

from arguments import count  # benchmarks/arguments.py, beside this script


def trials_per_minute(workers, trials, epochs):
    events = []

    def report(line):
        if " started trial " in line or " finished trial " in line:
            events.append(time.perf_counter())

    with tempfile.TemporaryDirectory() as directory:
        started = time.perf_counter()
        code = Launcher(workers, directory, report=report, tuner="random", trials=trials, epochs=epochs).run(timeout=900)
        total = time.perf_counter() - started
    if code != 0:
        sys.exit(f"the {workers}-worker search did not complete")
    return trials * 60 / total, trials * 60 / (events[-1] - events[0])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=count, default=12)
    parser.add_argument("--epochs", type=count, default=4)
    parser.add_argument("--rounds", type=count, default=2)
    args = parser.parse_args()
    os.environ.update(TF_NUM_INTRAOP_THREADS="1", TF_NUM_INTEROP_THREADS="1", TF_CPP_MIN_LOG_LEVEL="3")
    rates = {1: [], 2: []}
    for _ in range(args.rounds):
        for workers in rates:
            rates[workers].append(trials_per_minute(workers, args.trials, args.epochs))
    print(f"{args.trials} trials × {args.epochs} epochs, {os.cpu_count()} cores, one intra-op thread per worker, "
          f"median of {args.rounds} rounds")
    for label, index in (("wall time, start-up included", 0), ("first trial start to last trial end", 1)):
        one = statistics.median(r[index] for r in rates[1])
        two = statistics.median(r[index] for r in rates[2])
        print(f"  {label}: 1 worker {one:.1f} trials/min, 2 workers {two:.1f} trials/min, ratio {two / one:.2f}×")


if __name__ == "__main__":
    main()
