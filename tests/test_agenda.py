"""The workshop guide's timings are generated from the notebooks' measured sections, never typed by hand."""

import pathlib

import pytest

from tools import agenda, nbindex

ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_each_notebook_gets_its_sections_seconds_in_order_and_its_total():
    entry = nbindex.Entry(pathlib.Path("04-results.ipynb"), "Results", "…", 87.2, 900,
                          {"Setup": 7.8, "The linear task": 7.2})
    block = agenda.agenda_markdown([entry])
    assert block.startswith(agenda.AGENDA_START) and block.endswith(agenda.AGENDA_END)
    assert "| [04](04-results.ipynb) Results | Setup 8 s · The linear task 7 s | 87 s |" in block


def test_the_guide_holds_the_block_and_a_guide_without_it_is_refused():
    assert agenda.AGENDA_START in (ROOT / "notebooks" / "WORKSHOP.md").read_text()
    with pytest.raises(ValueError, match="needs the two lines"):
        agenda.replace_block("# A guide without the block\n", "x")
