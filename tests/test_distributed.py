"""Keras Tuner's chief/worker mode runs a dataset-parametrized search on loopback."""

import os
import pathlib
import socket
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _port_is_free(port):
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def test_a_chief_and_two_workers_complete_every_trial_once_and_leave_nothing_running(tmp_path):
    port = _free_port()
    command = [sys.executable, "-m", "helpers.tune", "--task", "regularization", "--tuner", "random",
               "--trials", "6", "--epochs", "2", "--directory", str(tmp_path)]
    base = {**os.environ, "KERASTUNER_ORACLE_IP": "127.0.0.1", "KERASTUNER_ORACLE_PORT": str(port),
            "PYTHONUNBUFFERED": "1", "TF_CPP_MIN_LOG_LEVEL": "3"}
    processes = {}
    try:
        for tuner_id in ("chief", "tuner0", "tuner1"):
            processes[tuner_id] = subprocess.Popen(
                command, cwd=ROOT, env={**base, "KERASTUNER_TUNER_ID": tuner_id},
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        outputs = {tuner_id: process.communicate(timeout=240)[0] for tuner_id, process in processes.items()}
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.kill()
                process.wait()
    for tuner_id, process in processes.items():
        assert process.returncode == 0, f"{tuner_id} exited with {process.returncode}:\n{outputs[tuner_id][-3000:]}"
    done = [line.split() for output in outputs.values() for line in output.splitlines() if line.startswith("DONE")]
    trial_ids = [fields[1] for fields in done]
    assert sorted(trial_ids) == [str(i) for i in range(6)], done  # every planned trial, each exactly once
    assert {fields[3] for fields in done} == {"COMPLETED"}
    assert {fields[2] for fields in done} == {"tuner0", "tuner1"}, "both workers should have run trials"
    assert _port_is_free(port), "the chief's port is still taken after the search"
