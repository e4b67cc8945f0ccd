"""The Binder, conda and CI files agree with pyproject.toml and the README, and a drift is caught."""

import os
import shutil
import subprocess

from tools import envfiles


def test_the_repository_s_environment_and_ci_files_agree():
    assert envfiles.disagreements() == []
    assert envfiles.readme_test_command() == "make test"
    assert (envfiles.ROOT / "binder" / "runtime.txt").read_text().strip() == "python-3.11"
    assert "pip install --no-deps --editable ." in (envfiles.ROOT / "binder" / "postBuild").read_text()


def test_a_range_changed_in_one_file_only_is_named(tmp_path):
    for name in ("pyproject.toml", "environment.yml", "README.md", "binder", ".ci", ".github"):
        source = envfiles.ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, tmp_path / name)
    requirements = tmp_path / "binder" / "requirements.txt"
    requirements.write_text(requirements.read_text().replace("pandas>=2.1", "pandas>=2.0"))
    environment = tmp_path / "environment.yml"
    environment.write_text(environment.read_text().replace("      - keras>=3.13,<3.16\n", "").replace(
        "  - pip\n", "  - pip\n  - keras>=3.13,<3.16\n"))
    (tmp_path / ".ci" / "run").write_text("pytest\n")
    (tmp_path / ".ci" / "constraints" / "colab.txt").write_text("keras==3.12.0\n")
    (tmp_path / ".ci" / "constraints" / "newest.txt").unlink()
    found = envfiles.disagreements(tmp_path)
    assert ".ci/constraints/colab.txt: keras==3.12.0 is outside pyproject.toml's <3.16,>=3.13" in found
    assert ".github/workflows/test.yml: names .ci/constraints/newest.txt, which does not exist" in found
    assert "binder/requirements.txt: pandas '>=2.0', expected '>=2.1'" in found
    assert any(line.startswith("environment.yml: its pip: section lists") for line in found)
    assert ".ci/run: does not run the README's test command 'make test'" in found


def test_binder_start_points_tensorboard_at_jupyter_server_proxy_and_then_runs_jupyter():
    start = envfiles.ROOT / "binder" / "start"
    assert os.access(start, os.X_OK), "repo2docker runs binder/start only if it is executable"
    environment = {"PATH": os.environ["PATH"], "JUPYTERHUB_SERVICE_PREFIX": "/user/someone-abc123/"}
    result = subprocess.run([str(start), "sh", "-c", 'echo "$TENSORBOARD_PROXY_URL"'], env=environment,
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "/user/someone-abc123/proxy/%PORT%/"
    assert "jupyter-server-proxy" in envfiles.requirements(
        (envfiles.ROOT / "binder" / "requirements.txt").read_text().splitlines())


def test_tensorboards_magic_shows_the_dashboard_through_the_proxy_url_that_binder_start_sets(tmp_path):
    from tools import nbexec

    start = (envfiles.ROOT / "binder" / "start").read_text()
    proxy_url = "/user/someone-abc123/proxy/%PORT%/"
    cells = [f"import os, sys\nos.environ['TENSORBOARD_PROXY_URL'] = {proxy_url!r}  # as binder/start exports it\n"
             "os.environ['PATH'] = os.path.dirname(sys.executable) + os.pathsep + os.environ['PATH']  # activated",
             "%load_ext tensorboard",
             f"%tensorboard --logdir {tmp_path} --port 0",
             "import signal, tensorboard.manager\n"
             "for server in tensorboard.manager.get_all():\n"
             "    if server.logdir == %r:\n"
             "        os.kill(server.pid, signal.SIGTERM)" % str(tmp_path)]
    import nbformat

    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in cells])
    nbformat.write(notebook, tmp_path / "01-tensorboard.ipynb")
    run = nbexec.execute(tmp_path / "01-tensorboard.ipynb", cwd=tmp_path)
    assert run.error is None, run.error
    html = "".join(output.get("data", {}).get("text/html", "") for output in run.notebook.cells[2].outputs)
    assert "TENSORBOARD_PROXY_URL=" in start
    assert '"/user/someone-abc123/proxy/' in html and "%PORT%" not in html, html[:2000]
