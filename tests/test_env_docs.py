"""Every environment variable the settings read is documented in `.env.example` and in the README's
variable table, so an operator never meets a setting only by reading config/settings.py.

The names are read from the syntax tree: every `env.<accessor>("NAME", …)` call in config/settings.py
(config/env.py is the only way settings read the environment, ADR 0003), plus what config/env.py reads
itself with `os.environ.get("NAME")` (ETAM_MODE)."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _string_first_args(tree: ast.AST, receivers: set[str]) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.args):
            continue
        receiver = ast.unparse(node.func.value)
        first = node.args[0]
        if receiver in receivers and isinstance(first, ast.Constant) and isinstance(first.value, str):
            names.add(first.value)
    return names


def variables_read() -> set[str]:
    settings = ast.parse((ROOT / "config" / "settings.py").read_text(encoding="utf-8"))
    env_module = ast.parse((ROOT / "config" / "env.py").read_text(encoding="utf-8"))
    names = _string_first_args(settings, {"env"})  # env.text("SECRET_KEY", …), env.integer(…), …
    names |= _string_first_args(settings, {"os.environ", "os"})  # a direct read, should one appear
    names |= _string_first_args(env_module, {"os.environ", "os"})  # ETAM_MODE in env.mode()
    # os.environ.get(name) inside the accessors takes a parameter, not a constant: nothing to add.
    return {name for name in names if re.fullmatch(r"[A-Z][A-Z0-9_]*", name)}


def _documented_in_env_example() -> set[str]:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))


def _documented_in_readme() -> set[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    names = set()
    for line in text.splitlines():
        if line.startswith("| `"):
            first_cell = line.split("|")[1]
            names |= set(re.findall(r"`([A-Z][A-Z0-9_]*)`", first_cell))
    return names


def test_the_parser_finds_the_settings_we_know():
    # Guards the parser itself: if these vanish, the test below would pass vacuously.
    assert {"ETAM_MODE", "SECRET_KEY", "DATABASE_URL", "ESERVICES_FIELD_KEY", "OPENDATA_SQL_CONCURRENCY"} <= (
        variables_read()
    )


def test_env_example_lists_every_variable():
    missing = sorted(variables_read() - _documented_in_env_example())
    assert not missing, f".env.example lacks {missing}: add each with a one-line comment"


def test_readme_table_lists_every_variable():
    missing = sorted(variables_read() - _documented_in_readme())
    assert not missing, f"README.md's variable table lacks {missing}"
