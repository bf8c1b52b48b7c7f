"""The sandbox's rules are written independently of the client: it imports nothing of
``suno_async`` outside ``suno_async.sandbox`` (so the client's mistakes cannot leak into it)."""

from __future__ import annotations

import ast
from pathlib import Path

import suno_async.sandbox

PACKAGE = Path(suno_async.sandbox.__file__).parent


def test_sandbox_imports_nothing_of_the_client() -> None:
    offending = []
    for path in sorted(PACKAGE.glob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                if node.level >= 2 or (node.level == 0 and (node.module or "").startswith(
                        "suno_async") and not (node.module or "").startswith(
                        "suno_async.sandbox")):
                    offending.append(f"{path.name}:{node.lineno}")
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("suno_async") and not alias.name.startswith(
                            "suno_async.sandbox"):
                        offending.append(f"{path.name}:{node.lineno}")
    assert offending == []
    assert len(list(PACKAGE.glob("*.py"))) > 10  # the check looked at the real package
