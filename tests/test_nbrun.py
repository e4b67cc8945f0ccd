"""The index's memory figures are the summed peaks that tools.nbrun records, and they fit Binder."""

import json

from tools import nbindex, nbtest


def test_the_index_reports_each_notebooks_summed_peak_memory_under_binders_limit():
    for path in nbindex.notebook_paths():
        peak = json.loads(path.read_text())["metadata"].get("tutorial", {}).get("peak_memory_mb")
        assert peak is not None, f"{path.name}: run `make notebooks` to measure it"
        limit = nbtest.memory_limit_mb(path)
        assert peak <= limit, f"{path.name} peaked at {peak} MiB, summed over its processes; Binder allows {limit:.0f}"
        assert f"| {peak / 1024:.2f} GB |" in (nbindex.ROOT / "notebooks" / "README.md").read_text()


def test_memory_limits_are_binders_guarantee_and_07s_share_of_its_hard_limit():
    assert nbtest.memory_limit_mb("notebooks/04-results.ipynb") == 1024
    assert nbtest.memory_limit_mb("notebooks/07-distributed.ipynb") == 1.6 * 1024
