"""Fixtures shared by the test files; factories live in factories.py, a plain module."""

import functools
import gc
import json
import os
import resource
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import psutil  # noqa: E402
import pytest  # noqa: E402

import helpers  # noqa: E402

_STARTED = time.perf_counter()  # for the closing line of pytest_terminal_summary


def pytest_configure(config):
    """Quiets TensorFlow before any test file imports it, in every process that runs tests.

    Not in the controller of `pytest -n 2`, which only hands files to its workers: importing TensorFlow there
    delayed the workers' start by some 7 s while one core stayed idle.
    """
    if hasattr(config, "workerinput") or not config.getoption("numprocesses", default=None):
        helpers.quiet_tensorflow()


# `make test` hands whole files to two workers (--dist loadfile --no-loadscope-reorder) in the order of the
# collected items. The longest go first and the shortest last, so that the run ends on files of a second or two
# rather than with one worker alone on a long file while the other waits. A notebook's length is the one
# `make notebooks` recorded in it; these are the test files that take 2 s or more under `make test` (seconds,
# measured there on 2026-12-07). The others run last, in alphabetical order.
TEST_FILE_SECONDS = {"test_tuners.py": 65, "test_launch.py": 45, "test_datakinds.py": 22, "test_experiments.py": 16,
                     "test_traced.py": 15, "test_envfiles.py": 9, "test_reproduce.py": 8, "test_augment.py": 7.5,
                     "test_nbexec.py": 7, "test_runtime.py": 6, "test_datafn.py": 5, "test_nbtest.py": 4,
                     "test_search.py": 4, "test_batchsize.py": 3.5, "test_colab.py": 3, "test_memory.py": 3,
                     "test_records.py": 3, "test_fitting.py": 3, "test_results.py": 2, "test_tblogs.py": 2}


@functools.cache
def _expected_seconds(path):
    if path.suffix == ".ipynb":
        return json.loads(path.read_text())["metadata"].get("tutorial", {}).get("cpu_seconds", 60.0)
    return TEST_FILE_SECONDS.get(path.name, 0)


def pytest_terminal_summary(terminalreporter):
    """Ends the report with the session's wall time and the CPU time of all its processes.

    The CPU figure counts this process and every process it waited for: the xdist workers and, through them, the
    notebooks' kernels and the processes tests start. It varies less with the machine's load than the wall time,
    which on 2 cores is about half of it. Printed, never asserted.
    """
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
    terminalreporter.write_line(f"session: {time.perf_counter() - _STARTED:.0f} s wall, {cpu:.0f} CPU-seconds "
                                f"over all its processes, on {os.cpu_count()} cores")


def pytest_collection_modifyitems(items):
    items.sort(key=lambda item: -_expected_seconds(item.path))  # stable: a file's tests stay together, in order


@pytest.fixture(scope="session")
def tiny_task():
    """64 training and 32 validation points of y = x on [0, 1]."""
    import factories

    return factories.tiny_task()


@pytest.fixture(autouse=True)
def no_process_left_behind():
    """Fails a test that leaves a child process of the test process running."""
    before = {child.pid for child in psutil.Process().children(recursive=True)}
    yield
    left = []
    for child in psutil.Process().children(recursive=True):
        try:
            if child.pid not in before and child.status() != psutil.STATUS_ZOMBIE:
                left.append(f"{child.pid} {' '.join(child.cmdline())[:120]}")
        except psutil.NoSuchProcess:
            continue
    for pid in left:
        psutil.Process(int(pid.split()[0])).kill()
    assert not left, f"the test left processes running: {left}"


@pytest.fixture(autouse=True)
def freeze_what_earlier_tests_left():
    """After each test, moves every object still alive out of the garbage collector's scans (gc.freeze).

    keras-tuner runs two full collections before building each trial's model. In a test process they would
    rescan everything the earlier tests left alive (their traced graphs, kept models, module fixtures), some
    60 ms a pass; frozen, those objects are skipped. A frozen cycle is never collected, which a test process
    that ends with the session can afford.
    """
    yield
    gc.collect()
    gc.freeze()
