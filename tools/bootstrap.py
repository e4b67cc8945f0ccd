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

from helpers.kernel import FAILED_INSTALL

__all__ = ["bootstrap_source", "helpers_url", "pinned_requirement", "repository_ref", "repository_slug",
           "FAILED_INSTALL"]

ROOT = pathlib.Path(__file__).resolve().parent.parent


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
    """The part of every Setup cell before `import helpers`: what makes that import work.

    On Colab: install helpers from `helpers_url()` without dependencies, so that pip never touches Colab's
    TensorFlow and Keras; `helpers.setup()` then installs keras-tuner. A failed install ends the cell with
    `FAILED_INSTALL` and pip's last line. In a local clone: put the repository root on sys.path. Ten lines in
    all with `import helpers` and `helpers.setup()`, blank lines aside (tools.nbcheck holds them to that).
    """
    message = FAILED_INSTALL.format(what="{url}", why="pip: {pip.stderr.strip()[-200:]}")
    return (
        "import os, subprocess, sys\n"
        "\n"
        'if "google.colab" in sys.modules:  # Colab has TensorFlow and Keras: add helpers from this notebook\'s branch\n'
        f'    url = "{helpers_url(root)}"\n'
        '    pip = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", url], capture_output=True, text=True)\n'
        "    if pip.returncode:\n"
        f'        raise RuntimeError(f"{message}")\n'
        "else:  # a local clone: helpers is the repository root's package\n"
        '    sys.path.insert(0, os.path.abspath(".."))\n'
    )
