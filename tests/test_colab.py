"""On Colab the Setup cell installs only what Colab lacks, from the configured ref, and a failed install says so.

The stand-in `google.colab` of tools.colab makes a real kernel take the Setup cell's Colab branch, with
pip's installs recorded instead of run.
"""

import os
import shutil
import subprocess
import sys

import nbformat
import pytest
from packaging.requirements import Requirement

from tools import bootstrap, colab, nbexec

URL = bootstrap.helpers_url()
TUNER = bootstrap.pinned_requirement("keras-tuner")


def _setup_notebook(tmp_path):
    """A Setup cell whose kernel stops short of importing TensorFlow: the installs come first, and every notebook's
    own run under `make test` (tools/nbtest.py) takes the same branch with TensorFlow."""
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(bootstrap.bootstrap_source() + "import helpers\n"
                                                "helpers.setup(import_tensorflow=False)\nprint('ready')")]
    path = tmp_path / "01-setup.ipynb"
    nbformat.write(notebook, path)
    return path


def test_setup_on_colab_installs_helpers_from_the_configured_ref_then_keras_tuner_at_its_range(tmp_path):
    record = tmp_path / "installs.jsonl"
    run = nbexec.execute(_setup_notebook(tmp_path), cwd=tmp_path, preamble=colab.stand_in(record))
    assert run.error is None, run.error
    installs = colab.recorded_installs(record)
    assert installs[0] == ["-q", "--no-deps", URL] and len(installs) == 2  # tensorboard is installed here
    assert installs[1][0] == "--quiet" and Requirement(installs[1][1]) == Requirement(TUNER)
    assert colab.install_problems(installs) == []
    assert run.notebook.cells[0].outputs[-1]["text"].endswith("ready\n")


def test_a_failed_install_ends_setup_with_one_sentence_before_helpers_is_imported(tmp_path):
    record = tmp_path / "installs.jsonl"
    reason = "pathspec 'v0.1.0' did not match any file(s) known to git"
    run = nbexec.execute(_setup_notebook(tmp_path), cwd=tmp_path, preamble=colab.stand_in(record, fail_with=reason))
    assert (run.error.cell, run.error.ename) == (1, "RuntimeError")
    assert run.error.evalue == bootstrap.FAILED_INSTALL.format(what=URL, why=f"pip: ERROR: {reason}")
    assert "ModuleNotFoundError" not in run.error.traceback and run.notebook.cells[0].outputs[-1]["ename"]
    assert len(colab.recorded_installs(record)) == 1, "nothing after the failed install runs"


@pytest.mark.parametrize("installs, problem", [
    ([["tensorflow==2.21"], ["--no-deps", URL], [TUNER]], "would replace Colab's own tensorflow"),
    ([[TUNER, "keras>=3"], ["--no-deps", URL]], "would replace Colab's own keras"),
    ([[TUNER], [URL]], "without --no-deps"),
    ([[TUNER], ["--no-deps", URL.rsplit("@", 1)[0] + "@v0.1.0"]], "the settings say"),
    ([["--upgrade", TUNER], ["--no-deps", URL]], "uses --upgrade"),
    ([["keras-tuner"], ["--no-deps", URL]], "pyproject.toml says"),
    ([["--no-deps", URL]], "keras-tuner is installed 0 times"),
    ([], "did not take its Colab branch"),
])
def test_install_problems_name_what_would_break_colab(installs, problem):
    found = colab.install_problems(installs)
    assert any(problem in sentence for sentence in found), found


def test_the_ref_is_one_setting_shared_by_badges_and_the_install(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        'dependencies = [\n    "keras-tuner>=1.4.7,<1.5",\n    "tensorboard>=2.20,<2.22",\n]\n'
        '[project.urls]\nRepository = "https://github.com/me/fork"\n[tool.tutorial]\nref = "release-2"\n')
    assert bootstrap.helpers_url(tmp_path) == "git+https://github.com/me/fork@release-2"
    assert "git+https://github.com/me/fork@release-2" in bootstrap.bootstrap_source(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[project.urls]\nRepository = "https://github.com/me/fork"\n'
                                             '[tool.tutorial]\nref = "main; rm -rf"\n')
    with pytest.raises(ValueError, match="is not a branch or tag name"):
        bootstrap.repository_ref(tmp_path)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git, which pip uses for git+ URLs")
def test_pip_installs_helpers_from_a_branch_of_a_repository_without_tags(tmp_path):
    """The bootstrap's `pip install --no-deps git+URL@REF` on a copy of this repository that has no tags."""
    root = bootstrap.ROOT
    repository = tmp_path / "repository"
    shutil.copytree(root / "helpers", repository / "helpers", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(root / name, repository / name)
    ref = bootstrap.repository_ref()
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-c", "init.defaultBranch=" + ref]
    environment = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(tmp_path)}
    for command in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "x"]):
        subprocess.run(git + command, cwd=repository, check=True, env=environment)
    assert subprocess.run(["git", "tag"], cwd=repository, capture_output=True, text=True).stdout == ""
    url = f"git+file://{repository}@{ref}"
    target = tmp_path / "site"
    result = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
                             "--no-build-isolation", "--target", str(target), url],
                            capture_output=True, text=True, env=environment, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert (target / "helpers" / "__init__.py").is_file()
    assert not any(path.name.startswith(("tensorflow", "keras")) for path in target.iterdir())
