"""The demo sits above every app (STYLE.md, "One shape for every app"): no module
outside fangyi/demo imports it."""

from __future__ import annotations

import ast
from pathlib import Path

FANGYI = Path(__file__).resolve().parent.parent.parent / "fangyi"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_no_lower_app_imports_the_demo():
    offenders = []
    for path in sorted(FANGYI.rglob("*.py")):
        if FANGYI / "demo" in path.parents:
            continue
        if any(name == "fangyi.demo" or name.startswith("fangyi.demo.") for name in imported_modules(path)):
            offenders.append(str(path.relative_to(FANGYI)))
    assert offenders == []


def test_the_check_sees_an_import_of_the_demo(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("from fangyi.demo import org\nimport fangyi.demo.drive\n", encoding="utf-8")
    assert {"fangyi.demo", "fangyi.demo.org", "fangyi.demo.drive"} <= imported_modules(module)
