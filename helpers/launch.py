"""Run a distributed dataset-parametrized search on this machine: one chief and N workers.

    python -m helpers.launch --workers 2 --directory DIR [--max-restarts 3] [-- SEARCH OPTIONS]

It starts `python -m helpers.cli` as Keras Tuner's chief and as workers
`tuner0` ... `tuner{N-1}` on 127.0.0.1 with a free port, writes each process's
output to `DIR/logs/<id>.log`, prints one line per trial that a worker starts
or finishes (read from the progress lines of `helpers.progress`), restarts a
worker that dies (with the same id, so that the chief hands it back its
unfinished trial) up to `--max-restarts` times, and stops every process
before it returns. It exits 0 only when the chief and every worker finished
normally. From Python: `Launcher(2, directory, task="regularization",
trials=6).run()`, with the options of `helpers.search`. Introduced in
notebook 07.
"""

from __future__ import annotations

import argparse
import functools
import os
import pathlib
import signal
import socket
import subprocess
import sys
import threading
import time

from helpers import cli, progress
from helpers.checks import check_directory

__all__ = ["child_environment", "free_port", "Launcher", "main"]


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def child_environment(tuner_id, port, base=None):
    """The environment of the chief or of one worker: `base` (this process's) plus Keras Tuner's variables.

    Every process lets TensorFlow take GPU memory as it needs it (TF_FORCE_GPU_ALLOW_GROWTH, unless
    already set), so that the workers can share one GPU instead of the first taking all of it. The chief
    trains nothing, so it sees no GPU at all (CUDA_VISIBLE_DEVICES=-1).
    """
    environment = dict(os.environ if base is None else base)
    environment.update(KERASTUNER_TUNER_ID=tuner_id, KERASTUNER_ORACLE_IP="127.0.0.1",
                       KERASTUNER_ORACLE_PORT=str(port), PYTHONUNBUFFERED="1")
    environment.setdefault("TF_FORCE_GPU_ALLOW_GROWTH", "true")
    if tuner_id == "chief":
        environment["CUDA_VISIBLE_DEVICES"] = "-1"
    return environment


class TunerProcess:
    """One chief or worker process, its log file, and how far the launcher has read the log."""

    def __init__(self, tuner_id, command, environment, log_path):
        self.tuner_id, self.command, self.environment, self.log_path = tuner_id, command, environment, log_path
        self.restarts = 0
        self.popen = None
        # Logs are appended to across launches: read only what this launch writes.
        self.offset = log_path.stat().st_size if log_path.exists() else 0

    def start(self):
        with open(self.log_path, "a") as log:
            self.popen = subprocess.Popen(self.command, env=self.environment, stdout=log, stderr=subprocess.STDOUT,
                                          preexec_fn=functools.partial(_end_with_parent, os.getpid()))

    def new_lines(self):
        """The complete lines written since the last call; offsets count bytes, as seek() does."""
        with open(self.log_path, "rb") as log:
            log.seek(self.offset)
            data = log.read()
        complete = data[: data.rfind(b"\n") + 1]
        self.offset += len(complete)
        return complete.decode("utf-8", errors="replace").splitlines()

    def running(self):
        return self.popen is not None and self.popen.poll() is None


def stop_all(processes, grace=10):
    """Sends SIGTERM to every running process at once, then SIGKILL to any still running after `grace` seconds."""
    running = [process for process in processes if process.running()]
    for process in running:
        process.popen.terminate()
    deadline = time.monotonic() + grace
    for process in running:
        try:
            process.popen.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.popen.kill()
            process.popen.wait()


class Stopped(Exception):
    """A terminating signal reached the launcher."""


def _raise_stopped(signum, frame):
    raise Stopped(signal.Signals(signum).name)


def _end_with_parent(parent):
    # Runs in the child before exec: Linux sends it SIGTERM if the launcher dies, even by SIGKILL.
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        if os.getppid() != parent:  # the launcher `parent` died between fork and prctl: nobody will send it
            os._exit(1)


