"""The settings that say where the notebooks live, and the Setup-cell bootstrap generated from them.

Two settings in pyproject.toml decide every launch link and every Colab install:

- `[project.urls] Repository`: the GitHub repository, `https://github.com/OWNER/NAME`;
- `[tool.tutorial] ref`: the branch or tag that the badges open and that Colab installs `helpers` from.

Because both come from the same `ref`, a notebook opened from a badge always runs
with the `helpers` of its own commit line, on a repository with or without tags.
`python -m tools.nbindex index` writes the bootstrap into every notebook.
"""

from __future__ import annotations

import pathlib
import re

__all__ = ["bootstrap_source", "helpers_url", "pinned_requirement", "repository_ref", "repository_slug",
           "FAILED_INSTALL"]

ROOT = pathlib.Path(__file__).resolve().parent.parent

# The sentence a failed Colab install ends the Setup cell with; {what} and {why} are filled in there.
FAILED_INSTALL = ("Setup could not install {what} ({why}); check that this runtime can reach the internet, "
                  "then run this cell again.")


def _pyproject(root=ROOT):
    return (pathlib.Path(root) / "pyproject.toml").read_text()


def pinned_requirement(name, root=ROOT):
    """The requirement string for `name` from pyproject.toml's dependencies, e.g. 'keras-tuner>=1.4.7,<1.5'."""
    match = re.search(rf'^\s*"({re.escape(name)}[<>=!~][^"]*)"', _pyproject(root), re.MULTILINE)
    if not match:
        raise ValueError(f"pyproject.toml has no dependency named {name!r}")
    return match.group(1)


def repository_slug(root=ROOT):
    """The `owner/name` of the GitHub repository, from `[project.urls] Repository` in pyproject.toml."""
    match = re.search(r'^Repository\s*=\s*"https://github\.com/([^/"]+/[^/"]+?)/?"', _pyproject(root), re.MULTILINE)
    if not match:
        raise ValueError("pyproject.toml has no [project.urls] Repository = \"https://github.com/OWNER/NAME\"")
    return match.group(1)


def repository_ref(root=ROOT):
    """The branch or tag in `[tool.tutorial] ref`: what the badges open and what Colab installs helpers from."""
    section = re.search(r"^\[tool\.tutorial\]\s*$(.*?)(?=^\[|\Z)", _pyproject(root), re.MULTILINE | re.DOTALL)
    match = section and re.search(r'^ref\s*=\s*"([^"]*)"', section.group(1), re.MULTILINE)
    if not match:
        raise ValueError('pyproject.toml has no [tool.tutorial] ref = "BRANCH-OR-TAG" (for example "main")')
    ref = match.group(1)
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._/-]*", ref) or ".." in ref:
        raise ValueError(f"[tool.tutorial] ref = {ref!r} is not a branch or tag name")
    return ref


def helpers_url(root=ROOT):
    """What pip installs helpers from on Colab: `git+https://github.com/OWNER/NAME@REF`."""
    return f"git+https://github.com/{repository_slug(root)}@{repository_ref(root)}"


def bootstrap_source(root=ROOT):
    """The part of every Setup cell before `import helpers`.

    Everywhere: quiet TensorFlow's C++ logs and let TensorFlow take GPU memory as it needs it (so that
    several processes can share one GPU), both before TensorFlow is imported. On Colab: install
    keras-tuner (and tensorboard where it is missing) next to Colab's TensorFlow and Keras, which pip finds
    already there and leaves alone, then helpers from `helpers_url()` without dependencies. A failed install
    ends the cell with `FAILED_INSTALL`. In a local clone: put the repository root on sys.path.
    """
    keras_tuner, tensorboard = pinned_requirement("keras-tuner", root), pinned_requirement("tensorboard", root)
    first, rest = FAILED_INSTALL.split("; ", 1)
    return (
        "import os\n"
        "import sys\n"
        "\n"
        'os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"  # quiet TensorFlow\'s C++ logs; set before TensorFlow loads\n'
        'os.environ.setdefault("TF_FORCE_GPU_ALLOW_GROWTH", "true")  # on a GPU, take memory only as needed\n'
        'if "google.colab" in sys.modules:  # Colab has TensorFlow and Keras: install only what it lacks\n'
        "    import importlib.util\n"
        "    import subprocess\n"
        "\n"
        "    # helpers comes from the same branch or tag as this notebook, without dependencies\n"
        f'    helpers_url = "{helpers_url(root)}"\n'
        f'    installs = [["{keras_tuner}"], ["--no-deps", helpers_url]]\n'
        '    if importlib.util.find_spec("tensorboard") is None:  # keras-tuner imports it in every trial\n'
        f'        installs[0].append("{tensorboard}")\n'
        "    for packages in installs:\n"
        '        pip = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", *packages],\n'
        "                             capture_output=True, text=True)\n"
        "        if pip.returncode != 0:\n"
        '            what = " and ".join(package for package in packages if not package.startswith("-"))\n'
        '            reason = (pip.stderr.strip().splitlines() or ["no message"])[-1]\n'
        f'            raise RuntimeError(f"{first.format(what="{what}", why="pip: {reason}")}; "\n'
        f'                               "{rest}") from None\n'
        "else:  # a local clone: the repository root holds the helpers package\n"
        '    sys.path.insert(0, os.path.abspath(".."))\n'
        "\n"
    )
