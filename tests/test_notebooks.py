"""The notebooks are committed in the shape the style guide promises; their index cannot drift."""

import json
import pathlib
import re
import subprocess
import sys

import pytest

from helpers import nbtools

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = nbtools.notebook_paths(ROOT / "notebooks")
NBCHECK = ROOT.parent / "shared" / "tools" / "nbcheck.py"


def _cells(path):
    return json.loads(path.read_text())["cells"]


def _source(cell):
    return "".join(cell["source"])


def test_the_tutorial_notebooks_are_there_in_order():
    numbers = [p.name[:2] for p in NOTEBOOKS]
    assert numbers[:4] == ["01", "02", "03", "04"] and numbers == sorted(set(numbers))
    assert all(nbtools.NAME_PATTERN.match(p.name) for p in (ROOT / "notebooks").glob("*.ipynb"))


def test_index_badges_and_navigation_are_up_to_date():
    stale = [str(p.relative_to(ROOT)) for p in nbtools.stale_files(ROOT)]
    assert not stale, f"run `python -m helpers.nbtools index`; out of date: {stale}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_relative_link_in_a_notebook_points_at_a_file(path):
    for cell in _cells(path):
        if cell["cell_type"] != "markdown":
            continue
        for target in re.findall(r"\]\(([^)#]+)\)", _source(cell)):
            if not target.startswith("http"):
                assert (path.parent / target).exists(), f"{path.name} links to missing {target}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_badge_links_point_at_this_notebook(path):
    header = _source(_cells(path)[0])
    relative = path.relative_to(ROOT).as_posix()
    for url in nbtools.badge_links(nbtools.repository_slug(ROOT), path.relative_to(ROOT)).values():
        assert url in header
        assert url.endswith(relative)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_anatomy_overview_setup_summary_exercises_with_solutions(path):
    markdown = "\n".join(_source(c) for c in _cells(path) if c["cell_type"] == "markdown")
    headings = re.findall(r"^## (.+)$", markdown, flags=re.MULTILINE)
    assert headings[:2] == ["Overview", "Setup"], headings
    assert headings[-2:] == ["Summary", "Exercises"], headings
    assert "<details>" in markdown.split("## Exercises")[-1], "exercises need solutions a reader can reveal"
    first_code = next(c for c in _cells(path) if c["cell_type"] == "code")
    setup = _source(first_code)
    assert setup.index('os.environ["TF_CPP_MIN_LOG_LEVEL"]') < setup.index("import helpers")


@pytest.mark.skipif(not NBCHECK.exists(), reason="the shared nbcheck tool is not beside this checkout")
def test_committed_outputs_pass_the_notebook_hygiene_check():
    result = subprocess.run([sys.executable, str(NBCHECK), str(ROOT)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
