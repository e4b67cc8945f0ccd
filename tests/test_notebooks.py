"""The notebooks are committed in the shape the style guide promises; their index cannot drift."""

import json
import pathlib
import re

import pytest
from factories import cell_source, notebook_cells

from tools import nbindex

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = nbindex.notebook_paths(ROOT / "notebooks")


def test_the_tutorial_notebooks_are_there_in_order():
    numbers = [p.name[:2] for p in NOTEBOOKS]
    assert numbers[:5] == ["00", "01", "02", "03", "04"] and numbers == sorted(set(numbers))
    assert all(nbindex.NAME_PATTERN.match(p.name) for p in (ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_relative_link_in_a_notebook_points_at_a_file(path):
    for cell in notebook_cells(path):
        if cell["cell_type"] != "markdown":
            continue
        for target in re.findall(r"\]\(([^)#]+)\)", cell_source(cell)):
            if not target.startswith("http"):
                assert (path.parent / target).exists(), f"{path.name} links to missing {target}"


LESSONS = [path for path in NOTEBOOKS if not path.name.startswith("00-")]  # 00 checks a setup; it teaches nothing


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_notebook_starts_with_overview_and_a_setup_that_calls_helpers_setup(path):
    markdown = "\n".join(cell_source(c) for c in notebook_cells(path) if c["cell_type"] == "markdown")
    headings = re.findall(r"^## (.+)$", markdown, flags=re.MULTILINE)
    assert headings[:2] == ["Overview", "Setup"], headings
    first_code = next(c for c in notebook_cells(path) if c["cell_type"] == "code")
    setup = cell_source(first_code)
    assert setup.index("import helpers") < setup.index("helpers.setup(")


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_every_lesson_ends_with_summary_exercises_and_solutions(path):
    """The order of the last sections; tools/nbcheck.py checks each exercise's solution cell."""
    markdown = "\n".join(cell_source(c) for c in notebook_cells(path) if c["cell_type"] == "markdown")
    headings = re.findall(r"^## (.+)$", markdown, flags=re.MULTILINE)
    assert headings[-3:] == ["Summary", "Exercises", "Solutions"], headings
    assert re.search(r"^1\. ", markdown.split("## Exercises")[1], re.MULTILINE), "a lesson needs exercises"


def _output_of(path, marker):
    """The text/plain output of the first code cell whose source contains `marker`."""
    for cell in notebook_cells(path):
        if cell["cell_type"] == "code" and marker in cell_source(cell):
            for output in cell["outputs"]:
                if "text/plain" in output.get("data", {}):
                    return "".join(output["data"]["text/plain"])
    raise AssertionError(f"{path.name}: no output for a cell with {marker!r}")


def test_the_results_quoted_in_the_notebook_index_match_notebook_05s_outputs():
    index = (ROOT / "notebooks" / "README.md").read_text()
    section = index[index.index("## Measured in `05-real-data`"):]
    notebook = ROOT / "notebooks" / "05-real-data.ipynb"
    table = _output_of(notebook, "helpers.scores_table(")
    quoted = re.findall(r"\d\.\d{3} ± \d\.\d{3}", section)
    assert len(quoted) == 10, "the index should quote test cross-entropy and accuracy for five methods"
    for figure in quoted:
        assert figure in table, f"{figure} is quoted in notebooks/README.md but not in 05-real-data's table"
    sweep = {}
    for line in _output_of(notebook, "\nsweep").splitlines()[1:]:
        _, noise, mean, _ = line.split()
        sweep[float(noise)] = float(mean)
    pairs = re.findall(r"(\d\.\d{3})\s+at\s+(\d(?:\.\d+)?)", section)
    assert len(pairs) == len(sweep), "the index should quote every noise level of the sweep"
    for mean, noise in pairs:
        level = min(sweep, key=lambda value: abs(value - float(noise)))
        assert abs(level - float(noise)) < 0.005 and f"{sweep[level]:.3f}" == mean, f"{mean} at {noise} drifted"
