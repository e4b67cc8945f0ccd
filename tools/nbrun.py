"""Execute the notebooks in place and record their run time and peak memory, then regenerate the index.

    python -m tools.nbrun [NOTEBOOK ...]     # every notebook when none is named (`make notebooks`)
"""

from __future__ import annotations

import argparse
import pathlib
import re
import sys
import time

from tools import nbindex

def refresh(paths=None, timeout=600):
    """Executes notebooks in place in a fresh kernel of this environment.

    Records each notebook's wall time and its kernel's peak resident memory in
    the notebook's metadata, then rewrites the index.
    """
    import nbformat
    from nbclient import NotebookClient

    nbindex.write_index()  # execute exactly the generated headers and Setup cells that will be committed
    for path in paths or nbindex.notebook_paths():
        notebook = nbformat.read(path, as_version=4)
        # Uncoloured tracebacks: the committed outputs of cells that raise on purpose carry no ANSI codes.
        client = NotebookClient(notebook, timeout=timeout, kernel_name="python3", record_timing=False,
                                extra_arguments=["--InteractiveShell.colors=nocolor"],
                                resources={"metadata": {"path": str(path.parent)}})
        with _PeakMemory() as memory:
            started = time.perf_counter()
            client.execute()
            seconds = time.perf_counter() - started
        info = notebook.metadata.setdefault(nbindex.METADATA_KEY, {})
        info["cpu_seconds"] = round(seconds, 1)
        info["peak_memory_mb"] = round(memory.peak_mb)
        nbformat.write(notebook, path)
        print(f"{path.name}: {seconds:.1f} s, peak memory {memory.peak_mb:.0f} MB")
    nbindex.write_index()


class _PeakMemory:
    """Polls the peak resident memory (VmHWM) of this process's children, such as a kernel."""

    def __init__(self, interval=0.2):
        import threading

        self.interval = interval
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _poll(self):
        import psutil

        while not self._stop.is_set():
            for child in psutil.Process().children(recursive=True):
                try:
                    status = pathlib.Path(f"/proc/{child.pid}/status").read_text()
                    peak_kb = int(re.search(r"VmHWM:\s+(\d+)", status).group(1))
                except (OSError, AttributeError):  # gone, or no /proc: fall back to the current size
                    try:
                        peak_kb = child.memory_info().rss / 1024
                    except psutil.Error:
                        continue
                self.peak_mb = max(self.peak_mb, peak_kb / 1024)
            self._stop.wait(self.interval)




def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tools.nbrun", description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=pathlib.Path, help="refresh only these")
    args = parser.parse_args(argv)
    refresh([path.resolve() for path in args.notebooks] or None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
