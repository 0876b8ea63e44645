"""The layers import one way: entry points (assistant/cli.py, chat/, review/) -> the core
(assistant/core/) <- the adapters (assistant/adapters/), which implement the core's seams and are
chosen in assistant/adapters/factory.py. docs/architecture.md draws the picture."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "assistant"
OUTSIDE_TECHNOLOGY = ("chromadb", "unstructured", "chainlit", "ollama", "llama_cpp", "torch",
                      "sentence_transformers", "langchain_core", "langchain_text_splitters")  # fmt: skip
ENTRY_POINTS = ("assistant.cli", "assistant.chat", "assistant.review")


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at its top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
    return found


def loaded_after(code: str) -> set[str]:
    """The modules loaded by a fresh interpreter that runs `code`."""
    probe = f"import sys\n{code}\nprint('\\n'.join(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    return set(result.stdout.split())


def under(module: str, *prefixes: str) -> bool:
    return any(module == prefix or module.startswith(prefix + ".") for prefix in prefixes)


def test_the_core_imports_no_adapter_and_no_entry_point():
    wrong = {
        f"{path.relative_to(ROOT)}: {module}"
        for path in (PACKAGE / "core").glob("*.py")
        for module in imported_modules(path)
        if under(module, "assistant.adapters", *ENTRY_POINTS, "ingest", "evals", *OUTSIDE_TECHNOLOGY)
    }
    assert not wrong, "the core reaches outward:\n" + "\n".join(sorted(wrong))


def test_adapters_import_the_cores_seams_and_no_entry_point():
    wrong = {
        f"{path.relative_to(ROOT)}: {module}"
        for path in (PACKAGE / "adapters").glob("*.py")
        for module in imported_modules(path)
        if under(module, *ENTRY_POINTS, "ingest", "evals")
    }
    assert not wrong, "\n".join(sorted(wrong))


def test_importing_the_core_loads_no_outside_technology():
    modules = sorted(f"assistant.core.{path.stem}" for path in (PACKAGE / "core").glob("*.py"))
    loaded = loaded_after("\n".join(f"import {module}" for module in modules))
    assert {m for m in loaded if under(m, *OUTSIDE_TECHNOLOGY)} == set()
    assert {m for m in loaded if under(m, "assistant.adapters", *ENTRY_POINTS)} == set()


def test_choosing_adapters_loads_none_until_one_is_asked_for():
    loaded = loaded_after("import assistant.adapters.factory")
    assert {m for m in loaded if under(m, *OUTSIDE_TECHNOLOGY)} == set()


def test_the_command_line_loads_ingest_and_the_harness_only_in_their_commands():
    loaded = loaded_after("import assistant.cli\nassistant.cli._parser()")
    assert {m for m in loaded if under(m, "ingest", "evals", *OUTSIDE_TECHNOLOGY)} == set()
