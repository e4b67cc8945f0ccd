"""A benchmark refuses a bad count at once, naming the option, instead of failing minutes later in a traceback."""

import pathlib
import subprocess
import sys

import pytest

BENCHMARKS = pathlib.Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.mark.parametrize("script", sorted(path.name for path in BENCHMARKS.glob("bench_*.py")))
@pytest.mark.parametrize("value", ["0", "-2", "three"])
def test_a_count_below_one_or_not_a_number_is_refused_in_one_line(script, value):
    result = subprocess.run([sys.executable, str(BENCHMARKS / script), "--rounds", value], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr[-2000:]
    assert result.stderr.strip().splitlines()[-1] == (
        f"{script}: error: argument --rounds: {value!r} is invalid; expected a whole number >= 1")
