"""Execute one notebook in a fresh kernel, and measure it: run time, peak memory, what it leaves running.

    execution = execute(path, cwd=path.parent)       # what `make notebooks` runs (tools.nbrun)
    execution = execute(path, cwd=tmp, preamble=..., ignore_tags=True)   # as Colab's "Run all" would

Cells run top to bottom and the first error ends the run, as Colab's "Run all" does; with
`ignore_tags=True` a `raises-exception` tag no longer lets a cell fail, since Colab ignores tags.
A `preamble` runs first, in the same kernel, as a cell of its own that the returned notebook
leaves out. Memory is `tools.memory.TreeMemory` over the kernel and everything it starts.
"""

from __future__ import annotations

import dataclasses
import re
import time

from tools.memory import TreeMemory

__all__ = ["CellError", "Execution", "execute"]

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclasses.dataclass
class CellError:
    """The error that ended a run: which code cell (1-based, as a reader counts them) and what it raised."""

    cell: int
    ename: str
    evalue: str
    traceback: str

    def __str__(self):
        return f"code cell {self.cell} raised {self.ename}: {self.evalue}"


@dataclasses.dataclass
class Execution:
    """What one run of a notebook gave: the executed notebook and its figures."""

    notebook: object
    seconds: float
    peak_mb: float
    error: CellError | None
    left_running: list  # command lines of processes the kernel still had when the last cell ended
    sections: dict = dataclasses.field(default_factory=dict)  # "## heading" -> seconds its code cells ran


def execute(path, cwd, preamble=None, ignore_tags=False, timeout=600):
    """Runs the notebook at `path` in a fresh `python3` kernel started in `cwd`; returns an `Execution`."""
    import nbformat
    import psutil
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    notebook = nbformat.read(path, as_version=4)
    if ignore_tags:
        for cell in notebook.cells:
            cell.metadata.pop("tags", None)
    if preamble:
        notebook.cells.insert(0, nbformat.v4.new_code_cell(preamble))
    manager = KernelManager(kernel_name="python3")
    started = time.perf_counter()
    # Uncoloured tracebacks: committed outputs of cells carry no ANSI codes.
    manager.start_kernel(cwd=str(cwd), extra_arguments=["--InteractiveShell.colors=nocolor"])
    error, left_running, client = None, [], None
    try:
        client = NotebookClient(notebook, km=manager, timeout=timeout, record_timing=True)
        with TreeMemory(manager.provisioner.pid, include_root=True) as memory:
            try:
                client.execute()
            except CellExecutionError:
                error = _first_error(notebook, skip=1 if preamble else 0)
            seconds = time.perf_counter() - started
            try:
                children = psutil.Process(manager.provisioner.pid).children(recursive=True)
                left_running = [" ".join(child.cmdline()[:6]) for child in children]
            except psutil.Error:  # the kernel itself died
                pass
    finally:
        if client is not None and client.kc is not None:
            client.kc.stop_channels()
        manager.shutdown_kernel(now=False)
    if preamble:
        del notebook.cells[0]
    return Execution(notebook, seconds, memory.peak_mb, error, left_running, _section_seconds(notebook))


def _section_seconds(notebook):
    """Seconds per `## ` section, from the timestamps the kernel gave each cell, which are then removed.

    A committed notebook carries no timestamps; the sections' seconds go to the notebook's metadata.
    """
    from datetime import datetime

    sections, heading = {}, None
    for cell in notebook.cells:
        timing = cell.metadata.pop("execution", None)
        if cell.cell_type == "markdown":
            headings = [line[3:].strip() for line in cell.source.splitlines() if line.startswith("## ")]
            heading = headings[-1] if headings else heading
        elif timing and heading and "shell.execute_reply" in timing and "iopub.status.busy" in timing:
            started, ended = (datetime.fromisoformat(timing[key].replace("Z", "+00:00"))
                              for key in ("iopub.status.busy", "shell.execute_reply"))
            sections[heading] = round(sections.get(heading, 0.0) + (ended - started).total_seconds(), 1)
    return sections


def _first_error(notebook, skip):
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    for number, cell in enumerate(code, 1 - skip):  # a preamble is cell 0
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                traceback = _ANSI.sub("", "\n".join(output.traceback))
                return CellError(number, output.ename, output.evalue, traceback)
    return CellError(0, "CellExecutionError", "the run stopped without an error output", "")
