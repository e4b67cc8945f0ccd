"""The project's own notebook-output check passes on the committed notebooks and catches what readers must not see."""

import json

import nbformat

from tools import nbcheck


def test_the_committed_notebooks_pass_the_output_check():
    assert nbcheck.findings(nbcheck.pathlib.Path(__file__).resolve().parent.parent) == []


def _notebook(tmp_path, outputs, counts=(1, 2), source="print(1)"):
    notebook = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}})
    for count, output in zip(counts, outputs):
        cell = nbformat.v4.new_code_cell(source, execution_count=count)
        cell.outputs = [output]
        notebook.cells.append(cell)
    folder = tmp_path / "notebooks"
    folder.mkdir(exist_ok=True)
    (folder / "01-x.ipynb").write_text(json.dumps(notebook))
    return tmp_path


def test_each_kind_of_noise_is_named_with_its_cell(tmp_path):
    stream = nbformat.v4.new_output
    outputs = [
        stream("stream", name="stderr", text="warning\n"),
        stream("stream", name="stdout", text="1/5 ━━━━ 0s\n<Model at 0x7f3a2b1c4d50> in /home/me/x\n\x1b[0m"),
    ]
    found = nbcheck.findings(_notebook(tmp_path, outputs, counts=(1, 3)))
    text = "\n".join(found)
    assert "execution counts [1, 3]" in text
    assert "code cell 1 writes to stderr" in text
    for what in ("a Keras progress bar", "a memory address", "a path of the machine", "ANSI escape codes"):
        assert f"code cell 2 shows {what}" in text, text


def test_any_error_output_or_raises_exception_tag_is_a_finding_since_colab_run_all_stops_there(tmp_path):
    error = nbformat.v4.new_output("error", ename="TypeError", evalue="x", traceback=["TypeError: x"])
    assert "shows an error (TypeError)" in "\n".join(nbcheck.findings(_notebook(tmp_path, [error], counts=(1,))))
    marked = _notebook(tmp_path, [error], counts=(1,), source="# NBVAL_RAISES_EXCEPTION\nraise TypeError")
    notebook = json.loads((marked / "notebooks" / "01-x.ipynb").read_text())
    notebook["cells"][0]["metadata"]["tags"] = ["raises-exception"]
    (marked / "notebooks" / "01-x.ipynb").write_text(json.dumps(notebook))
    text = "\n".join(nbcheck.findings(marked))
    assert "shows an error (TypeError)" in text and "tagged raises-exception, which Colab ignores" in text
    assert "holds an NBVAL_ marker" in text


def _lesson(tmp_path, setup_lines=3, solutions=(("1", "assert answer == 42", True),), details=False):
    notebook = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}})
    cells = [nbformat.v4.new_code_cell("\n".join(f"line_{n} = {n}" for n in range(setup_lines)))]
    cells.append(nbformat.v4.new_markdown_cell("## Exercises\n\n1. Find the answer.\n2. Explain it.\n\n## Solutions"
                                               + ("\n\n<details>1. 42</details>" if details else "")))
    for number, body, folded in solutions:
        cell = nbformat.v4.new_code_cell(f"#@title Solution {number}\nanswer = 42\n{body}")
        cell.metadata["tags"] = ["solution"]
        if folded:
            cell.metadata.update({"jupyter": {"source_hidden": True}, "cellView": "form"})
        cells.append(cell)
    for count, cell in enumerate((c for c in cells if c.cell_type == "code"), 1):
        cell.execution_count = count
    notebook.cells = cells
    folder = tmp_path / "notebooks"
    folder.mkdir(exist_ok=True)
    (folder / "01-x.ipynb").write_text(json.dumps(notebook))
    return "\n".join(nbcheck.findings(tmp_path))


def test_a_lesson_needs_a_short_setup_and_a_folded_asserting_solution_for_every_exercise(tmp_path):
    complete = (("1", "assert answer == 42", True), ("2", "assert answer > 0", True))
    assert _lesson(tmp_path, solutions=complete) == ""
    assert "exercise 2 has no solution cell" in _lesson(tmp_path)
    assert "the Setup cell shows 20 lines" in _lesson(tmp_path, setup_lines=20, solutions=complete)
    assert "solution 2 asserts nothing" in _lesson(tmp_path, solutions=(complete[0], ("2", "print(answer)", True)))
    assert "solution 2 is not folded" in _lesson(tmp_path, solutions=(complete[0], ("2", "assert answer", False)))
    assert "a <details> block" in _lesson(tmp_path, solutions=complete, details=True)
