"""Launch files agree with pyproject.toml, every launch link resolves, and the Setup cell is safe everywhere."""

import json
import os
import pathlib
import re
import subprocess
import sys

import pytest
from packaging.requirements import Requirement

import helpers
from helpers import nbtools

ROOT = pathlib.Path(__file__).resolve().parent.parent
# Packages an environment file may add for running notebooks, beyond the package's own dependencies.
NOTEBOOK_EXTRAS = {"python", "pip", "ipykernel"}
# What conda-forge must not provide: it lags behind on TensorFlow, and its keras-tuner pulls an old dependency.
PIP_ONLY = {"tensorflow", "keras", "keras-tuner", "tensorboard"}


def _requirements(lines):
    parsed = {}
    for line in lines:
        line = line.split("#")[0].strip()
        if line and not line.startswith("-"):
            requirement = Requirement(line.replace("=", "==", 1) if re.match(r"^[\w-]+=[^=]", line) else line)
            parsed[requirement.name.lower()] = str(requirement.specifier)
    return parsed


def _pyproject_dependencies():
    block = (ROOT / "pyproject.toml").read_text().split("dependencies = [")[1].split("]")[0]
    return _requirements(re.findall(r'"([^"]+)"', block))


def _environment_yml():
    conda, pip = [], []
    section = conda
    text = (ROOT / "environment.yml").read_text()
    for line in text.split("\ndependencies:\n")[1].splitlines():
        if re.match(r"^\s+- pip:\s*$", line):
            section = pip
        elif match := re.match(r"^\s+- (.+)$", line):
            section.append(match.group(1))
    return _requirements(conda), _requirements(pip)


def test_binder_requirements_match_pyproject_exactly():
    binder = _requirements((ROOT / "binder" / "requirements.txt").read_text().splitlines())
    assert binder == _pyproject_dependencies()
    assert (ROOT / "binder" / "runtime.txt").read_text().strip() == "python-3.11"
    assert "pip install --no-deps --editable ." in (ROOT / "binder" / "postBuild").read_text()


def test_environment_yml_matches_pyproject_with_tensorflow_from_pip():
    conda, pip = _environment_yml()
    assert set(pip) == PIP_ONLY, "TensorFlow, Keras, keras-tuner and tensorboard belong in the pip: section"
    assert conda["python"] == "==3.11"
    combined = {**conda, **pip}
    for name, specifier in _pyproject_dependencies().items():
        assert combined.get(name) == specifier, f"{name}: pyproject says {specifier!r}, environment.yml {combined.get(name)!r}"
    assert set(combined) - set(_pyproject_dependencies()) <= NOTEBOOK_EXTRAS


def _launch_links():
    texts = [(ROOT / "README.md").read_text(), (ROOT / "notebooks" / "README.md").read_text()]
    for path in nbtools.notebook_paths(ROOT / "notebooks"):
        texts.append("".join(json.loads(path.read_text())["cells"][0]["source"]))
    for text in texts:
        urls = re.findall(r"\((https://(?:colab\.research\.google\.com|mybinder\.org|github\.com)/[^)\s]+)\)", text)
        yield from (url for url in urls if not url.endswith(".svg"))  # badge images, not launch links


def test_every_colab_binder_and_github_link_points_at_a_file_in_this_repository():
    slug = nbtools.repository_slug(ROOT)
    links = list(_launch_links())
    assert len(links) == 3 * 3 * len(nbtools.notebook_paths(ROOT / "notebooks"))
    for url in links:
        match = re.search(rf"{re.escape(slug)}/(?:blob/main/|main\?urlpath=lab/tree/)(.+)$", url)
        assert match, f"{url} is not built from the repository slug {slug}"
        assert (ROOT / match.group(1)).is_file(), f"{url} points at a missing file"


@pytest.mark.parametrize("path", nbtools.notebook_paths(ROOT / "notebooks"), ids=lambda p: p.name)
def test_colab_branch_installs_what_colab_lacks_and_never_tensorflow(path):
    setup = "".join(next(c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code")["source"])
    colab = setup.split('if "google.colab" in sys.modules:')[1].split("\nelse:")[0]
    installs = [line for line in colab.splitlines() if "%pip" in line or "needed" in line]
    text = "\n".join(installs)
    assert nbtools.pinned_requirement("keras-tuner", ROOT) in text
    assert "tensorboard" in text and 'find_spec("tensorboard") is None' in colab
    assert not re.search(r"tensorflow|\bkeras[<>=\"]|--upgrade|-U\b|--force", text.replace("keras-tuner", "")), text
    helpers_install = next(line for line in installs if "git+https://github.com/" in line)
    assert "--no-deps" in helpers_install, "installing helpers with its dependencies could replace Colab's TensorFlow"
    assert f"@v{nbtools.project_version(ROOT)}" in helpers_install, "helpers must come from a pinned release tag"


def test_setup_cell_runs_its_local_branch_outside_colab(tmp_path):
    from IPython.core.inputtransformer2 import TransformerManager

    path = nbtools.notebook_paths(ROOT / "notebooks")[0]
    setup = "".join(next(c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code")["source"])
    script = tmp_path / "setup.py"
    script.write_text(TransformerManager().transform_cell(setup) + "\nprint('SYS_PATH_0=' + sys.path[0])\n")
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run([sys.executable, str(script)], cwd=ROOT / "notebooks", capture_output=True, text=True,
                            env=environment, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"SYS_PATH_0={ROOT}" in result.stdout
    assert "TensorFlow" in result.stdout and "budget on" in result.stdout
    assert "pip" not in result.stdout.lower() and "google.colab" not in sys.modules


def test_setup_cells_are_the_generated_bootstrap_in_every_notebook():
    bootstrap = nbtools.bootstrap_source(ROOT)
    for path in nbtools.notebook_paths(ROOT / "notebooks"):
        setup = "".join(next(c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code")["source"])
        assert setup.startswith(bootstrap), path.name


def test_cpu_runs_keep_the_ci_budget_and_a_gpu_scales_it(monkeypatch):
    monkeypatch.delenv(helpers.runtime.BUDGET_VARIABLE, raising=False)
    cpu = helpers.budget()
    assert (cpu.trials(12), cpu.epochs(12), cpu.repeats(3)) == (12, 12, 3)  # no GPU on CI
    monkeypatch.setenv(helpers.runtime.BUDGET_VARIABLE, "gpu")
    gpu = helpers.budget()
    assert gpu.trials(12) > 12 and gpu.epochs(12) > 12 and gpu.repeats(3) > 3
    monkeypatch.setenv(helpers.runtime.BUDGET_VARIABLE, "tpu")
    with pytest.raises(ValueError, match="KT_TUTORIAL_BUDGET='tpu'"):
        helpers.budget()


def test_notebooks_report_peak_memory_under_binders_limit():
    for path in nbtools.notebook_paths(ROOT / "notebooks"):
        peak = json.loads(path.read_text())["metadata"].get("tutorial", {}).get("peak_memory_mb")
        assert peak is not None, f"{path.name}: run `make notebooks` to measure it"
        assert peak < 1.5 * 1024, f"{path.name} peaked at {peak} MB; Binder gives 1-2 GB"


def test_github_workflow_runs_the_readme_test_command_on_python_311():
    workflow = (ROOT / ".github" / "workflows" / "test.yml").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "make test" in readme.split("\n\n")[1] and "run: make test" in workflow
    assert 'python-version: "3.11"' in workflow and "cache: pip" in workflow
    assert "make test" in (ROOT / ".ci" / "run").read_text()
