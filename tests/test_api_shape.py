"""The shape of the API (STYLE.md, "One shape for every app"): each app's endpoints in
its own api module, which calls forms and the domain but never a view; fangyi/api holds
only the plumbing; the OpenAPI document names every field with its type and an example."""

from __future__ import annotations

import ast
import pathlib

import fangyi

ROOT = pathlib.Path(fangyi.__file__).parent
APPS = sorted(p.name for p in ROOT.iterdir() if (p / "apps.py").exists())


def _imports(path: pathlib.Path) -> set[str]:
    """Every module the file imports, at the top or inside a function, by dotted name
    (`from fangyi.x import views` gives fangyi.x and fangyi.x.views)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    inside = path.is_relative_to(ROOT.parent)
    package = ".".join(path.relative_to(ROOT.parent).with_suffix("").parts[:-1]) if inside else ""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the file's package, up level - 1
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _api_modules() -> list[pathlib.Path]:
    """fangyi/<app>/api.py and every module of a fangyi/<app>/api/ package (fangyi/api too)."""
    paths = [ROOT / app / "api.py" for app in APPS if (ROOT / app / "api.py").exists()]
    for app in APPS:
        if (ROOT / app / "api").is_dir():
            paths += sorted((ROOT / app / "api").rglob("*.py"))
    return paths + sorted((ROOT / "api").glob("*.py"))


def _is_view(module: str) -> bool:
    parts = module.split(".")
    return len(parts) >= 3 and parts[0] == "fangyi" and parts[2] == "views"


def test_the_api_modules_are_found():
    names = {str(p.relative_to(ROOT)) for p in _api_modules()}
    assert {"residents/api.py", "reports/api.py", "vaccination/api/doses.py", "api/api.py"} <= names


def test_no_api_module_imports_a_view_module():
    offending = {
        str(path.relative_to(ROOT)): sorted(m for m in _imports(path) if _is_view(m))
        for path in _api_modules()
    }
    assert {path: views for path, views in offending.items() if views} == {}


def test_the_check_sees_an_import_of_a_view(tmp_path):
    # The test above must be able to fail: a function-level import of a view is found.
    module = tmp_path / "api.py"
    module.write_text("def f():\n    from fangyi.vaccination.views.outreach import AttemptForm\n")
    assert any(_is_view(m) for m in _imports(module))


def test_only_the_root_of_fangyi_api_imports_the_apps():
    """fangyi/api is plumbing the apps' routers import (auth, errors, forms, pagination,
    types); it may lean on core and org only. api.py, the root, registers the apps."""
    lower = {"fangyi.core", "fangyi.org", "fangyi.api"}
    offending = {}
    for path in sorted((ROOT / "api").rglob("*.py")):
        if path.name == "api.py" or "migrations" in path.parts:
            continue
        higher = {
            m for m in _imports(path) if m.startswith("fangyi.") and ".".join(m.split(".")[:2]) not in lower
        }
        if higher:
            offending[str(path.relative_to(ROOT))] = sorted(higher)
    assert offending == {}


def test_every_api_module_is_under_500_lines():
    long = {
        str(p.relative_to(ROOT)): n for p in _api_modules() if (n := len(p.read_text().splitlines())) >= 500
    }
    assert long == {}


# ---------------------------------------------------------------- the OpenAPI document


def _is_reference(schema: dict) -> bool:
    """A property whose type is another schema of the document (checked on its own)."""
    if "$ref" in schema:
        return True
    parts = schema.get("allOf") or schema.get("anyOf") or []
    if parts and all("$ref" in p or p.get("type") == "null" for p in parts):
        return True
    return schema.get("type") == "array" and _is_reference(schema.get("items", {}))


def _has_type(schema: dict) -> bool:
    if "type" in schema or "$ref" in schema:
        return True
    parts = schema.get("anyOf") or schema.get("allOf") or schema.get("oneOf") or []
    return bool(parts) and all(_has_type(p) for p in parts)


def _undescribed(components: dict) -> list[str]:
    missing = []
    for name, schema in components.items():
        for field, prop in schema.get("properties", {}).items():
            if not _has_type(prop):
                missing.append(f"{name}.{field}: no type")
            if not _is_reference(prop) and not (prop.get("examples") or "example" in prop):
                missing.append(f"{name}.{field}: no example")
    return missing


def test_every_field_of_the_openapi_document_has_a_type_and_an_example(db):
    from fangyi.api.api import api

    components = api.get_openapi_schema()["components"]["schemas"]
    assert len(components) > 40  # every app's schemas are in the document
    assert _undescribed(components) == []


def test_a_field_without_an_example_is_found():
    components = {"Thing": {"properties": {"name": {"type": "string"}, "other": {"$ref": "#/x"}}}}
    assert _undescribed(components) == ["Thing.name: no example"]
