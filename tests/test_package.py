"""The package's shape: every public name resolves, imports form no loop, and docstrings name the right notebook."""

import ast
import inspect
import json
import pathlib
import re

import pytest

import helpers

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "helpers"
MODULES = {f"helpers.{path.stem}": path for path in sorted(PACKAGE.glob("*.py")) if path.stem != "__init__"}


def _imports(path):
    """(module, name) for every import of a helpers module in `path`, at any depth, lazy imports included."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in ("helpers", "tools"):
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                found.append((submodule, None) if submodule in MODULES else (node.module, alias.name))
        elif isinstance(node, ast.Import):
            found += [(alias.name, None) for alias in node.names if alias.name.split(".")[0] in ("helpers", "tools")]
    return found


def test_every_public_name_resolves_to_an_object_of_its_module():
    for name in helpers.__all__:
        value = getattr(helpers, name)
        module = helpers._MODULE_OF[name]
        assert module in MODULES, f"{name} is mapped to {module}, which is not a module of the package"
        assert getattr(__import__(module, fromlist=[name]), name) is value


def test_modules_import_no_private_name_of_another_module_and_never_the_tooling():
    for module, path in MODULES.items():
        for imported, name in _imports(path):
            assert not imported.startswith("tools"), f"{module} imports {imported}: helpers must not need tools/"
            assert imported != "helpers" or name is not None, f"{module} imports the whole package; import a module"
            assert not (name or imported.rsplit(".", 1)[-1]).startswith("_"), f"{module} imports {imported}.{name}"
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.attr.startswith("_") \
                    and f"helpers.{node.value.id}" in MODULES and not node.attr.startswith("__"):
                raise AssertionError(f"{module} uses the private {node.value.id}.{node.attr}")


def _import_graph(modules):
    graph = {module: set() for module in modules}
    for module, path in modules.items():
        for imported, _ in _imports(path):
            if imported in modules and imported != module:
                graph[module].add(imported)
    return graph


def _cycle(graph):
    """A list of modules that import each other in a loop, or None."""
    visiting, done = [], set()

    def visit(module):
        if module in visiting:
            return visiting[visiting.index(module):] + [module]
        if module in done:
            return None
        visiting.append(module)
        for imported in sorted(graph[module]):
            if found := visit(imported):
                return found
        visiting.pop()
        done.add(module)
        return None

    return next(filter(None, map(visit, sorted(graph))), None)


def test_the_modules_import_each_other_without_a_cycle():
    cycle = _cycle(_import_graph(MODULES))
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_the_cycle_check_finds_a_lazy_import_that_runs_back_up(tmp_path):
    a, b = tmp_path / "a.py", tmp_path / "b.py"
    a.write_text("from helpers.b import x\n")
    b.write_text("def f():\n    from helpers import a\n")
    graph = {"helpers.a": {"helpers.b"}, "helpers.b": set()}
    assert _cycle(graph) is None
    assert _imports(b) == [("helpers", "a")]
    graph["helpers.b"].add("helpers.a")
    assert _cycle(graph) == ["helpers.a", "helpers.b", "helpers.a"]


def _notebook_code():
    code = {}
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb")):
        if path.name.startswith("00-"):  # the setup check before a workshop, not a lesson
            continue
        cells = json.loads(path.read_text())["cells"]
        code[path.name[:2]] = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    return code


def _uses(code, name):
    return re.search(rf"(?<![\w.])(?:helpers\.|launch\.)?{re.escape(name)}\b", code) is not None


@pytest.mark.parametrize("name", [n for n in helpers.__all__ if inspect.isclass(getattr(helpers, n))
                                  or inspect.isfunction(getattr(helpers, n))])
def test_a_docstring_names_the_notebook_that_introduces_the_name(name):
    doc = inspect.getdoc(getattr(helpers, name)) or ""
    code = _notebook_code()
    users = [number for number, text in code.items() if _uses(text, name)]
    introduced = re.findall(r"Introduced\s+in\s+notebook\s+(\d\d)", doc)
    if users:
        assert introduced, f"{name} is used in notebook {users[0]}, but its docstring names no notebook"
        assert introduced[0] == users[0], f"{name}: docstring says notebook {introduced[0]}, first used in {users[0]}"
    for number in re.findall(r"notebook\s+(\d\d)", doc):
        assert number in users, f"{name}'s docstring names notebook {number}, whose code never uses {name}"


def test_only_the_helpers_package_is_installed_so_colab_never_gets_the_tooling():
    import tomllib

    settings = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert settings["packages"] == ["helpers"]
    assert (ROOT / "tools" / "__init__.py").is_file() and not (PACKAGE / "tools").exists()