class Launcher:
    """Starts, watches, restarts and stops one chief and `workers` workers.

    `search_options` are those of `helpers.search.DEFAULTS`. Introduced in notebook 07.
    """

    def __init__(self, workers, directory, max_restarts=3, report=print, poll_interval=0.2, **search_options):
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise ValueError(f"workers={workers!r} is invalid; expected an integer >= 1")
        if isinstance(max_restarts, bool) or not isinstance(max_restarts, int) or max_restarts < 0:
            raise ValueError(f"max_restarts={max_restarts!r} is invalid; expected an integer >= 0")
        self.directory = pathlib.Path(check_directory(directory))
        self.port = free_port()
        self.max_restarts, self.report, self.poll_interval = max_restarts, report, poll_interval
        logs = self.directory / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "helpers.cli", "--directory", str(self.directory),
                   *cli.arguments_for(**search_options)]
        ids = ["chief"] + [f"tuner{i}" for i in range(workers)]
        self.processes = {i: TunerProcess(i, command, child_environment(i, self.port), logs / f"{i}.log")
                          for i in ids}
        self.completed = {}  # trial id -> worker id

    def run(self, timeout=3600):
        """Runs the search to the end; returns 0 when every process finished normally, else 1.

        Every process is stopped before it returns: at the end, on a timeout,
        when the chief or a worker fails for good, and when SIGTERM, SIGHUP
        or SIGINT reaches the launcher. A child also gets SIGTERM if the
        launcher itself is killed.
        """
        previous = {}
        if threading.current_thread() is threading.main_thread():
            previous = {signum: signal.signal(signum, _raise_stopped) for signum in (signal.SIGTERM, signal.SIGHUP)}
        try:
            return self._run(time.monotonic() + timeout, timeout)
        except (Stopped, KeyboardInterrupt) as stop:
            self.report(f"stopped by {stop or 'SIGINT'}: stopping the chief and the workers")
            return 1
        finally:
            stop_all(self.processes.values())
            self._relay()
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def _run(self, deadline, timeout):
        chief, *workers = self.processes.values()
        # All start at once: each worker loads TensorFlow while the chief does, and asks for trials only once the
        # chief's port accepts connections (helpers.cli), so it never falls into gRPC's reconnect back-off.
        chief.start()
        for process in workers:
            process.start()
        self.report(f"chief (pid {chief.popen.pid}) and {len(workers)} workers on 127.0.0.1:{self.port}")
        while time.monotonic() < deadline:
            self._relay()
            if not chief.running():
                return self._after_chief(chief.popen.returncode, workers)
            for process in workers:
                code = process.popen.poll()
                if code not in (None, 0, cli.CHIEF_GONE) and not self._restart(process, code):
                    return self._summary(f"{process.tuner_id} gave up after {process.restarts} restarts")
            time.sleep(self.poll_interval)
        return self._summary(f"timed out after {timeout:g} s")

    def _after_chief(self, code, workers, grace=10):
        if code != 0:
            return self._summary(f"the chief exited with {code}")
        # keras-tuner's chief ends only once no trial is running and every worker it knows was told to stop,
        # so a worker still running has nothing left to do (it may have connected after the chief decided).
        deadline = time.monotonic() + grace
        while any(process.running() for process in workers) and time.monotonic() < deadline:
            self._relay()
            time.sleep(self.poll_interval)
        return self._summary(None)

    def _restart(self, process, code):
        if process.restarts >= self.max_restarts:
            self.report(f"{process.tuner_id} exited with {code} after {process.restarts} restarts; giving up")
            return False
        process.restarts += 1
        self.report(f"{process.tuner_id} exited with {code}; restart {process.restarts} of {self.max_restarts}")
        process.start()
        return True

    def _summary(self, problem):
        """Reports the outcome in one line; returns the exit status. Every process is stopped right after."""
        stop_all(self.processes.values())
        self._relay()
        self.report(f"{'FAILED' if problem else 'finished'}: {len(self.completed)} trials completed"
                    + (f"; {problem}" if problem else ""))
        return 1 if problem else 0

    def _relay(self):
        for process in self.processes.values():
            for event in filter(None, map(progress.parse_line, process.new_lines())):
                if event.event == "start":
                    self.report(f"{event.worker} (pid {process.popen.pid}) started trial {event.trial_id}")
                elif event.event == "end":
                    if event.status == "COMPLETED":
                        self.completed[event.trial_id] = event.worker
                    score = "nan" if event.score is None else f"{event.score:.6g}"
                    self.report(f"{event.worker} finished trial {event.trial_id}: {event.status}, score {score}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--directory", required=True)
    parser.add_argument("--max-restarts", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=3600)
    parser.add_argument("search", nargs=argparse.REMAINDER, help="options for helpers.cli, after --")
    args = parser.parse_args(argv)
    search_arguments = args.search[1:] if args.search[:1] == ["--"] else args.search
    options = cli.parse_arguments(["--directory", args.directory, *search_arguments])
    if options.pop("overwrite"):
        parser.error("--overwrite is not for a launch: delete the directory first, or choose another")
    del options["directory"]
    if not args.timeout > 0:
        parser.error(f"--timeout={args.timeout} is invalid; expected a number of seconds > 0")
    try:
        launcher = Launcher(args.workers, args.directory, args.max_restarts,
                            report=lambda line: print(line, flush=True), **options)
    except ValueError as error:
        parser.error(str(error).replace("workers=", "--workers=").replace("max_restarts=", "--max-restarts="))
    return launcher.run(timeout=args.timeout)


if __name__ == "__main__":
    sys.exit(main())
