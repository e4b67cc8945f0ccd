"""Execute the notebooks in place and record their run time and peak memory, then regenerate the index.

    python -m tools.nbrun [NOTEBOOK ...]     # every notebook when none is named (`make notebooks`)
"""

from __future__ import annotations

import argparse
import pathlib
import sys

from tools import nbexec, nbindex


def refresh(paths=None, timeout=600):
    """Executes notebooks in place, each in a fresh kernel of this environment started in notebooks/.

    Records each notebook's wall time and the peak memory of its kernel and every process the kernel
    started (tools.memory) in the notebook's metadata, then rewrites the index.
    A notebook that raises is not written, and the run stops with the error.
    """
    import nbformat

    nbindex.write_index()  # execute exactly the generated headers and Setup cells that will be committed
    for path in paths or nbindex.notebook_paths():
        run = nbexec.execute(path, cwd=path.parent, timeout=timeout)
        if run.error:
            raise SystemExit(f"{path.name}: {run.error}; not written\n{run.error.traceback}")
        if run.left_running:
            raise SystemExit(f"{path.name}: still running after the last cell: {run.left_running}; not written")
        info = run.notebook.metadata.setdefault(nbindex.METADATA_KEY, {})
        info["cpu_seconds"] = round(run.seconds, 1)
        info["peak_memory_mb"] = round(run.peak_mb)
        info["section_seconds"] = run.sections
        nbformat.write(run.notebook, path)
        print(f"{path.name}: {run.seconds:.1f} s, peak memory {run.peak_mb:.0f} MiB", flush=True)
    nbindex.write_index()


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tools.nbrun", description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=pathlib.Path, help="refresh only these")
    args = parser.parse_args(argv)
    refresh([path.resolve() for path in args.notebooks] or None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
