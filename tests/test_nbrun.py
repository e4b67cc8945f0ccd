"""tools.nbrun records each notebook's run time and peak memory, and the committed figures stay under Binder's limit."""

import json

from tools import nbindex


def test_notebooks_report_peak_memory_under_binders_limit():
    for path in nbindex.notebook_paths():
        peak = json.loads(path.read_text())["metadata"].get("tutorial", {}).get("peak_memory_mb")
        assert peak is not None, f"{path.name}: run `make notebooks` to measure it"
        assert peak < 1.5 * 1024, f"{path.name} peaked at {peak} MB; Binder gives 1-2 GB"
