"""Every "may this role do X" is data in org/roles.py (STYLE.md, "Permissions are data"):
outside it no code names a role (`Role.SECONDED_CADRE`) or asks whether a user is a
superuser; it asks `user.can(Perm…)` or whether the role is in one of roles.py's named
tables (VACCINATORS, OUTREACH_CADRES …), each with the reason it exists. The demo,
which creates the 普东街 accounts by role, and migrations are exempt."""

from __future__ import annotations

import ast
from pathlib import Path

FANGYI = Path(__file__).resolve().parent.parent / "fangyi"
EXEMPT = ("org/roles.py", "demo/")
# Where naming a role or the superuser flag is no decision about what a role may do.
ALLOWED = {
    ("org/models.py", "Role.COMMUNITY_WORKER"),  # Staff.role's default, for the admin form
    ("org/models.py", ".is_superuser"),  # Staff.can: a superuser holds every permission
    ("org/actors.py", ".is_superuser"),  # sees_everything: the one exception to scoping
}


def role_tests(source: str) -> list[str]:
    """`Role.<MEMBER>` and `<x>.is_superuser` reads in `source`, as written."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Attribute):
            continue
        if isinstance(node.value, ast.Name) and node.value.id == "Role" and node.attr.isupper():
            found.append(f"Role.{node.attr}")
        elif node.attr == "is_superuser" and isinstance(node.ctx, ast.Load):
            found.append(".is_superuser")
    return found


def test_no_role_is_named_outside_the_role_tables():
    named = set()
    for path in FANGYI.rglob("*.py"):
        name = path.relative_to(FANGYI).as_posix()
        if "/migrations/" in name or name.startswith(EXEMPT):
            continue
        named |= {(name, found) for found in role_tests(path.read_text(encoding="utf-8"))}
    assert named - ALLOWED == set()
    assert ALLOWED - named == set(), "an allowed entry no longer matches: remove it"


def test_a_role_named_in_a_comparison_is_found():
    source = "if actor.role == Role.SECONDED_CADRE or user.is_superuser:\n    pass\n"
    assert sorted(role_tests(source)) == [".is_superuser", "Role.SECONDED_CADRE"]


def test_a_table_of_roles_is_not_a_role_named():
    assert role_tests("if actor.role in OUTREACH_CADRES:\n    pass\nchoices = Role.choices\n") == []
