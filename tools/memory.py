"""The memory of a process tree, counted the way a container such as Binder's is charged for it.

    with TreeMemory(kernel_pid, include_root=True) as memory:   # polled in a thread
        ...                                                    # the kernel may start more processes
    memory.peak_mb                                             # the largest figure seen, in MiB

A container is charged once for each page its processes use. So the figure is the private memory of
every process in the tree, summed, plus the shared part (pages that other processes map too, such as
TensorFlow's libraries) counted once, as the largest shared part of any one process: a kernel and the
workers it starts map the same libraries. Where nothing outside the tree maps those pages this is
what the tree's proportional set sizes (PSS) add up to; unlike PSS, it does not drop when processes
outside the tree, such as a test runner that imported TensorFlow, map the same pages.
"""

from __future__ import annotations

import os
import re
import threading

__all__ = ["TreeMemory", "process_memory_mb", "tree_memory_mb"]

_FIELD = re.compile(r"^(Private_Clean|Private_Dirty|Shared_Clean|Shared_Dirty):\s+(\d+) kB", re.MULTILINE)


def process_memory_mb(process):
    """(private, shared) resident memory of one process in MiB, from /proc/PID/smaps_rollup; None once gone.

    Where /proc has no smaps_rollup, psutil's unique set size stands in for the private part.
    """
    import psutil

    try:
        with open(f"/proc/{process.pid}/smaps_rollup") as rollup:
            fields = {name: int(kb) / 1024 for name, kb in _FIELD.findall(rollup.read())}
        if len(fields) == 4:
            return (fields["Private_Clean"] + fields["Private_Dirty"], fields["Shared_Clean"] + fields["Shared_Dirty"])
    except OSError:
        pass
    try:
        info = process.memory_full_info()
        return info.uss / 2**20, (info.rss - info.uss) / 2**20
    except psutil.Error:
        return None


def tree_memory_mb(root_pid=None, include_root=False):
    """The memory of every descendant of `root_pid` (this process by default), in MiB: private parts summed,
    plus the largest shared part."""
    import psutil

    try:
        root = psutil.Process(root_pid or os.getpid())
        processes = root.children(recursive=True) + ([root] if include_root else [])
    except psutil.Error:
        return 0.0
    parts = [part for part in (process_memory_mb(process) for process in processes) if part is not None]
    return sum(private for private, _ in parts) + max((shared for _, shared in parts), default=0.0)


class TreeMemory:
    """Polls `tree_memory_mb` every `interval` seconds in a thread and keeps the peak (`peak_mb`)."""

    def __init__(self, root_pid=None, include_root=False, interval=0.2):
        self.root_pid, self.include_root, self.interval = root_pid, include_root, interval
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
        while True:
            self.peak_mb = max(self.peak_mb, tree_memory_mb(self.root_pid, self.include_root))
            if self._stop.wait(self.interval):
                return
