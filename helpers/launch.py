"""Run a distributed dataset-parametrized search on this machine: one chief and N workers.

    python -m helpers.launch --workers 2 --directory DIR [--max-restarts 3] [-- TUNE OPTIONS]

It starts `python -m helpers.tune` as Keras Tuner's chief and as workers
`tuner0` ... `tuner{N-1}` on 127.0.0.1 with a free port, writes each process's
output to `DIR/logs/<id>.log`, prints one line per trial that a worker starts
or finishes, restarts a worker that dies (with the same id, so that the chief
hands it back its unfinished trial) up to `--max-restarts` times, and stops
every process before it returns. It exits 0 only when the chief and every
worker finished normally.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import socket
import subprocess
import sys
import time

__all__ = ["free_port", "Launcher", "main"]


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Process:
    """One chief or worker process, its log file, and how far the launcher has read the log."""

    def __init__(self, tuner_id, command, environment, log_path):
        self.tuner_id, self.command, self.environment, self.log_path = tuner_id, command, environment, log_path
        self.restarts = 0
        self.popen = None
        self.offset = 0

    def start(self):
        with open(self.log_path, "a") as log:
            self.popen = subprocess.Popen(self.command, env={**self.environment, "KERASTUNER_TUNER_ID": self.tuner_id},
                                          stdout=log, stderr=subprocess.STDOUT)

    def new_lines(self):
        with open(self.log_path) as log:
            log.seek(self.offset)
            text = log.read()
        complete = text[: text.rfind("\n") + 1]
        self.offset += len(complete)
        return complete.splitlines()

    def stop(self):
        if self.popen is not None and self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()


class Launcher:
    """Starts, watches, restarts and stops one chief and `workers` workers."""

    def __init__(self, workers, directory, tune_arguments=(), max_restarts=3, report=print, poll_interval=0.2):
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise ValueError(f"workers={workers!r} is invalid; expected an integer >= 1")
        if isinstance(max_restarts, bool) or not isinstance(max_restarts, int) or max_restarts < 0:
            raise ValueError(f"max_restarts={max_restarts!r} is invalid; expected an integer >= 0")
        self.directory = pathlib.Path(directory)
        self.port = free_port()
        self.max_restarts, self.report, self.poll_interval = max_restarts, report, poll_interval
        logs = self.directory / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "helpers.tune", "--directory", str(self.directory), *tune_arguments]
        environment = {**os.environ, "KERASTUNER_ORACLE_IP": "127.0.0.1", "KERASTUNER_ORACLE_PORT": str(self.port),
                       "PYTHONUNBUFFERED": "1"}
        ids = ["chief"] + [f"tuner{i}" for i in range(workers)]
        self.processes = {i: _Process(i, command, environment, logs / f"{i}.log") for i in ids}
        self.completed = {}  # trial id -> worker id

    def run(self, timeout=3600):
        """Runs the search to the end; returns 0 when every process finished normally, else 1."""
        deadline = time.monotonic() + timeout
        try:
            self.report(f"chief and {len(self.processes) - 1} workers on 127.0.0.1:{self.port}")
            chief, *workers = self.processes.values()
            chief.start()
            # Workers that connect before the chief listens fall into gRPC's reconnect back-off
            # (up to about 20 s), so start them once the chief's port accepts connections.
            self._wait_for_chief(chief, deadline)
            for process in workers:
                process.start()
            while time.monotonic() < deadline:
                self._relay()
                if chief.popen.poll() is not None:
                    return self._finish(chief.popen.returncode)
                for process in workers:
                    code = process.popen.poll()
                    if code not in (None, 0) and not self._restart(process, code):
                        return self._finish(1)
                time.sleep(self.poll_interval)
            self.report(f"timed out after {timeout} s")
            return self._finish(1)
        finally:
            for process in self.processes.values():
                process.stop()

    def _wait_for_chief(self, chief, deadline):
        while time.monotonic() < deadline and chief.popen.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(self.poll_interval)

    def _restart(self, process, code):
        if process.restarts >= self.max_restarts:
            self.report(f"{process.tuner_id} exited with {code} after {process.restarts} restarts; giving up")
            return False
        process.restarts += 1
        self.report(f"{process.tuner_id} exited with {code}; restart {process.restarts} of {self.max_restarts}")
        process.start()
        return True

    def _finish(self, chief_code):
        workers = list(self.processes.values())[1:]
        for process in workers:
            try:
                process.popen.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.stop()
        self._relay()
        failed = [p.tuner_id for p in workers if p.popen.returncode != 0]
        ok = chief_code == 0 and not failed
        self.report(f"{'finished' if ok else 'FAILED'}: {len(self.completed)} trials completed"
                    + (f"; chief exited with {chief_code}" if chief_code else "")
                    + (f"; workers that did not finish: {failed}" if failed else ""))
        return 0 if ok else 1

    def _relay(self):
        for process in self.processes.values():
            for line in process.new_lines():
                fields = line.split()
                if line.startswith("START") and len(fields) >= 3:
                    self.report(f"{fields[2]} (pid {process.popen.pid}) started trial {fields[1]}")
                elif line.startswith("DONE") and len(fields) >= 5:
                    if fields[3] == "COMPLETED":
                        self.completed[fields[1]] = fields[2]
                    self.report(f"{fields[2]} finished trial {fields[1]}: {fields[3]}, score {fields[4]}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--directory", required=True)
    parser.add_argument("--max-restarts", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=3600)
    parser.add_argument("tune", nargs=argparse.REMAINDER, help="options for helpers.tune, after --")
    args = parser.parse_args(argv)
    tune_arguments = args.tune[1:] if args.tune[:1] == ["--"] else args.tune
    launcher = Launcher(args.workers, args.directory, tune_arguments, args.max_restarts,
                        report=lambda line: print(line, flush=True))
    return launcher.run(timeout=args.timeout)


if __name__ == "__main__":
    sys.exit(main())
