"""The UI and the exporters depend one way only: ``netlab.export`` may drive the UI (it draws
its pictures with the app), and ``netlab.ui`` never imports the exporters nor the command line.
Two checks: every import statement of the UI's source (at the top and inside functions), and
what importing every UI module really loads, in a fresh interpreter."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import netlab

PACKAGE = Path(netlab.__file__).parent
UI = PACKAGE / "ui"
FORBIDDEN = ("netlab.export", "netlab.cli")  # what the UI must not depend on

pytestmark = pytest.mark.timeout(60)


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(source: str, module: str) -> set[str]:
    """Every module that ``source`` (the text of ``module``) names in an import, relative
    imports resolved, and any string naming one of netlab's modules (as
    ``importlib.import_module("netlab.x")`` would)."""
    package = module.split(".")[:-1]  # what a relative import starts from
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            name = ".".join([*base, *([node.module] if node.module else [])])
            names.add(name)
            names.update(f"{name}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Constant) and str(node.value).startswith("netlab."):
            names.add(str(node.value))
    return names


def _imported_by(path: Path) -> set[str]:
    module = _module_name(path) + (".__init__" if path.name == "__init__.py" else "")
    return _imported(path.read_text(encoding="utf-8"), module)


def _breaks_the_rule(name: str) -> bool:
    return any(name == bad or name.startswith(f"{bad}.") for bad in FORBIDDEN)


def test_no_ui_source_imports_the_exporters_or_the_cli() -> None:
    files = sorted(UI.rglob("*.py"))
    assert len(files) > 10  # the scan sees the UI
    found = {
        f"{path.relative_to(PACKAGE.parent)}: {name}"
        for path in files
        for name in _imported_by(path)
        if _breaks_the_rule(name)
    }
    assert not found, "netlab.ui must not depend on these:\n" + "\n".join(sorted(found))


def test_the_scan_would_see_a_forbidden_import() -> None:
    """The check above is not blind: each form of import it must catch, it catches."""
    forms = {
        "import netlab.export.exporter": "netlab.export.exporter",
        "from netlab.export import markdown": "netlab.export.markdown",
        "from ...export.asciicast import CastWriter": "netlab.export.asciicast",
        "def f():\n    from netlab.cli import main": "netlab.cli.main",
        "import importlib\nimportlib.import_module('netlab.export.exporter')": (
            "netlab.export.exporter"
        ),
    }
    for source, expected in forms.items():
        names = _imported(source, "netlab.ui.screens.example")
        assert expected in names and _breaks_the_rule(expected), source


IMPORT_EVERY_UI_MODULE = """
import importlib, json, pkgutil, sys
import netlab.ui
for module in pkgutil.walk_packages(netlab.ui.__path__, "netlab.ui."):
    importlib.import_module(module.name)
print(json.dumps(sorted(sys.modules)))
"""


def test_importing_the_ui_loads_no_exporter() -> None:
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_EVERY_UI_MODULE],
        capture_output=True,
        text=True,
        timeout=50,
        check=True,
    )
    loaded = json.loads(done.stdout)
    assert "netlab.ui.screens.lab" in loaded  # the whole UI was imported
    assert [name for name in loaded if _breaks_the_rule(name)] == []
