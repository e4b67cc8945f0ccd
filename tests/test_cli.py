"""The command line: options map to the search API both ways, and a mistake is one line and exit status 2."""

import subprocess
import sys

import pytest

from helpers import cli, search


def test_arguments_for_is_the_inverse_of_parse_arguments(tmp_path):
    options = dict(task="linear", tuner="hyperband", max_epochs=3, epochs=3, seed=7)
    parsed = cli.parse_arguments(["--directory", str(tmp_path), *cli.arguments_for(**options)])
    assert parsed == {"directory": str(tmp_path), "overwrite": False, **search.check_options(**options)}


@pytest.mark.parametrize("arguments, message", [
    (["--trials", "0"], "trials=0 is invalid"),
    (["--task", "mnist"], "task='mnist' is unknown"),
    (["--epochs", "two"], "argument --epochs: invalid int value: 'two'"),
    (["--directory", ""], "--directory='' is invalid; expected the path of a folder"),
    (["--directory", "FILE/search"], "is a file; expected a folder"),
])
def test_a_bad_option_exits_with_one_line_and_status_2(arguments, message, tmp_path):
    (tmp_path / "FILE").write_text("not a folder")
    arguments = [argument.replace("FILE", str(tmp_path / "FILE")) for argument in arguments]
    result = subprocess.run([sys.executable, "-m", "helpers.cli", "--directory", str(tmp_path), *arguments],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and message in result.stderr
    assert "Traceback" not in result.stderr and result.stderr.strip().splitlines()[-1].startswith("python -m")


def test_the_chief_checks_for_its_last_worker_every_half_second_instead_of_every_20(monkeypatch):
    from keras_tuner.src.distribute import oracle_chief

    monkeypatch.setattr(oracle_chief, "time", cli.time)
    slept = []
    monkeypatch.setattr(cli.time, "sleep", slept.append)
    cli._poll_workers_often()
    oracle_chief.time.sleep(20)  # what keras-tuner's chief does while a worker still trains
    oracle_chief.time.sleep(0.1)
    assert slept == [cli.CHIEF_POLL_SECONDS, 0.1]
