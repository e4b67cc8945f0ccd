"""helpers.launch with stand-in tuner processes, for the tests of how the launcher supervises processes.

    python tests/launch_standin.py LAUNCHER OPTIONS     # `python -m helpers.launch`, children replaced
    python tests/launch_standin.py --tuner              # one stand-in chief or worker (what the launcher runs)

A real chief or worker spends seconds importing TensorFlow before it does anything. How the launcher starts,
watches and stops its children does not depend on what they run, so these stand-ins skip that: the chief
listens on KERASTUNER_ORACLE_PORT, as the launcher waits for it to, and every process then sleeps until a
signal ends it. The launcher itself is the real one, and the signals are real; the tests that need trials
(a worker killed mid-trial, SIGTERM to a launcher whose workers train) run real tuners.
"""

import os
import socket
import sys
import time


def stand_in_tuner():
    listening = None
    if os.environ["KERASTUNER_TUNER_ID"] == "chief":
        listening = socket.socket()
        listening.bind((os.environ["KERASTUNER_ORACLE_IP"], int(os.environ["KERASTUNER_ORACLE_PORT"])))
        listening.listen()
    print(f"stand-in {os.environ['KERASTUNER_TUNER_ID']} running", flush=True)
    while True:
        time.sleep(60)


def launch_with_stand_ins(argv):
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # the repository's helpers
    from helpers import launch

    class StandInProcess(launch.TunerProcess):
        def __init__(self, tuner_id, command, environment, log_path):
            super().__init__(tuner_id, [sys.executable, os.path.abspath(__file__), "--tuner"], environment, log_path)

    launch.TunerProcess = StandInProcess  # what Launcher makes each chief and worker with
    return launch.main(argv)


if __name__ == "__main__":
    if sys.argv[1:] == ["--tuner"]:
        stand_in_tuner()
    sys.exit(launch_with_stand_ins(sys.argv[1:]))
