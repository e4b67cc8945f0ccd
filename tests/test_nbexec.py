"""tools.nbexec runs a notebook as Colab's "Run all" does: in order, tags ignored, the first error ends the run."""

import nbformat

from tools import nbexec


def _notebook(tmp_path, *sources, tags=None):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell("# A title")]
    notebook.cells += [nbformat.v4.new_code_cell(source) for source in sources]
    if tags:
        for number, cell_tags in tags.items():
            notebook.cells[number].metadata["tags"] = cell_tags
    path = tmp_path / "01-x.ipynb"
    nbformat.write(notebook, path)
    return path


def test_the_first_error_ends_the_run_even_in_a_cell_tagged_raises_exception(tmp_path):
    path = _notebook(tmp_path, "print('one')", "raise ValueError('boom')", "print('three')",
                     tags={2: ["raises-exception"]})
    run = nbexec.execute(path, cwd=tmp_path, ignore_tags=True)
    assert (run.error.cell, run.error.ename, run.error.evalue) == (2, "ValueError", "boom")
    assert str(run.error) == "code cell 2 raised ValueError: boom" and "boom" in run.error.traceback
    assert run.notebook.cells[3].outputs == [], "the cell after the error must not run"


def test_a_preamble_runs_first_in_the_same_kernel_and_is_not_returned(tmp_path):
    path = _notebook(tmp_path, "import os\nprint(PREAMBLE, os.getcwd())")
    run = nbexec.execute(path, cwd=tmp_path, preamble="PREAMBLE = 'seen'")
    assert run.error is None, run.error
    assert len(run.notebook.cells) == 2
    assert run.notebook.cells[1].outputs[0]["text"].strip() == f"seen {tmp_path}"
    assert run.seconds > 0 and run.peak_mb > 20, "a kernel's own memory is counted"


def test_an_error_in_the_preamble_is_cell_zero(tmp_path):
    run = nbexec.execute(_notebook(tmp_path, "print(1)"), cwd=tmp_path, preamble="1 / 0")
    assert (run.error.cell, run.error.ename) == (0, "ZeroDivisionError")


def test_a_process_still_running_after_the_last_cell_is_reported(tmp_path):
    path = _notebook(tmp_path, "import subprocess, sys\n"
                               "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(4)'])")
    run = nbexec.execute(path, cwd=tmp_path)
    assert len(run.left_running) == 1 and "time.sleep(4)" in run.left_running[0]


def test_each_section_s_seconds_are_measured_and_no_timestamp_is_left_in_the_notebook(tmp_path):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell("# A title\n\n## Setup"), nbformat.v4.new_code_cell("x = 1"),
                      nbformat.v4.new_markdown_cell("## Wait"), nbformat.v4.new_code_cell("import time"),
                      nbformat.v4.new_code_cell("time.sleep(0.6)")]
    path = tmp_path / "01-x.ipynb"
    nbformat.write(notebook, path)
    run = nbexec.execute(path, cwd=tmp_path)
    assert list(run.sections) == ["Setup", "Wait"]
    assert 0.6 <= run.sections["Wait"] < 5 and run.sections["Setup"] < run.sections["Wait"]
    assert all("execution" not in cell.metadata for cell in run.notebook.cells)
