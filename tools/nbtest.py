"""The pytest plugin that runs every tutorial notebook as a Colab user's "Run all" would (`make test`).

pyproject.toml loads it (`-p tools.nbtest`). Each `notebooks/NN-*.ipynb` becomes one test that:

- executes the notebook once in a fresh kernel, in an empty working directory, with a stand-in
  `google.colab` and every cell run whatever its tags, the first exception ending the run
  (tools.colab, tools.nbexec);
- checks the installs that the Setup cell asked pip for (never TensorFlow or Keras; helpers from the
  repository and ref in pyproject.toml, without dependencies);
- checks the peak memory of the kernel and everything it started, summed as Binder counts it,
  against `MEMORY_LIMITS_MB`;
- checks that no process the notebook started is still running at its end;
- compares the outputs of cells tagged `check-output` with the committed ones.

The run times and memory figures are printed at the end of the session, never asserted.
"""

from __future__ import annotations

import json
import pathlib
import tempfile

import pytest

from tools import colab, nbexec, nbindex

__all__ = ["MEMORY_LIMITS_MB", "memory_limit_mb", "text_outputs"]

# mybinder.org guarantees 1 GB to a session; 07, which starts a chief and two workers beside its kernel,
# may use up to 1.6 GB of the 2 GB at which Binder stops a session.
MEMORY_LIMITS_MB = {"default": 1024, "07-distributed.ipynb": 1.6 * 1024}
CHECK_OUTPUT = "check-output"
_RESULTS = "notebook results"


def memory_limit_mb(path):
    """The most memory (MiB, summed over the kernel's process tree) the notebook at `path` may use."""
    return MEMORY_LIMITS_MB.get(pathlib.Path(path).name, MEMORY_LIMITS_MB["default"])


def text_outputs(cell):
    """A cell's text outputs (stream text and text/plain results), joined, trailing spaces removed."""
    pieces = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            pieces.append(output.get("text", ""))
        elif "data" in output:
            pieces.append(output["data"].get("text/plain", ""))
    text = "".join("".join(piece) if isinstance(piece, list) else piece for piece in pieces)
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def pytest_collect_file(file_path, parent):
    if file_path.parent.name == "notebooks" and nbindex.NAME_PATTERN.match(file_path.name):
        return NotebookFile.from_parent(parent, path=file_path)
    return None


class NotebookFile(pytest.File):
    def collect(self):
        yield NotebookItem.from_parent(self, name="colab_run_all")


class NotebookFailure(Exception):
    """What a notebook test reports: one or more sentences, then the traceback that ended the run."""


class NotebookItem(pytest.Item):
    def runtest(self):
        with tempfile.TemporaryDirectory(prefix="colab-content-") as content:
            record = pathlib.Path(content, ".pip-installs.jsonl")
            run = nbexec.execute(self.path, cwd=content, preamble=colab.stand_in(record), ignore_tags=True)
            installs = colab.recorded_installs(record)
        self.user_properties.append((_RESULTS, json.dumps(
            {"notebook": self.path.name, "seconds": round(run.seconds, 1), "peak_mb": round(run.peak_mb)})))
        if run.error:
            raise NotebookFailure(f"{self.path.name}: {run.error}; Colab's \"Run all\" stops here.\n\n"
                                  f"{run.error.traceback}")
        problems = [f"Setup's Colab install: {problem}" for problem in colab.install_problems(installs)]
        limit = memory_limit_mb(self.path)
        if run.peak_mb > limit:
            problems.append(f"peak memory {run.peak_mb:.0f} MiB (summed PSS of the kernel and its processes) is over "
                            f"the {limit:.0f} MiB that Binder allows this notebook")
        problems += [f"still running after the last cell: {command}" for command in run.left_running]
        problems += self._changed_outputs(run.notebook)
        if problems:
            raise NotebookFailure(f"{self.path.name}:\n- " + "\n- ".join(problems))

    def _changed_outputs(self, executed):
        import nbformat

        committed = nbformat.read(self.path, as_version=4)
        changed = []
        code = [(old, new) for old, new in zip(committed.cells, executed.cells) if old.cell_type == "code"]
        for number, (old, new) in enumerate(code, 1):
            if CHECK_OUTPUT in old.metadata.get("tags", []) and text_outputs(old) != text_outputs(new):
                changed.append(f"code cell {number} is tagged {CHECK_OUTPUT}, and its output changed from\n"
                               f"{text_outputs(old)}\nto\n{text_outputs(new)}")
        return changed

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, NotebookFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, None, f"{self.path.name}: Colab's Run all"


def pytest_terminal_summary(terminalreporter):
    results = []
    for report in terminalreporter.stats.get("passed", []) + terminalreporter.stats.get("failed", []):
        results += [json.loads(value) for key, value in getattr(report, "user_properties", []) if key == _RESULTS]
    if results:
        terminalreporter.section("notebooks, run as Colab's Run all (CPU budget)")
        for result in sorted(results, key=lambda r: r["notebook"]):
            terminalreporter.write_line(f"{result['notebook']:<32} {result['seconds']:6.1f} s   "
                                        f"peak memory {result['peak_mb']:5d} MiB (limit {memory_limit_mb(result['notebook']):.0f})")
