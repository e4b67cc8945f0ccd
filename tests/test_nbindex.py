"""The index, badges, navigation and Setup-cell bootstraps are generated, current, and safe on Colab and locally."""

import os
import pathlib
import re
import subprocess
import sys

import pytest
from factories import cell_source, notebook_cells

from tools import nbindex

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = nbindex.notebook_paths(ROOT / "notebooks")


def _setup_source(path):
    return cell_source(next(cell for cell in notebook_cells(path) if cell["cell_type"] == "code"))


def test_the_tools_find_the_repository_from_their_own_folder():
    assert nbindex.ROOT == ROOT and (nbindex.ROOT / "tools" / "nbindex.py").is_file()


def test_index_badges_and_navigation_are_up_to_date():
    stale = [str(p.relative_to(ROOT)) for p in nbindex.stale_files(ROOT)]
    assert not stale, f"run `python -m tools.nbindex index`; out of date: {stale}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_badge_links_point_at_this_notebook(path):
    header = cell_source(notebook_cells(path)[0])
    relative = path.relative_to(ROOT).as_posix()
    links = nbindex.badge_links(nbindex.repository_slug(ROOT), path.relative_to(ROOT), nbindex.repository_ref(ROOT))
    for url in links.values():
        assert url in header
        assert url.endswith(relative)


def _launch_links():
    texts = [(ROOT / "README.md").read_text(), (ROOT / "notebooks" / "README.md").read_text()]
    for path in NOTEBOOKS:
        texts.append(cell_source(notebook_cells(path)[0]))
    for text in texts:
        urls = re.findall(r"\((https://(?:colab\.research\.google\.com|mybinder\.org|github\.com)/[^)\s]+)\)", text)
        yield from (url for url in urls if not url.endswith(".svg"))  # badge images, not launch links


def test_every_colab_binder_and_github_link_points_at_a_file_in_this_repository():
    slug, ref = nbindex.repository_slug(ROOT), re.escape(nbindex.repository_ref(ROOT))
    links = list(_launch_links())
    assert len(links) == 3 * 3 * len(NOTEBOOKS)
    for url in links:
        match = re.search(rf"{re.escape(slug)}/(?:blob/{ref}/|{ref}\?urlpath=lab/tree/)(.+)$", url)
        assert match, f"{url} is not built from the repository slug {slug} and the ref {ref}"
        assert (ROOT / match.group(1)).is_file(), f"{url} points at a missing file"


def test_setup_cell_runs_its_local_branch_outside_colab(tmp_path):
    from IPython.core.inputtransformer2 import TransformerManager

    # The notebook whose Setup leaves TensorFlow to the processes it starts (07): the local branch is the same in
    # every notebook (the next test), and helpers.setup() with TensorFlow is tested in test_kernel.py.
    path = next(path for path in NOTEBOOKS if "import_tensorflow=False" in _setup_source(path))
    setup = _setup_source(path)
    script = tmp_path / "setup.py"
    script.write_text(TransformerManager().transform_cell(setup) + "\nprint('SYS_PATH_0=' + sys.path[0])\n"
                      "print('GROWTH=' + os.environ['TF_FORCE_GPU_ALLOW_GROWTH'])\n")
    environment = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "TF_FORCE_GPU_ALLOW_GROWTH")}
    result = subprocess.run([sys.executable, str(script)], cwd=ROOT / "notebooks", capture_output=True, text=True,
                            env=environment, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"SYS_PATH_0={ROOT}" in result.stdout
    assert "GROWTH=true" in result.stdout, "on a GPU, TensorFlow must take memory as needed, not all of it at once"
    assert "TensorFlow" in result.stdout and "budget on" in result.stdout
    assert "pip" not in result.stdout.lower() and "google.colab" not in sys.modules


def test_setup_cells_are_the_generated_bootstrap_in_every_notebook():
    bootstrap = nbindex.bootstrap_source(ROOT)
    for path in NOTEBOOKS:
        setup = _setup_source(path)
        assert setup.startswith(bootstrap), path.name
