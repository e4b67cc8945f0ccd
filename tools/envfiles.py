"""The environment and CI files agree with pyproject.toml and the README: a check that runs nothing.

    python -m tools.envfiles     # one line per disagreement; exit 1 when there is any

pyproject.toml is the one place where dependency ranges are decided.
binder/requirements.txt must list exactly its dependencies plus `BINDER_EXTRAS`, and
environment.yml the same ranges, with TensorFlow, Keras, keras-tuner and
tensorboard in its pip: section. CI (.ci/run and the GitHub workflow) runs the
README's test command, and the pins of the workflow's version matrix (.ci/constraints/) exist and
fall within pyproject.toml's ranges.
"""

from __future__ import annotations

import pathlib
import re
import sys

__all__ = ["BINDER_EXTRAS", "PIP_ONLY", "NOTEBOOK_EXTRAS", "disagreements", "environment_yml", "pyproject_dependencies",
           "requirements"]

ROOT = pathlib.Path(__file__).resolve().parent.parent
# What conda-forge must not provide: it lags behind on TensorFlow, and its keras-tuner pulls an old dependency.
PIP_ONLY = {"tensorflow", "keras", "keras-tuner", "tensorboard"}
# Packages an environment file may add for running notebooks, beyond the package's own dependencies.
NOTEBOOK_EXTRAS = {"python", "pip", "ipykernel"}
# What Binder adds: the proxy through which a browser reaches TensorBoard's dashboard (binder/start).
BINDER_EXTRAS = {"jupyter-server-proxy": ">=4.1"}


def requirements(lines):
    """{name: specifier} of requirement lines (pip's `a>=1` or conda's `a=1`); comments and options skipped."""
    from packaging.requirements import Requirement

    parsed = {}
    for line in lines:
        line = line.split("#")[0].strip()
        if line and not line.startswith("-"):
            requirement = Requirement(line.replace("=", "==", 1) if re.match(r"^[\w-]+=[^=]", line) else line)
            parsed[requirement.name.lower()] = str(requirement.specifier)
    return parsed


def pyproject_dependencies(root=ROOT):
    """{name: specifier} of pyproject.toml's `dependencies`."""
    block = (root / "pyproject.toml").read_text().split("dependencies = [")[1].split("]")[0]
    return requirements(re.findall(r'"([^"]+)"', block))


def environment_yml(root=ROOT):
    """({name: specifier} from conda, {name: specifier} from its pip: section) of environment.yml."""
    conda, pip = [], []
    section = conda
    for line in (root / "environment.yml").read_text().split("\ndependencies:\n")[1].splitlines():
        if re.match(r"^\s+- pip:\s*$", line):
            section = pip
        elif match := re.match(r"^\s+- (.+)$", line):
            section.append(match.group(1))
    return requirements(conda), requirements(pip)


def readme_test_command(root=ROOT):
    """The test command in the README's opening code block (`make test`)."""
    block = (root / "README.md").read_text().split("```")[1]
    return next(line.split("#")[0].strip() for line in block.splitlines() if "test" in line.split("#")[0])


def disagreements(root=ROOT):
    """One sentence per way the environment or CI files disagree with pyproject.toml or the README."""
    found = []
    wanted = pyproject_dependencies(root)
    binder = requirements((root / "binder" / "requirements.txt").read_text().splitlines())
    for name in sorted(set(wanted) | set(binder) | set(BINDER_EXTRAS)):
        expected = {**wanted, **BINDER_EXTRAS}.get(name)
        if binder.get(name) != expected:
            found.append(f"binder/requirements.txt: {name} {binder.get(name)!r}, expected {expected!r}")
    start = root / "binder" / "start"
    if not start.is_file() or "TENSORBOARD_PROXY_URL=" not in start.read_text() or 'exec "$@"' not in start.read_text():
        found.append("binder/start: must export TENSORBOARD_PROXY_URL and end with exec \"$@\"")
    conda, pip = environment_yml(root)
    if set(pip) != PIP_ONLY:
        found.append(f"environment.yml: its pip: section lists {sorted(pip)}; expected {sorted(PIP_ONLY)}")
    combined = {**conda, **pip}
    for name, specifier in wanted.items():
        if combined.get(name) != specifier:
            found.append(f"environment.yml: {name} {combined.get(name)!r}, pyproject.toml {specifier!r}")
    extra = sorted(set(combined) - set(wanted) - NOTEBOOK_EXTRAS)
    if extra:
        found.append(f"environment.yml: {extra} are not in pyproject.toml")
    found += constraint_disagreements(root, wanted)
    command = readme_test_command(root)
    for path in (root / ".ci" / "run", root / ".github" / "workflows" / "test.yml"):
        if command not in path.read_text():
            found.append(f"{path.relative_to(root)}: does not run the README's test command {command!r}")
    return found


def constraint_disagreements(root, wanted):
    """The CI matrix's pins (.ci/constraints/*.txt) exist where the workflow names them and fit pyproject.toml."""
    from packaging.specifiers import SpecifierSet

    found = []
    workflow = (root / ".github" / "workflows" / "test.yml").read_text()
    for named in sorted(set(re.findall(r"constraints:\s*(\S+)", workflow))):
        if not (root / named).is_file():
            found.append(f".github/workflows/test.yml: names {named}, which does not exist")
    for path in sorted((root / ".ci" / "constraints").glob("*.txt")):
        for name, specifier in requirements(path.read_text().splitlines()).items():
            version = specifier.removeprefix("==")
            if name not in wanted:
                found.append(f"{path.relative_to(root)}: pins {name}, which pyproject.toml does not depend on")
            elif not SpecifierSet(wanted[name]).contains(version):
                found.append(f"{path.relative_to(root)}: {name}=={version} is outside pyproject.toml's {wanted[name]}")
    return found


def main():
    found = disagreements()
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
