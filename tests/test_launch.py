"""helpers.launch runs Keras Tuner's chief and workers on loopback, restarts a dying worker and leaves nothing behind."""

import functools
import os
import pathlib
import re
import signal
import socket
import subprocess
import sys
import time

import psutil
import pytest

from helpers import launch, progress
from helpers.launch import Launcher, TunerProcess

ROOT = pathlib.Path(__file__).resolve().parent.parent
TRIALS = 4
TUNE = ["--task", "regularization", "--tuner", "random", "--trials", str(TRIALS)]


def _launch(directory, epochs, timeout=240, workers=2, stand_ins=False):
    """`python -m helpers.launch`; with `stand_ins`, its chief and workers are tests/launch_standin.py's."""
    launcher = [str(ROOT / "tests" / "launch_standin.py")] if stand_ins else ["-m", "helpers.launch"]
    command = [sys.executable, *launcher, "--workers", str(workers), "--directory", str(directory),
               "--timeout", str(timeout), "--", *TUNE, "--epochs", str(epochs)]
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
    assert launcher.returncode == 0 and lines[-1].startswith(f"finished: {TRIALS} trials completed"), lines[-3:]


def _assert_every_trial_completed_once(lines):
    finished = _finished(lines)
    assert sorted(trial for trial, _ in finished) == [str(i) for i in range(TRIALS)], finished
    assert {status for _, status in finished} == {"COMPLETED"}
    return finished


def _tree_after_first_trial(launcher, workers=2):
    """The launcher's output up to a worker's first trial, and the pids of every process it started."""
    lines = []
    for line in launcher.stdout:
        lines.append(line.rstrip("\n"))
        if " started trial " in line:
            break
    children = psutil.Process(launcher.pid).children(recursive=True)
    assert len(children) >= 1 + workers, f"expected a chief and {workers} workers: {lines}"
    return lines, children


def _tree_once_started(launcher, workers):
    """The launcher's first line and its processes, as soon as the chief listens and the workers are started."""
    lines = [launcher.stdout.readline().rstrip("\n")]
    deadline = time.monotonic() + 120
    while len(children := psutil.Process(launcher.pid).children(recursive=True)) < 1 + workers:
        assert launcher.poll() is None and time.monotonic() < deadline, f"no chief and {workers} workers: {lines}"
        time.sleep(0.1)
    return lines, children


def _assert_gone(processes, seconds):
    gone, alive = psutil.wait_procs(processes, timeout=seconds)
    assert not alive, f"still running {seconds} s later: {[p.pid for p in alive]}"


# SIGTERM to a real chief and a real worker in the middle of a trial, as a user's Ctrl-C or a job scheduler
# sends it. SIGKILL to a launcher of stand-ins (tests/launch_standin.py): the kernel, not the launcher, then sends
# each child SIGTERM, whatever it runs, as the SIGTERM test's real processes get it. One real worker is enough
# for SIGTERM: the launcher stops every child in one loop, which the stand-ins' two workers exercise under SIGKILL.
@pytest.mark.parametrize("signum, workers", [(signal.SIGTERM, 1), (signal.SIGKILL, 2)], ids=["SIGTERM", "SIGKILL"])
def test_a_signal_to_the_launcher_stops_the_chief_and_every_worker(signum, workers, tmp_path):
    launcher = _launch(tmp_path, epochs=50, workers=workers, stand_ins=signum == signal.SIGKILL)
    if signum == signal.SIGTERM:
        lines, children = _tree_after_first_trial(launcher, workers)
    else:
        lines, children = _tree_once_started(launcher, workers)
    launcher.send_signal(signum)
    lines += launcher.communicate(timeout=60)[0].splitlines()
    _assert_gone(children, 20)
    if signum == signal.SIGTERM:
        assert launcher.returncode == 1 and "stopped by SIGTERM: stopping the chief and the workers" in lines, lines


def test_when_the_chief_dies_the_workers_are_stopped_within_seconds_and_the_chief_is_named(tmp_path):
    launcher = _launch(tmp_path, epochs=50, workers=2, stand_ins=True)
    lines, children = _tree_once_started(launcher, workers=2)
    chief = int(re.match(r"chief \(pid (\d+)\)", lines[0]).group(1))
    started = time.monotonic()
    os.kill(chief, signal.SIGKILL)
    lines += launcher.communicate(timeout=60)[0].splitlines()
    assert time.monotonic() - started < 20, "the launcher took too long to give up"
    _assert_gone(children, 5)
    assert launcher.returncode == 1 and lines[-1].endswith("; the chief exited with -9"), lines[-3:]


def test_the_timeout_stops_everything_at_once(tmp_path):
    started = time.monotonic()
    launcher = _launch(tmp_path, epochs=50, timeout=3, workers=2, stand_ins=True)  # stand-ins that never finish
    lines, children = _tree_once_started(launcher, workers=2)
    lines += launcher.communicate(timeout=120)[0].splitlines()
    assert time.monotonic() - started < 3 + 15, f"took {time.monotonic() - started:.0f} s"
    assert launcher.returncode == 1 and lines[-1].endswith("; timed out after 3 s"), lines[-3:]
    _assert_gone(children, 5)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_a_child_whose_launcher_died_before_the_child_could_ask_to_die_with_it_ends_at_once():
    # The window between fork and prctl: the child finds that its parent is not the launcher that forked it.
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"],
                             preexec_fn=functools.partial(launch._end_with_parent, -1))  # a launcher long gone
    assert child.wait(timeout=10) == 1
    alive = subprocess.Popen([sys.executable, "-c", "pass"],
                             preexec_fn=functools.partial(launch._end_with_parent, os.getpid()))
    assert alive.wait(timeout=30) == 0, "a child of a live launcher runs its command"


