"""tools.memory counts a whole process tree as a container is charged: every private page, each shared page once."""

import subprocess
import sys
import time

import psutil

from tools import memory

# A child that holds about 150 MiB of its own, then starts a grandchild that holds as much, then waits.
_HOLDER = ("import subprocess, sys, time\n"
           "held = b'x' * (150 << 20)\n"
           "if sys.argv[1] == 'parent':\n"
           "    child = subprocess.Popen([sys.executable, '-c', sys.argv[2], 'child', ''])\n"
           "print('ready', flush=True)\n"
           "time.sleep(3)\n"
           "if sys.argv[1] == 'parent':\n"
           "    child.wait()\n")


def test_the_peak_counts_every_process_of_the_tree_once():
    with memory.TreeMemory(interval=0.1) as tree:
        process = subprocess.Popen([sys.executable, "-c", _HOLDER, "parent", _HOLDER], stdout=subprocess.PIPE)
        assert process.stdout.readline() == b"ready\n"
        time.sleep(1.0)  # the grandchild has allocated by now
        summed = memory.tree_memory_mb()
        largest = max(sum(memory.process_memory_mb(child)) for child in psutil.Process().children(True))
        process.wait(timeout=30)
    assert summed > 290, f"two processes holding 150 MiB each summed to {summed:.0f} MiB"
    assert largest < 220 and summed > 1.3 * largest, "the sum must not be the largest process's figure"
    assert tree.peak_mb >= 0.95 * summed


def test_a_process_that_has_gone_counts_nothing():
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(0.5)"])
    handle = psutil.Process(process.pid)
    process.wait()
    assert memory.process_memory_mb(handle) is None
    assert memory.tree_memory_mb() >= 0


def test_a_process_outside_the_tree_that_maps_the_same_pages_does_not_lower_the_figure():
    import tensorflow  # noqa: F401  this process maps TensorFlow's libraries, as a test runner does

    code = "import tensorflow, time; print('ready', flush=True); time.sleep(3)"
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert process.stdout.readline() == b"ready\n"
    private, shared = memory.process_memory_mb(psutil.Process(process.pid))
    resident = psutil.Process(process.pid).memory_info().rss / 2**20
    figure = memory.tree_memory_mb()
    process.wait(timeout=30)
    assert shared > 50, "the child shares TensorFlow's pages with this process"
    assert abs(figure - resident) < 0.05 * resident, f"{figure:.0f} MiB counted for a child of {resident:.0f} MiB"
