"""One dataset-parametrized search from the command line: single process, chief or worker.

    python -m helpers.cli --directory DIR [--task regularization --tuner random --trials 6 --epochs 5]

The role comes from Keras Tuner's own environment variables: without them the
command runs the whole search in one process. With KERASTUNER_TUNER_ID=chief,
KERASTUNER_ORACLE_IP and KERASTUNER_ORACLE_PORT it runs the oracle and waits
for the workers; with KERASTUNER_TUNER_ID=tuner0, tuner1, ... (and the same
address) it asks the chief for trials and trains them. Every process writes
the progress lines of `helpers.progress`. The options are those of
`helpers.search.DEFAULTS`.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import threading
import time

from helpers import progress, search
from helpers.checks import check_directory

__all__ = ["CHIEF_GONE", "arguments_for", "chief_answers", "main", "parse_arguments"]


def parse_arguments(argv=None):
    """The search options and the directory, as a dict; a bad option exits with one line and status 2."""
    parser = argparse.ArgumentParser(prog="python -m helpers.cli", description=__doc__.splitlines()[0])
    parser.add_argument("--directory", required=True, help="the tuner directory, shared by all processes")
    parser.add_argument("--overwrite", action="store_true",
                        help="delete the search the directory holds and start afresh (single process only)")
    for name, default in search.DEFAULTS.items():
        kind = str if name in ("task", "tuner", "project") else int
        parser.add_argument(_flag(name), type=kind, default=default,
                            help=f"default: {default if default is not None else 'the task’s'}")
    options = vars(parser.parse_args(argv))
    directory, overwrite = options.pop("directory"), options.pop("overwrite")
    try:
        check_directory(directory, "--directory")
        options = search.check_options(**options)
    except ValueError as error:
        parser.error(str(error))
    if overwrite and _role()[0] != "single":
        parser.error("--overwrite is for a single process: a chief or worker would delete what the others use")
    return {"directory": directory, "overwrite": overwrite, **options}


def arguments_for(**options):
    """The command-line arguments that give these search options (the inverse of `parse_arguments`)."""
    search.check_options(**options)
    arguments = []
    for name, value in options.items():
        arguments += [_flag(name), str(value)]
    return arguments


def main(argv=None):
    options = parse_arguments(argv)
    role, address = _role()
    from helpers.runtime import quiet_tensorflow

    try:
        if role == "chief":
            _check_port_free(address)
        elif role == "worker":
            # TensorFlow loads while the chief starts (a launcher starts them together); then the chief must answer.
            quiet_tensorflow()
            _wait_for_chief(address, CHIEF_WAIT_SECONDS)
            _watch_chief(address)
    except RuntimeError as error:
        print(f"python -m helpers.cli: {error}", file=sys.stderr, flush=True)
        return 1
    directory = options.pop("directory")
    try:
        options = search.claim_directory(directory, overwrite=options.pop("overwrite"), **options)
    except ValueError as error:
        print(f"python -m helpers.cli: {error}", file=sys.stderr, flush=True)
        return 1
    if role != "worker":  # a worker loaded TensorFlow before it waited for the chief
        quiet_tensorflow()
    if role == "chief":
        _poll_workers_often()
    try:
        tuner = search.run_search(directory, on_progress=progress.print_event, **options)
    except Exception as error:
        if role == "worker" and _unavailable(error) and not chief_answers(address):
            print(f"python -m helpers.cli: the chief at {address[0]}:{address[1]} closed; the search is over or "
                  "the chief stopped", file=sys.stderr, flush=True)
            return CHIEF_GONE
        raise
    progress.print_event(progress.TrialEvent("finished", getattr(tuner, "tuner_id", "tuner0")))
    return 0


# A worker's exit status when its chief went away: normal once the chief has finished the search.
CHIEF_GONE = 3


# How often the chief checks, once the search is over, whether the last worker has finished.
CHIEF_POLL_SECONDS = 0.5


class _ShortSleeps:
    """A stand-in for the `time` module inside keras-tuner's chief loop: sleeps at most CHIEF_POLL_SECONDS."""

    @staticmethod
    def sleep(seconds):
        time.sleep(min(seconds, CHIEF_POLL_SECONDS))


def _poll_workers_often():
    """Make the chief end within CHIEF_POLL_SECONDS of its last worker instead of within 20 s.

    keras-tuner 1.4's chief (`oracle_chief.start_server`) checks every 20 s whether the workers are done
    once the first was told to stop, so every distributed search paid up to 20 s at its end. Only that
    module's view of `time` changes; where a later keras-tuner has no such module, nothing changes.
    """
    try:
        from keras_tuner.src.distribute import oracle_chief
    except ImportError:
        return
    if getattr(oracle_chief, "time", None) is time:
        oracle_chief.time = _ShortSleeps


def _unavailable(error):
    import grpc

    return isinstance(error, grpc.RpcError) and error.code() == grpc.StatusCode.UNAVAILABLE


# How long a worker waits for its chief to answer, once TensorFlow is loaded, and after the chief stops answering.
CHIEF_WAIT_SECONDS = float(os.environ.get("KT_CHIEF_WAIT_SECONDS", "30"))
CHIEF_LOST_SECONDS = float(os.environ.get("KT_CHIEF_LOST_SECONDS", "10"))


def _role():
    """("single" | "chief" | "worker", (ip, port) or None) from Keras Tuner's environment variables."""
    ip, port = os.environ.get("KERASTUNER_ORACLE_IP"), os.environ.get("KERASTUNER_ORACLE_PORT")
    if not ip or not port:
        return "single", None
    if not port.isdigit():
        raise SystemExit(f"python -m helpers.cli: KERASTUNER_ORACLE_PORT={port!r} is invalid; expected a port number")
    role = "chief" if os.environ.get("KERASTUNER_TUNER_ID", "tuner0") == "chief" else "worker"
    return role, (ip, int(port))


def chief_answers(address, timeout=1.0):
    """Whether something accepts connections at (ip, port): the chief's oracle service, once it listens."""
    try:
        socket.create_connection(address, timeout=timeout).close()
        return True
    except OSError:
        return False


def _check_port_free(address):
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            raise RuntimeError(f"the chief cannot listen on {address[0]}:{address[1]} ({error.strerror}); "
                               "choose a free KERASTUNER_ORACLE_PORT") from None


def _wait_for_chief(address, seconds):
    deadline = time.monotonic() + seconds
    while not chief_answers(address):
        if time.monotonic() > deadline:
            raise RuntimeError(f"no chief answers at {address[0]}:{address[1]} after {seconds:g} s; start the chief "
                               "(KERASTUNER_TUNER_ID=chief) first, with the same KERASTUNER_ORACLE_IP and _PORT")
        time.sleep(0.5)


def _watch_chief(address):
    """Ends this worker, with one line, once the chief has not answered for CHIEF_LOST_SECONDS."""

    def watch():
        last_answer = time.monotonic()
        while True:
            time.sleep(1.0)
            if chief_answers(address):
                last_answer = time.monotonic()
            elif time.monotonic() - last_answer > CHIEF_LOST_SECONDS:
                print(f"python -m helpers.cli: the chief at {address[0]}:{address[1]} stopped answering "
                      f"{CHIEF_LOST_SECONDS:g} s ago; this worker stops", file=sys.stderr, flush=True)
                os._exit(CHIEF_GONE)

    threading.Thread(target=watch, daemon=True, name="chief-watch").start()


def _flag(name):
    return "--" + name.replace("_", "-")


if __name__ == "__main__":
    sys.exit(main())