def test_a_worker_without_a_chief_gives_up_with_one_line(tmp_path):
    from helpers.launch import free_port

    environment = {**os.environ, "KERASTUNER_TUNER_ID": "tuner0", "KERASTUNER_ORACLE_IP": "127.0.0.1",
                   "KERASTUNER_ORACLE_PORT": str(free_port()), "KT_CHIEF_WAIT_SECONDS": "1"}
    result = subprocess.run([sys.executable, "-m", "helpers.cli", "--directory", str(tmp_path)], cwd=ROOT,
                            env=environment, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert "no chief answers at 127.0.0.1:" in result.stderr and "after 1 s" in result.stderr


def test_a_chief_on_a_busy_port_says_so_in_one_line(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        environment = {**os.environ, "KERASTUNER_TUNER_ID": "chief", "KERASTUNER_ORACLE_IP": "127.0.0.1",
                       "KERASTUNER_ORACLE_PORT": str(busy.getsockname()[1])}
        result = subprocess.run([sys.executable, "-m", "helpers.cli", "--directory", str(tmp_path)], cwd=ROOT,
                                env=environment, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "the chief cannot listen on 127.0.0.1:" in result.stderr and "choose a free" in result.stderr


@pytest.mark.parametrize("arguments, message", [
    (["--workers", "0"], "--workers=0 is invalid"),
    (["--max-restarts", "-1"], "--max-restarts=-1 is invalid"),
    (["--timeout", "0"], "--timeout=0.0 is invalid"),
    (["--", "--tuner", "grid"], "tuner='grid' is unknown"),
])
def test_a_launcher_mistake_is_one_line_and_exit_status_2(arguments, message, tmp_path):
    result = subprocess.run([sys.executable, "-m", "helpers.launch", "--directory", str(tmp_path), *arguments],
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr


def test_a_worker_killed_mid_trial_is_restarted_no_trial_is_lost_or_repeated_and_a_relaunch_runs_none(tmp_path):
    # One worker: the trial it was running can only come back to it. Notebook 07 kills one of two workers, and
    # checks under `make test` that the killed worker's id, not the other worker, finishes that trial.
    launcher = _launch(tmp_path, epochs=3, workers=1)
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

    relaunch = _launch(tmp_path, epochs=3, workers=1)  # one worker is enough to be handed a trial, if one were left
    lines = relaunch.communicate(timeout=300)[0].splitlines()
    assert not [line for line in lines if " started trial " in line], lines
    assert relaunch.returncode == 0 and lines[-1] == "finished: 0 trials completed", lines[-3:]


def test_bad_launcher_settings_are_named(tmp_path):
    with pytest.raises(ValueError, match="workers=0 is invalid"):
        Launcher(0, tmp_path)
    with pytest.raises(ValueError, match="max_restarts=-1 is invalid"):
        Launcher(2, tmp_path, max_restarts=-1)
    with pytest.raises(ValueError, match="tuner='grid' is unknown"):
        Launcher(2, tmp_path, tuner="grid")


def test_the_log_reader_returns_each_complete_line_once_whatever_its_characters(tmp_path):
    log = tmp_path / "tuner0.log"
    log.write_bytes("an earlier launch • its lines\n".encode())
    process = TunerProcess("tuner0", [], {}, log)  # a new launch reads only what it writes
    assert process.new_lines() == []
    with open(log, "ab") as file:
        file.write("Epoch 1 • loss 0.5\n".encode())
    assert process.new_lines() == ["Epoch 1 • loss 0.5"]
    with open(log, "ab") as file:
        file.write("ü • done\n@trial {\"ev".encode())  # the last line is still being written
    assert process.new_lines() == ["ü • done"]
    with open(log, "ab") as file:
        file.write(b'ent": "finished", "worker": "tuner0"}\n')
    assert [progress.parse_line(line) for line in process.new_lines()] == [progress.TrialEvent("finished", "tuner0")]


def test_every_child_lets_tensorflow_grow_gpu_memory_and_the_chief_sees_no_gpu(tmp_path, monkeypatch):
    started, real_popen = {}, subprocess.Popen

    def record(command, env, **options):
        started[env["KERASTUNER_TUNER_ID"]] = env
        return real_popen([sys.executable, "-c", "pass"])

    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "0")
    monkeypatch.delenv("TF_FORCE_GPU_ALLOW_GROWTH", raising=False)
    launcher = Launcher(2, tmp_path)
    monkeypatch.setattr(launch.subprocess, "Popen", record)
    for process in launcher.processes.values():
        process.start()
    monkeypatch.undo()
    for process in launcher.processes.values():
        process.popen.wait()
    assert sorted(started) == ["chief", "tuner0", "tuner1"]
    for tuner_id, environment in started.items():
        assert environment["TF_FORCE_GPU_ALLOW_GROWTH"] == "true"
        assert environment["KERASTUNER_ORACLE_PORT"] == str(launcher.port)
        assert environment["KERASTUNER_ORACLE_IP"] == "127.0.0.1"
        assert environment["CUDA_VISIBLE_DEVICES"] == ("-1" if tuner_id == "chief" else "0")
    kept = launch.child_environment("tuner0", 1234, base={"TF_FORCE_GPU_ALLOW_GROWTH": "false"})
    assert kept["TF_FORCE_GPU_ALLOW_GROWTH"] == "false", "a user's own setting wins"
