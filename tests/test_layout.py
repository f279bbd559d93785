"""The package is laid out as the pipeline: no stage reaches a later one, even through another module."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "broadcast"
STAGES = ("input", "script", "speech", "audio", "publish")  # in pipeline order


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every broadcast module `path` imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("broadcast")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("broadcast"):
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names}  # `from broadcast.audio import mix`
    return found


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {name: {m for m in _imports(path) if m in modules} for name, path in modules.items()}


def _stage(module: str) -> int | None:
    parts = module.split(".")
    return STAGES.index(parts[1]) if len(parts) > 1 and parts[1] in STAGES else None


def _reach(graph: dict[str, set[str]], start: str) -> dict[str, list[str]]:
    """Every module reachable from `start`, with one import path to it."""
    paths = {start: [start]}
    todo = [start]
    while todo:
        here = todo.pop()
        for nxt in sorted(graph[here]):
            if nxt not in paths:
                paths[nxt] = [*paths[here], nxt]
                todo.append(nxt)
    return paths


def test_the_graph_sees_the_stages() -> None:
    graph = _graph()
    for stage in STAGES:
        assert any(_stage(m) == STAGES.index(stage) for m in graph), stage
    # The walker finds imports made inside functions too (the CLI imports stages late).
    assert "broadcast.pipeline" in graph["broadcast.cli"]
    assert "broadcast.audio.master" in _reach(graph, "broadcast.pipeline")


def test_no_stage_reaches_a_later_stage() -> None:
    graph = _graph()
    problems = []
    for module in sorted(graph):
        own = _stage(module)
        if own is None:
            continue
        for reached, path in _reach(graph, module).items():
            other = _stage(reached)
            if other is not None and other > own:
                problems.append(" -> ".join(path))
                break
    assert not problems, "\n".join(problems)


def test_the_shared_core_knows_no_stage() -> None:
    graph = _graph()
    for core in ("broadcast.model", "broadcast.errors", "broadcast.stopping", "broadcast.processes"):
        assert all(_stage(m) is None for m in _reach(graph, core)), core
