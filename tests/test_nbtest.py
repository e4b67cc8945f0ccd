"""The notebook test (tools.nbtest) fails a notebook where a Colab user's "Run all" would break."""

import json
import re
import subprocess
import sys

import nbformat

from tools import bootstrap, nbtest

# The Setup cell of a notebook that needs no TensorFlow: these notebooks test the notebook runner, not training.
SETUP = bootstrap.bootstrap_source() + "import helpers\nhelpers.setup(import_tensorflow=False)\n"


def _write(folder, name, *cells, tags=None, outputs=None):
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell("# Title\n\nDescription.")]
    notebook.cells += [nbformat.v4.new_code_cell(source) for source in cells]
    for number, cell_tags in (tags or {}).items():
        notebook.cells[number].metadata["tags"] = cell_tags
    for number, text in (outputs or {}).items():
        notebook.cells[number].outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
    nbformat.write(notebook, folder / name)


def test_a_notebook_fails_on_an_error_a_tag_would_hide_a_changed_output_or_no_colab_install(tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    _write(folder, "01-passes.ipynb", SETUP, "print(2 + 2)", tags={2: ["check-output"]}, outputs={2: "4\n"})
    _write(folder, "02-raises.ipynb", SETUP, "raise TypeError('on purpose')", "print('never')",
           tags={2: ["raises-exception"]})
    _write(folder, "03-changed.ipynb", SETUP, "print(5)", tags={2: ["check-output"]}, outputs={2: "4\n"})
    _write(folder, "04-no-setup.ipynb", "print('no Setup cell')")
    result = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-c",
                             str(bootstrap.ROOT / "pyproject.toml"), "--rootdir", str(tmp_path), str(folder)],
                            cwd=bootstrap.ROOT, capture_output=True, text=True, timeout=300)
    output = result.stdout
    assert result.returncode == 1 and "3 failed, 1 passed" in output, output[-3000:]
    assert "02-raises.ipynb: code cell 2 raised TypeError: on purpose; Colab's \"Run all\" stops here" in output
    assert "03-changed.ipynb:\n- code cell 2 is tagged check-output, and its output changed from\n4\nto\n5" in output
    assert "04-no-setup.ipynb:\n- Setup's Colab install: nothing was installed" in output
    assert "notebooks, run as Colab's Run all" in output
    assert re.search(r"^01-passes\.ipynb +\d+\.\d s +peak memory +\d+ MiB", output, re.MULTILINE), output[-3000:]


def test_text_outputs_compare_what_a_reader_sees():
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="a  \nb\n"),
                    nbformat.v4.new_output("execute_result", data={"text/plain": "3", "image/png": "..."})]
    assert nbtest.text_outputs(json.loads(json.dumps(cell))) == "a\nb\n3"
