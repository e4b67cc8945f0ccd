"""tools.memory sums the memory of a whole process tree, as Binder charges a session, not its largest process."""

import subprocess
import sys
import time

import psutil

from tools import memory

# A child that holds about 150 MiB of its own, starts a grandchild that holds as much, and says 'ready' once both
# hold it. Both then wait for the test to close their standard input (the grandchild inherits the child's).
_HOLDER = ("import subprocess, sys\n"
           "held = b'x' * (150 << 20)\n"
           "if sys.argv[1] == 'parent':\n"
           "    child = subprocess.Popen([sys.executable, '-c', sys.argv[2], 'child', ''], stdout=subprocess.PIPE)\n"
           "    assert child.stdout.readline() == b'ready\\n'\n"
           "print('ready', flush=True)\n"
           "sys.stdin.read()\n"
           "if sys.argv[1] == 'parent':\n"
           "    child.wait()\n")


def test_the_peak_counts_every_process_of_the_tree_once():
    with memory.TreeMemory(interval=0.1) as tree:
        process = subprocess.Popen([sys.executable, "-c", _HOLDER, "parent", _HOLDER], stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE)
        assert process.stdout.readline() == b"ready\n"  # the grandchild holds its share too by now
        time.sleep(0.3)  # three polls
        summed = memory.tree_memory_mb()
        largest = max(memory.process_memory_mb(child) for child in psutil.Process().children(True))
        process.stdin.close()
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



def test_a_steady_tree_is_summed_rarely_and_one_that_grows_as_soon_as_it_grows(monkeypatch):
    # Summing PSS costs ~20 ms of CPU per TensorFlow process; resident sizes cost microseconds.
    sums = []
    real_sum = memory.process_memory_mb
    monkeypatch.setattr(memory, "process_memory_mb", lambda process: sums.append(process.pid) or real_sum(process))
    grows = ("import sys\n"
             "print('ready', flush=True)\n"
             "sys.stdin.readline()\n"  # holds still until the test asks it to grow
             "held = b'x' * (150 << 20)\n"
             "print('grown', flush=True)\n"
             "sys.stdin.readline()\n")
    process = subprocess.Popen([sys.executable, "-c", grows], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    with memory.TreeMemory(process.pid, include_root=True, interval=0.05, refresh=60) as tree:
        assert process.stdout.readline() == b"ready\n"
        time.sleep(0.3)
        summed_before = len(sums)
        time.sleep(1.0)
        steady_sums, before = len(sums) - summed_before, tree.peak_mb
        process.stdin.write(b"grow\n")
        process.stdin.flush()
        assert process.stdout.readline() == b"grown\n"
        time.sleep(0.5)
        process.stdin.close()
        process.wait(timeout=30)
    assert steady_sums <= 1, f"a tree that did not grow was summed {steady_sums} times in 1 s"
    assert tree.peak_mb > before + 140, f"a growth of 150 MiB was missed: {before:.0f} -> {tree.peak_mb:.0f} MiB"
