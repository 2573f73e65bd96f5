"""The import contracts in pyproject.toml (`lint-imports`, run by `make lint`) see every real dependency.

A module loaded with `lazy("name")` (chalicelib/lazy.py) is a string to the import linter;
the same module imported under `if TYPE_CHECKING:` is an import it counts. So every lazy
module must also be imported there, or a layer could be crossed without the linter knowing.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("chalicelib", "localrun")


def lazily_loaded(tree: ast.Module) -> set[str]:
    return {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "lazy"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    }


def imported_for_type_checking(tree: ast.Module) -> set[str]:
    """Every module an `if TYPE_CHECKING:` block imports; `from a import b` counts as `a` and `a.b`."""
    names: set[str] = set()
    for block in ast.walk(tree):
        if not (isinstance(block, ast.If) and isinstance(block.test, ast.Name) and block.test.id == "TYPE_CHECKING"):
            continue
        for node in ast.walk(ast.Module(body=block.body, type_ignores=[])):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_every_lazily_loaded_module_is_also_imported_for_the_type_checker_so_the_import_linter_sees_it() -> None:
    # Given every module of the packages the import linter checks
    sources = sorted(path for package in PACKAGES for path in (ROOT / package).rglob("*.py"))

    # When each one's lazy() modules are compared with its TYPE_CHECKING imports
    missing: dict[str, list[str]] = {}
    lazy_count = 0
    for path in sources:
        tree = ast.parse(path.read_text(), filename=str(path))
        lazy = lazily_loaded(tree)
        lazy_count += len(lazy)
        if absent := lazy - imported_for_type_checking(tree):
            missing[str(path.relative_to(ROOT))] = sorted(absent)

    # Then none is missing (and there are lazy imports at all, so this checked something)
    assert lazy_count > 0
    assert missing == {}
