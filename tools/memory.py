"""The memory of a process tree, summed the way a container such as Binder's is charged for it.

    with TreeMemory(kernel_pid, include_root=True) as memory:   # polled in a thread
        ...                                                    # the kernel may start more processes
    memory.peak_mb                                             # the largest sum seen, in MiB

Each process counts with its proportional set size (PSS, from /proc/PID/smaps_rollup): a page that n
processes map counts 1/n in each. TensorFlow's libraries, mapped by a kernel and by the workers it
starts, therefore count about once in the sum, and every process's own memory counts in full. Where
/proc gives no PSS, the resident set size stands in, which counts shared pages more than once.

PSS divides a page among all the processes that map it, those outside the tree included. Measured
alone (`make notebooks`), the sum is what the tree costs; under `make test`, where test processes map
TensorFlow's libraries too, it reads lower (about 440 against 760 MiB for notebook 01 on a 2-core
machine). The committed figures, measured alone, are the ones to hold to a limit.
"""

from __future__ import annotations

import os
import re
import threading
import time

__all__ = ["TreeMemory", "process_memory_mb", "tree_memory_mb"]

_PSS = re.compile(r"^Pss:\s+(\d+) kB", re.MULTILINE)


def process_memory_mb(process):
    """One process's PSS in MiB (its RSS where /proc has no smaps_rollup); None once it has gone."""
    import psutil

    try:
        with open(f"/proc/{process.pid}/smaps_rollup") as rollup:
            return int(_PSS.search(rollup.read()).group(1)) / 1024
    except (OSError, AttributeError):
        try:
            return process.memory_info().rss / 2**20
        except psutil.Error:
            return None


def tree_memory_mb(root_pid=None, include_root=False):
    """The summed PSS of every descendant of `root_pid` (this process by default), in MiB."""
    return _summed(_tree(root_pid, include_root))


def _summed(processes):
    return sum(filter(None, (process_memory_mb(process) for process in processes)))


def _tree(root_pid, include_root):
    import psutil

    try:
        root = psutil.Process(root_pid or os.getpid())
        return root.children(recursive=True) + ([root] if include_root else [])
    except psutil.Error:
        return []


def _resident_mb(processes):
    """{pid: resident set size in MiB} of the processes still running: cheap, from /proc/PID/statm."""
    import psutil

    sizes = {}
    for process in processes:
        try:
            sizes[process.pid] = process.memory_info().rss / 2**20
        except psutil.Error:
            pass
    return sizes


class TreeMemory:
    """Polls the tree every `interval` seconds in a thread and keeps the peak of `tree_memory_mb` (`peak_mb`).

    Reading a TensorFlow process's PSS costs the kernel about 20 ms of CPU (it walks every mapping), and a
    tree may hold several. So each poll reads only the resident sizes, which cost microseconds, and sums the
    PSS again when the tree may have grown: a new process, resident memory up by `grow_mb` since the last
    sum, or `refresh` seconds gone by (a process outside the tree that shared its pages may have ended).
    """

    def __init__(self, root_pid=None, include_root=False, interval=0.5, grow_mb=1.0, refresh=2.0):
        self.root_pid, self.include_root, self.interval = root_pid, include_root, interval
        self.grow_mb, self.refresh = grow_mb, refresh
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True, name="tree-memory")

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _poll(self):
        summed_at, summed_sizes = None, {}
        while True:
            processes = _tree(self.root_pid, self.include_root)
            sizes = _resident_mb(processes)
            if (summed_at is None or set(sizes) - set(summed_sizes) or time.monotonic() - summed_at >= self.refresh
                    or sum(sizes.values()) >= sum(summed_sizes.values()) + self.grow_mb):
                self.peak_mb = max(self.peak_mb, _summed(processes))
                summed_at, summed_sizes = time.monotonic(), sizes
            if self._stop.wait(self.interval):
                return
