"""Dependencies run one way (STYLE.md, "One shape for every app"; docs/ARCHITECTURE.md):

    config → core → org → sheets (the engine) → residents → capability apps (vaccination …)
    → reports → audit → demo → the roots (fangyi/urls.py, fangyi/api, settings, wsgi)

A module may import its own app and any app to its left, never one to its right —
not at the top of the file, not inside a function. Two capability apps do not import
each other either: what one adds to another's page goes through a registry
(core.contributions, residents.contributions). Audit reads every app's history, so it
sits above reports. Imports under `if TYPE_CHECKING:` are exempt: they name a type for
an annotation and run nothing of the other app.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

FANGYI = Path(__file__).resolve().parent.parent / "fangyi"

# Each app (a package under fangyi/ or a top-level module) and its rank, lowest first.
# Apps of equal rank may not import each other.
RANKS: dict[str, int] = {
    "config": 0,
    "core": 1,
    "org": 2,
    "sheets": 3,
    "api": 3,  # the API's plumbing (auth, error shape, pagination) under every app's router
    "residents": 4,
    # The capability apps, side by side: none imports another.
    "vaccination": 5,
    "measures": 5,
    "volunteers": 5,
    "donations": 5,
    # Errands build on two of them: the person under measures who asks (the self-report
    # page's help button) and the volunteer who runs the errand.
    "services": 6,
    "reports": 7,
    "audit": 8,
    "demo": 9,
    "api.api": 10,  # the API root (fangyi/api/api.py) that mounts every app's router
    "urls": 11,
    "settings": 11,
    "wsgi": 11,
    "__main__": 11,
}

# Known upward imports on their way out, as (file, app); the test fails on an entry
# that no longer matches anything, so none outlives its reason.
TEMPORARY: set[tuple[str, str]] = set()


def app_of(module: str) -> str | None:
    """The app a dotted module name belongs to, or None outside fangyi."""
    parts = module.split(".")
    if parts[0] != "fangyi" or len(parts) < 2:
        return None
    if parts[1:3] == ["api", "api"]:
        return "api.api"
    return parts[1]


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports(path: Path, package: str) -> list[tuple[int, str]]:
    """(line, module) of every import in the file, at any depth, except those under
    `if TYPE_CHECKING:`. `package` resolves relative imports."""
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found.append((node.lineno, base))
            if base == "fangyi":  # from fangyi import vaccination
                found.extend((node.lineno, f"fangyi.{alias.name}") for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


def violations(root: Path = FANGYI) -> list[tuple[str, int, str]]:
    """(file, line, imported module) of every import of a higher app, or of a peer."""
    found = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        me = "api.api" if relative.as_posix() == "api/api.py" else relative.parts[0].removesuffix(".py")
        if me not in RANKS:
            continue
        package = ".".join(("fangyi", *relative.with_suffix("").parts[:-1]))
        for line, module in imports(path, package):
            other = app_of(module)
            if other is None or other == me or other not in RANKS:
                continue
            if RANKS[other] >= RANKS[me]:
                found.append((relative.as_posix(), line, module))
    return found


def test_every_app_has_a_rank():
    apps = {p.name for p in FANGYI.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    modules = {p.stem for p in FANGYI.glob("*.py") if p.stem != "__init__"}
    assert sorted((apps | modules) - set(RANKS)) == []


def test_no_app_imports_a_higher_one():
    found = violations()
    left = [(f, line, m) for f, line, m in found if (f, app_of(m)) not in TEMPORARY]
    assert left == []


def test_every_temporary_exception_is_still_needed():
    used = {(f, app_of(m)) for f, _line, m in violations()}
    assert sorted(TEMPORARY - used) == []


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for app in ("core", "org", "residents", "vaccination", "reports"):
        (tmp_path / app).mkdir()
        (tmp_path / app / "__init__.py").write_text("", encoding="utf-8")
    return tmp_path


def test_the_check_sees_an_import_inside_a_function(tree):
    (tree / "residents" / "views.py").write_text(
        "def page():\n    from fangyi.vaccination.views import status\n    return status\n", encoding="utf-8"
    )
    assert violations(tree) == [("residents/views.py", 2, "fangyi.vaccination.views")]


def test_the_check_sees_top_level_relative_and_package_imports(tree):
    (tree / "core" / "views.py").write_text("import fangyi.reports.home\n", encoding="utf-8")
    (tree / "org" / "a.py").write_text("from fangyi import residents\n", encoding="utf-8")
    (tree / "residents" / "b.py").write_text("from ..vaccination import models\n", encoding="utf-8")
    assert violations(tree) == [
        ("core/views.py", 1, "fangyi.reports.home"),
        ("org/a.py", 1, "fangyi.residents"),
        ("residents/b.py", 1, "fangyi.vaccination"),
    ]


def test_the_check_allows_imports_downwards_and_for_annotations(tree):
    (tree / "reports" / "home.py").write_text(
        "from typing import TYPE_CHECKING\nfrom fangyi.residents.models import Resident\n"
        "from fangyi.vaccination.models import Dose\n"
        "if TYPE_CHECKING:\n    from fangyi.demo import x\n",
        encoding="utf-8",
    )
    (tree / "core" / "access.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from fangyi.org.models import Staff\n",
        encoding="utf-8",
    )
    assert violations(tree) == []
