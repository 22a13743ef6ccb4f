"""Views and API handlers stay thin: they parse input, call a service or a selector, render
(docs/design.md, "The shape"; docs/architecture.md, "Layering"). So a view/API module never reaches
for the ORM itself: no `<Model>.objects.…` and no `get_object_or_404(<Model>, …)` /
`get_list_or_404(<Model>, …)` — that unscoped read belongs in a selector, which scopes it to the actor.

The check reads the syntax tree (ast), so the words inside strings or comments do not count. A line
that must keep such a read says why with a `# layering: allowed because …` comment on the statement.
Anything else goes in ALLOWED below, with a reason; the list only shrinks.
"""

import ast
import io
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ETAM = ROOT / "etam"
MARKER = "# layering: allowed because"
SHORTCUTS = {"get_object_or_404", "get_list_or_404"}

# "path::function" (outermost def or class.method; "<module>" at top level) → why it may read the ORM.
ALLOWED: dict[str, str] = {}


def view_modules() -> list[Path]:
    """The modules that are an HTTP interface: HTML views, JSON API handlers, the CKAN action API."""
    found: set[Path] = set()
    for path in ETAM.rglob("*.py"):
        rel = path.relative_to(ETAM)
        if "migrations" in rel.parts or "management" in rel.parts:
            continue
        name = path.stem
        in_package = len(rel.parts) > 2 and rel.parts[1] in {"views", "api"}
        if (
            rel.parts[0] == "api"  # etam/api/: the /api/v1/ assembly and its staff pages
            or in_package  # etam/<app>/views/…, etam/<app>/api/…
            or name.startswith("views")  # views.py, views_staff.py, views_builder.py, …
            or name.endswith("_views")
            or name == "api"
            or name == "ckan"  # the CKAN action API handlers
        ):
            found.add(path)
    return sorted(found)


def _marked_lines(source: str) -> set[int]:
    """Line numbers carrying the allow comment (real comments only, read with tokenize)."""
    lines = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT and token.string.startswith(MARKER):
            lines.add(token.start[0])
    return lines


def _is_model_reference(node: ast.expr) -> bool:
    """`Case` or `models.Case`: a CapWords name is a class, i.e. a model, not a selector's queryset."""
    if isinstance(node, ast.Name):
        return node.id[:1].isupper()
    if isinstance(node, ast.Attribute):
        return node.attr[:1].isupper()
    return False


class _Finder(ast.NodeVisitor):
    def __init__(self, marked: set[int]):
        self.marked = marked
        self.scope: list[str] = []
        self.statement: ast.stmt | None = None
        self.found: list[tuple[str, int, str]] = []

    def _scoped(self, node, name):
        self.scope.append(name)
        self.generic_visit(node)
        self.scope.pop()

    def visit_FunctionDef(self, node):
        self._scoped(node, node.name)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node):
        self._scoped(node, node.name)

    def visit(self, node):
        if isinstance(node, ast.stmt) and not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            outer, self.statement = self.statement, node
            super().visit(node)
            self.statement = outer
            return None
        return super().visit(node)

    def _report(self, node, what):
        first = self.statement.lineno if self.statement is not None else node.lineno
        if any(line in self.marked for line in range(first, node.end_lineno + 1)):
            return
        where = ".".join(self.scope[:2]) or "<module>"
        self.found.append((where, node.lineno, what))

    def visit_Attribute(self, node):
        if node.attr == "objects":
            self._report(node, f"{ast.unparse(node)} (read through a selector)")
        self.generic_visit(node)

    def visit_Call(self, node):
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if name in SHORTCUTS and node.args and _is_model_reference(node.args[0]):
            self._report(node, f"{name}({ast.unparse(node.args[0])}, …) (pass a selector's queryset)")
        self.generic_visit(node)


def offences(path: Path) -> list[tuple[str, int, str]]:
    source = path.read_text(encoding="utf-8")
    finder = _Finder(_marked_lines(source))
    finder.visit(ast.parse(source, filename=str(path)))
    return finder.found


def _all_offences() -> dict[str, list[tuple[int, str]]]:
    result: dict[str, list[tuple[int, str]]] = {}
    for path in view_modules():
        rel = path.relative_to(ROOT).as_posix()
        for where, line, what in offences(path):
            result.setdefault(f"{rel}::{where}", []).append((line, what))
    return result


def test_views_and_api_read_through_selectors():
    unexpected = {key: hits for key, hits in _all_offences().items() if key not in ALLOWED}
    report = "\n".join(
        f"  {key} line {line}: {what}" for key, hits in sorted(unexpected.items()) for line, what in hits
    )
    assert not unexpected, f"view/API code reads the ORM directly (move it to a selector):\n{report}"


def test_allowlist_entries_are_still_needed():
    # Once an offender is fixed its entry must go, or the function could start offending again unnoticed.
    stale = sorted(set(ALLOWED) - set(_all_offences()))
    assert not stale, f"remove these ALLOWED entries, they no longer read the ORM: {stale}"


def test_the_set_of_view_modules_is_what_we_mean():
    names = {p.relative_to(ROOT).as_posix() for p in view_modules()}
    assert {"etam/eservices/views.py", "etam/eservices/api.py", "etam/opendata/ckan.py", "etam/api/account.py"} <= names
    assert "etam/eservices/services.py" not in names
    assert "etam/eservices/selectors.py" not in names


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("def v(r):\n    return Case.objects.get(pk=1)\n", 1),
        ("def v(r):\n    return get_object_or_404(Case, pk=1)\n", 1),
        ("def v(r):\n    return shortcuts.get_list_or_404(models.Case, state='x')\n", 1),
        ("def v(r):\n    return get_object_or_404(selectors.cases_for(r.user), pk=1)\n", 0),
        ("def v(r):\n    return get_object_or_404(cases, pk=1)\n", 0),
        ("def v(r):\n    text = 'Case.objects.get()'  # Case.objects in a comment\n    return text\n", 0),
        ("def v(r):\n    return Case.objects.get(pk=1)  # layering: allowed because the demo needs it\n", 0),
        (
            "def v(r):\n    # layering: allowed because the next statement is shown here\n"
            "    return Case.objects.get(pk=1)\n",
            1,  # the marker belongs on the statement itself, not the line above
        ),
        ("def v(r):\n    return (\n        Case.objects.get(pk=1)  # layering: allowed because x\n    )\n", 0),
    ],
)
def test_the_checker_itself(tmp_path, source, expected):
    module = tmp_path / "views.py"
    module.write_text(source)
    assert len(offences(module)) == expected
