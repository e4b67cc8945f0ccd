"""The Binder, conda and CI files agree with pyproject.toml and the README, and a drift is caught."""

import shutil

from tools import envfiles


def test_the_repository_s_environment_and_ci_files_agree():
    assert envfiles.disagreements() == []
    assert envfiles.readme_test_command() == "make test"
    assert (envfiles.ROOT / "binder" / "runtime.txt").read_text().strip() == "python-3.11"
    assert "pip install --no-deps --editable ." in (envfiles.ROOT / "binder" / "postBuild").read_text()


def test_a_range_changed_in_one_file_only_is_named(tmp_path):
    for name in ("pyproject.toml", "environment.yml", "README.md", "binder", ".ci", ".github"):
        source = envfiles.ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, tmp_path / name)
    requirements = tmp_path / "binder" / "requirements.txt"
    requirements.write_text(requirements.read_text().replace("pandas>=2.1", "pandas>=2.0"))
    environment = tmp_path / "environment.yml"
    environment.write_text(environment.read_text().replace("      - keras>=3.13,<3.16\n", "").replace(
        "  - pip\n", "  - pip\n  - keras>=3.13,<3.16\n"))
    (tmp_path / ".ci" / "run").write_text("pytest\n")
    found = envfiles.disagreements(tmp_path)
    assert "binder/requirements.txt: pandas '>=2.0', pyproject.toml '>=2.1'" in found
    assert any(line.startswith("environment.yml: its pip: section lists") for line in found)
    assert ".ci/run: does not run the README's test command 'make test'" in found
