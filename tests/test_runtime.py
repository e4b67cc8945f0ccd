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


def test_a_machine_with_a_gpu_driver_asks_tensorflow_in_a_child_and_one_without_needs_no_child(monkeypatch, tmp_path):
    import subprocess
    import sys

    monkeypatch.delenv(runtime.BUDGET_VARIABLE, raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr(runtime, "_GPU_DEVICE_FILES", (str(tmp_path / "nvidiactl"),))
    children = []
    real_run = subprocess.run
    monkeypatch.setattr(subprocess, "run", lambda *args, **kwargs: children.append(args) or real_run(*args, **kwargs))
    assert helpers.budget(import_tensorflow=False) == runtime.CPU_BUDGET and children == []

    (tmp_path / "nvidiactl").touch()  # a driver, as on a GPU machine: TensorFlow in a child has the last word
    asked = helpers.budget(import_tensorflow=False)
    assert len(children) == 1 and "tensorflow" in children[0][0][-1]
    assert asked == helpers.budget(), "the child should see what TensorFlow in this process sees"
    monkeypatch.setattr(sys, "platform", "darwin")  # Apple's GPUs have no such device file: always ask
    assert runtime._may_have_gpu()


def test_quiet_tensorflow_leaves_the_garbage_collector_as_it_found_it():
    import gc

    assert gc.isenabled()
    helpers.quiet_tensorflow()  # it turns the collector off while it imports
    assert gc.isenabled(), "quiet_tensorflow() left the garbage collector off"
    gc.disable()
    try:
        helpers.quiet_tensorflow()
        assert not gc.isenabled(), "quiet_tensorflow() turned on a collector that its caller had turned off"
    finally:
        gc.enable()
