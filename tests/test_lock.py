"""The search lock: held for a search, refused to a second holder with its pid named, free again afterwards."""

import os
import subprocess
import sys

import pytest

from helpers.lock import SEARCH_LOCK, search_lock

HOLD = "import sys, time\nfrom helpers.lock import search_lock\nwith search_lock(sys.argv[1]):\n    print('held', flush=True)\n    time.sleep(60)\n"


def test_a_second_holder_is_refused_with_the_first_s_pid_and_the_lock_is_free_after(tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(RuntimeError, match=f"is being searched by process {holder.pid}; wait for it"):
            with search_lock(tmp_path):
                pass
    finally:
        holder.kill()
        holder.wait()
    with search_lock(tmp_path):  # the kernel dropped the killed holder's lock
        assert (tmp_path / SEARCH_LOCK).read_text() == f"process {os.getpid()}"
