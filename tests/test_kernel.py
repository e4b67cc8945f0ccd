"""helpers.setup(): what every notebook's Setup cell calls once `import helpers` works."""

import subprocess

import pytest
from packaging.requirements import Requirement

import helpers
from helpers import kernel
from tools import bootstrap


def test_colab_gets_keras_tuner_at_pyproject_s_range_and_tensorboard_only_where_missing(monkeypatch):
    assert [Requirement(r) for r in kernel.colab_requirements()] == [
        Requirement(bootstrap.pinned_requirement("keras-tuner"))]  # tensorboard is installed here
    monkeypatch.setattr(kernel.importlib.util, "find_spec", lambda name: None)
    assert [Requirement(r).name for r in kernel.colab_requirements()] == ["keras-tuner", "tensorboard"]


def test_outside_colab_setup_installs_nothing_and_prints_the_versions_and_budget(monkeypatch, capsys):
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: pytest.fail(f"setup ran {a}"))
    budget = helpers.setup(seed=3)
    line = capsys.readouterr().out.strip()
    assert line.startswith("TensorFlow ") and "keras-tuner " in line and line.endswith(str(budget))


@pytest.mark.parametrize("seed", [-1, 1.5, "1", True])
def test_a_bad_seed_is_refused_in_one_sentence(seed):
    with pytest.raises(ValueError, match=rf"seed={seed!r} is invalid; expected a non-negative int"):
        helpers.setup(seed=seed)
