"""No module over 500 lines (STYLE.md, "Small modules"; "One shape for every app"): a room
that grows past it becomes a package split by subject (`domain/`, `views/`, `sheets/`),
within its own app. Migrations are written by Django and exempt."""

from __future__ import annotations

from pathlib import Path

FANGYI = Path(__file__).resolve().parent.parent / "fangyi"
LIMIT = 500


def modules() -> list[Path]:
    return sorted(p for p in FANGYI.rglob("*.py") if "migrations" not in p.relative_to(FANGYI).parts)


def lines(path: Path) -> int:
    with path.open(encoding="utf-8") as f:
        return sum(1 for _line in f)


def test_the_modules_are_found():
    found = {p.relative_to(FANGYI).as_posix() for p in modules()}
    assert {"settings.py", "org/roles.py", "vaccination/sheets/kind.py"} <= found
    assert not any("/migrations/" in name for name in found)


def test_no_module_is_over_500_lines():
    long = {p.relative_to(FANGYI).as_posix(): n for p in modules() if (n := lines(p)) > LIMIT}
    assert long == {}


def test_a_501_line_module_would_be_found(tmp_path):
    path = tmp_path / "long.py"
    path.write_text("x = 1\n" * (LIMIT + 1), encoding="utf-8")
    assert lines(path) == LIMIT + 1
