"""The lock that keeps two processes from searching one directory at once.

A `Dataset*` tuner holds it for the whole of `search()` in a single process;
distributed mode, where the chief and the workers share the directory on
purpose, takes none.
"""

from __future__ import annotations

import contextlib

__all__ = ["SEARCH_LOCK", "search_lock"]

# The file a single-process search locks in its project directory.
SEARCH_LOCK = "search.lock"


@contextlib.contextmanager
def search_lock(project_dir):
    """Holds the search directory for this process; a second process searching it at once is refused.

    In distributed mode the chief and the workers share the directory on
    purpose, so no lock is taken. The kernel drops the lock when the process
    ends, however it ends.
    """
    import fcntl
    import os

    if "KERASTUNER_ORACLE_IP" in os.environ:  # checked first: keras_tuner imports TensorFlow (seconds)
        from keras_tuner.src.distribute import utils as dist_utils

        if dist_utils.has_chief_oracle():  # also refuses an incomplete distributed setting
            yield
            return
    os.makedirs(project_dir, exist_ok=True)
    with open(os.path.join(project_dir, SEARCH_LOCK), "a+") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            holder = lock.read().strip() or "another process"
            raise RuntimeError(f"{project_dir} is being searched by {holder}; wait for it to finish, or search "
                               "another directory or project_name") from None
        lock.truncate(0)
        lock.write(f"process {os.getpid()}")
        lock.flush()
        try:
            yield
        finally:
            lock.truncate(0)
            fcntl.flock(lock, fcntl.LOCK_UN)
