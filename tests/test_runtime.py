"""Budgets: the CPU budget on CI, a GPU scales it, and a bad choice is named."""

import pytest

import helpers
from helpers import runtime


def test_cpu_runs_keep_the_ci_budget_and_a_gpu_scales_it(monkeypatch):
    monkeypatch.delenv(runtime.BUDGET_VARIABLE, raising=False)
    cpu = helpers.budget()
    assert (cpu.trials(12), cpu.epochs(12), cpu.repeats(3)) == (12, 12, 3)  # no GPU on CI
    monkeypatch.setenv(runtime.BUDGET_VARIABLE, "gpu")
    gpu = helpers.budget()
    assert gpu.trials(12) > 12 and gpu.epochs(12) > 12 and gpu.repeats(3) > 3
    monkeypatch.setenv(runtime.BUDGET_VARIABLE, "tpu")
    with pytest.raises(ValueError, match="KT_TUTORIAL_BUDGET='tpu'"):
        helpers.budget()


def test_the_budget_can_be_chosen_without_importing_tensorflow_in_this_process(monkeypatch):
    import subprocess
    import sys

    code = ("import sys, helpers\n"
            "chosen = helpers.budget(import_tensorflow=False)\n"
            "print(chosen.name, chosen.device, 'tensorflow' in sys.modules)")
    environment = {k: v for k, v in __import__("os").environ.items() if k != runtime.BUDGET_VARIABLE}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environment,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == [helpers.budget().name, helpers.budget().device, "False"]
    with pytest.raises(TypeError, match="import_tensorflow='no' is invalid"):
        helpers.budget(import_tensorflow="no")
