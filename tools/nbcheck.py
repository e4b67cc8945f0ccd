"""The notebooks' committed outputs are what a reader on GitHub should see: a check that runs nothing.

    python -m tools.nbcheck [ROOT]     # one line per finding; exit 1 when there is any

A notebook must be committed executed top to bottom in a fresh kernel
(execution counts 1, 2, 3, ...) with the `python3` kernel, and its outputs
must hold no error (Colab's "Run all" ignores tags such as `raises-exception` and stops at
the first one), no leftover `NBVAL_` markers, nothing on stderr, no ANSI
escapes or progress bars, no TensorFlow C++ log lines, no memory addresses,
no paths of the machine that ran it, and no output too long to read.

What a learner meets is checked too: the Setup cell (the first code cell) shows at most
MAX_SETUP_LINES lines, and every numbered exercise under `## Exercises` has its solution
under `## Solutions`: a code cell tagged `solution`, folded in JupyterLab and Colab, titled
`#@title Solution N`, that checks its answer with `assert`. A prose-only `<details>` block is
not a solution.
"""

from __future__ import annotations

import json
import pathlib
import re
import sys

__all__ = ["MAX_OUTPUT_CHARACTERS", "findings", "notebook_findings"]

MAX_OUTPUT_CHARACTERS = 6000
MAX_SETUP_LINES = 10
# What a clean output never holds, and how a finding names it.
_UNWANTED = {
    "ANSI escape codes (colours or progress bars)": re.compile(r"\x1b\["),
    "a Keras progress bar": re.compile(r"\d+/\d+ \S*━"),
    "TensorFlow C++ log lines": re.compile(r"cpu_feature_guard|oneDNN custom operations|absl::InitializeLog"),
    "a memory address": re.compile(r" at 0x[0-9a-fA-F]{6,}"),
    "a path of the machine that ran it": re.compile(r"/(?:home|root|tmp|work|Users)/[^\s'\"]+"),
}


def _joined(value):
    return "".join(value) if isinstance(value, list) else (value or "")


def _output_text(output):
    pieces = [_joined(output.get("text"))]
    pieces += [_joined(value) for kind, value in output.get("data", {}).items() if kind.startswith("text/")]
    pieces += output.get("traceback", [])
    return "\n".join(piece for piece in pieces if piece)


def notebook_findings(path):
    """The findings for one notebook, each a line that names the notebook and the cell."""
    path = pathlib.Path(path)
    try:
        notebook = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        return [f"{path}: cannot be read as a notebook ({error})"]
    found = []
    kernel = notebook.get("metadata", {}).get("kernelspec", {}).get("name")
    if kernel not in (None, "python3"):
        found.append(f"{path}: kernelspec {kernel!r}; expected 'python3'")
    code = [cell for cell in notebook.get("cells", []) if cell.get("cell_type") == "code"]
    counts = [cell.get("execution_count") for cell in code]
    if code and not any(counts):
        found.append(f"{path}: no outputs committed; run it top to bottom before committing")
    elif counts != list(range(1, len(code) + 1)):
        found.append(f"{path}: execution counts {counts[:10]}... are not 1, 2, 3, ...; restart the kernel and run all")
    found += _learner_findings(path, notebook.get("cells", []), code)
    for number, cell in enumerate(code, 1):
        where = f"{path}: code cell {number}"
        if "raises-exception" in cell.get("metadata", {}).get("tags", []):
            found.append(f"{where} is tagged raises-exception, which Colab ignores: catch the error and print it")
        if "NBVAL_" in _joined(cell.get("source")):
            found.append(f"{where} holds an NBVAL_ marker; tag the cell instead (check-output)")
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                found.append(f"{where} shows an error ({output.get('ename')}); Colab's Run all would stop there")
            if output.get("name") == "stderr":
                found.append(f"{where} writes to stderr")
            text = _output_text(output)
            found += [f"{where} shows {what}" for what, pattern in _UNWANTED.items() if pattern.search(text)]
            if len(text) > MAX_OUTPUT_CHARACTERS:
                found.append(f"{where} prints {len(text)} characters; at most {MAX_OUTPUT_CHARACTERS} read well")
    return found


def _learner_findings(path, cells, code):
    found = []
    if code:
        lines = [line for line in _joined(code[0].get("source")).splitlines() if line.strip()]
        if len(lines) > MAX_SETUP_LINES:
            found.append(f"{path}: the Setup cell shows {len(lines)} lines; at most {MAX_SETUP_LINES}")
    markdown = [_joined(cell.get("source")) for cell in cells if cell.get("cell_type") == "markdown"]
    if any("<details>" in text for text in markdown):
        found.append(f"{path}: a <details> block; write each solution as a `solution` cell that asserts its answer")
    exercises = next((text.split("## Exercises", 1)[1] for text in markdown if "## Exercises" in text), None)
    if exercises is None:
        return found
    numbers = re.findall(r"^(\d+)\. ", exercises.split("## Solutions", 1)[0], re.MULTILINE)
    solutions = {}
    for cell in code:
        source = _joined(cell.get("source"))
        if "solution" not in cell.get("metadata", {}).get("tags", []):
            continue
        title = re.match(r"#@title Solution (\d+)\b", source)
        if not title:
            found.append(f"{path}: a solution cell without a first line `#@title Solution N`")
            continue
        solutions[title.group(1)] = cell
        metadata = cell.get("metadata", {})
        if not (metadata.get("jupyter", {}).get("source_hidden") and metadata.get("cellView") == "form"):
            found.append(f"{path}: solution {title.group(1)} is not folded (jupyter.source_hidden, cellView form)")
        if not re.search(r"^\s*assert\b", source, re.MULTILINE):
            found.append(f"{path}: solution {title.group(1)} asserts nothing; check its answer")
    for number in numbers:
        if number not in solutions:
            found.append(f"{path}: exercise {number} has no solution cell")
    return found


def findings(root):
    """The findings for every notebook under `root`/notebooks, checkpoints excluded."""
    found = []
    for path in sorted(pathlib.Path(root, "notebooks").rglob("*.ipynb")):
        if ".ipynb_checkpoints" in path.parts:
            continue
        if path.stem.lower().startswith("untitled"):
            found.append(f"{path}: a stray notebook")
        else:
            found += notebook_findings(path)
    return found


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    root = pathlib.Path(argv[0] if argv else pathlib.Path(__file__).resolve().parent.parent)
    found = findings(root)
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
