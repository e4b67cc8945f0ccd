"""Colab's "Run all", simulated: a stand-in `google.colab`, pip installs recorded instead of run, and checked.

    preamble = stand_in(record_path)            # run first in the kernel (tools.nbexec's `preamble`)
    problems = install_problems(recorded_installs(record_path))

What the simulation reproduces of Colab: a fresh kernel whose working directory holds nothing from
this repository; `google.colab` imported, so every Setup cell takes its Colab branch; every cell run
in order whatever its tags, the first exception ending the run (tools.nbexec with `ignore_tags=True`).
What it does not: the installs themselves. They are recorded, never run, and `install_problems`
checks them against the settings in pyproject.toml. `helpers` is then imported from this
environment, where `make` installed it.
"""

from __future__ import annotations

import json
import pathlib

from tools import bootstrap

__all__ = ["FORBIDDEN", "install_problems", "recorded_installs", "stand_in"]

# Colab's own packages, which an install must never name: pip would replace them.
FORBIDDEN = {"tensorflow", "tensorflow-cpu", "tensorflow-gpu", "tf-nightly", "keras", "keras-nightly", "tf-keras",
             "jax", "jaxlib", "torch", "numpy"}
# Options that make pip replace what is already installed.
_REPLACING = {"-U", "--upgrade", "--force-reinstall", "-I", "--ignore-installed"}


def stand_in(record_path, fail_with=None):
    """Kernel code that makes the Setup cell see Colab, and records each `pip install` in `record_path`.

    Each install is one JSON list of pip's arguments after `install`, one per line. With `fail_with`
    (pip's last error line), every install fails as a network or ref error would.
    """
    returncode, stderr = (1, f"ERROR: {fail_with}\n") if fail_with else (0, "")
    return (
        "import json as _json, subprocess as _subprocess, sys as _sys, types as _types\n"
        '_sys.modules["google.colab"] = _types.ModuleType("google.colab")  # what Colab has imported at start\n'
        "def _recorded_pip(args, *more, _run=_subprocess.run, _done=_subprocess.CompletedProcess, _dumps=_json.dumps,\n"
        "                  **options):\n"
        '    if list(args[1:4]) == ["-m", "pip", "install"]:\n'
        f"        with open({str(record_path)!r}, 'a') as record:\n"
        '            record.write(_dumps(list(args[4:])) + "\\n")\n'
        f"        return _done(args, {returncode}, '', {stderr!r})\n"
        "    return _run(args, *more, **options)\n"
        "_subprocess.run = _recorded_pip\n"
        "del _json, _subprocess, _sys, _types, _recorded_pip\n"
    )


def recorded_installs(record_path):
    """The recorded installs, each a list of pip's arguments; [] when nothing was installed."""
    path = pathlib.Path(record_path)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def install_problems(installs, root=bootstrap.ROOT):
    """One sentence per way the recorded installs differ from what Colab needs; [] when they are right.

    Right means: keras-tuner at pyproject.toml's range, helpers from the configured repository and ref
    without dependencies, tensorboard at most at its range, and nothing that replaces what Colab has.
    """
    from packaging.requirements import InvalidRequirement, Requirement

    wanted_tuner, url = bootstrap.pinned_requirement("keras-tuner", root), bootstrap.helpers_url(root)
    allowed = {"keras-tuner": wanted_tuner, "tensorboard": bootstrap.pinned_requirement("tensorboard", root)}
    problems, named = [], []
    if not installs:
        return ["nothing was installed: the Setup cell did not take its Colab branch"]
    for arguments in installs:
        options = [argument for argument in arguments if argument.startswith("-")]
        for option in sorted(set(options) & _REPLACING):
            problems.append(f"`pip install {' '.join(arguments)}` uses {option}, which replaces installed packages")
        for argument in arguments:
            if argument.startswith("-"):
                continue
            if argument.startswith("git+"):
                named.append("helpers")
                if argument != url:
                    problems.append(f"helpers is installed from {argument}; the settings say {url}")
                if "--no-deps" not in options:
                    problems.append(f"{argument} is installed without --no-deps, so pip may replace TensorFlow")
                continue
            try:
                requirement = Requirement(argument)
            except InvalidRequirement:
                problems.append(f"{argument!r} is not a requirement pip understands")
                continue
            name = requirement.name.lower().replace("_", "-")
            named.append(name)
            if name in FORBIDDEN:
                problems.append(f"{argument} would replace Colab's own {name}")
            elif name not in allowed:
                problems.append(f"{argument} is installed, but only {sorted(allowed)} and helpers are expected")
            elif requirement.specifier != Requirement(allowed[name]).specifier:
                problems.append(f"{argument} is installed; pyproject.toml says {allowed[name]}")
    for needed in ("keras-tuner", "helpers"):
        if named.count(needed) != 1:
            problems.append(f"{needed} is installed {named.count(needed)} times; expected once")
    return problems
