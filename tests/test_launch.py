"""helpers.launch runs Keras Tuner's chief and workers on loopback, restarts a dying worker and leaves nothing behind."""

import os
import pathlib
import re
import signal
import socket
import subprocess
import sys

import psutil
import pytest

from helpers import progress
from helpers.launch import Launcher, TunerProcess

ROOT = pathlib.Path(__file__).resolve().parent.parent
TUNE = ["--task", "regularization", "--tuner", "random", "--trials", "6"]


def _launch(directory, epochs):
    command = [sys.executable, "-m", "helpers.launch", "--workers", "2", "--directory", str(directory),
               "--timeout", "240", "--", *TUNE, "--epochs", str(epochs)]
    environment = {**os.environ, "PYTHONUNBUFFERED": "1", "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)


def _finished(lines):
    """(trial id, status) of every trial a worker finished, in the launcher's report."""
    return [re.match(r"tuner\d+ finished trial (\S+): (\S+),", line).groups()
            for line in lines if " finished trial " in line]


def _assert_clean_end(lines, launcher):
    port = int(re.search(r"127\.0\.0\.1:(\d+)", lines[0]).group(1))
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a closed connection in TIME_WAIT is fine
        probe.bind(("127.0.0.1", port))  # raises if the chief still holds the port
    pids = {int(pid) for line in lines for pid in re.findall(r"\(pid (\d+)\)", line)}
    assert pids and not [pid for pid in pids if psutil.pid_exists(pid) and
                         psutil.Process(pid).status() != psutil.STATUS_ZOMBIE], "a tuner process is still running"
    assert launcher.returncode == 0 and lines[-1].startswith("finished: 6 trials completed"), lines[-3:]


def _assert_every_trial_completed_once(lines):
    finished = _finished(lines)
    assert sorted(trial for trial, _ in finished) == [str(i) for i in range(6)], finished
    assert {status for _, status in finished} == {"COMPLETED"}
    return finished


def test_a_chief_and_two_workers_complete_every_trial_once_and_leave_nothing_running(tmp_path):
    launcher = _launch(tmp_path, epochs=2)
    lines = launcher.communicate(timeout=300)[0].splitlines()
    _assert_every_trial_completed_once(lines)
    _assert_clean_end(lines, launcher)


def test_a_worker_killed_mid_trial_is_restarted_and_no_trial_is_lost_or_repeated(tmp_path):
    launcher = _launch(tmp_path, epochs=6)
    lines, killed = [], None
    for line in launcher.stdout:
        lines.append(line.rstrip("\n"))
        match = re.match(r"tuner0 \(pid (\d+)\) started trial (\S+)", line)
        if match and killed is None and len(_finished(lines)) >= 1:
            killed = match.group(2)
            os.kill(int(match.group(1)), signal.SIGKILL)
    launcher.wait(timeout=60)
    assert killed is not None, lines
    assert any(line.startswith("tuner0 exited with -9; restart 1 of") for line in lines), lines
    finished = _assert_every_trial_completed_once(lines)
    assert killed in [trial for trial, _ in finished]
    _assert_clean_end(lines, launcher)


def test_bad_launcher_settings_are_named(tmp_path):
    with pytest.raises(ValueError, match="workers=0 is invalid"):
        Launcher(0, tmp_path)
    with pytest.raises(ValueError, match="max_restarts=-1 is invalid"):
        Launcher(2, tmp_path, max_restarts=-1)
    with pytest.raises(ValueError, match="tuner='grid' is unknown"):
        Launcher(2, tmp_path, tuner="grid")


def test_the_log_reader_returns_each_complete_line_once_whatever_its_characters(tmp_path):
    log = tmp_path / "tuner0.log"
    log.write_bytes("Epoch 1 • loss 0.5\n".encode())
    process = TunerProcess("tuner0", [], {}, log)
    assert process.new_lines() == ["Epoch 1 • loss 0.5"]
    with open(log, "ab") as file:
        file.write("ü • done\n@trial {\"ev".encode())  # the last line is still being written
    assert process.new_lines() == ["ü • done"]
    with open(log, "ab") as file:
        file.write(b'ent": "finished", "worker": "tuner0"}\n')
    assert [progress.parse_line(line) for line in process.new_lines()] == [progress.TrialEvent("finished", "tuner0")]
