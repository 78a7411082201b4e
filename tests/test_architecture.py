"""The layout holds: no import cycles (imports inside functions included), only the engine
imports ortools, and the independent checker never reaches it."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import grimp
import pytest

#: Modules that import ortools: the engine, and the explainer's CP-SAT search.
ORTOOLS_IMPORTERS = ("teamsolver.engine.",)


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    # Imports under ``if TYPE_CHECKING:`` never run; every other import counts, even one
    # inside a function (it still runs, later: a cycle hidden there is still a cycle).
    return grimp.build_graph(
        "teamsolver",
        exclude_type_checking_imports=True,
        include_external_packages=True,
        cache_dir=None,
    )


def _cycles(graph: grimp.ImportGraph) -> Iterator[list[str]]:
    """The strongly connected components of more than one module (Kosaraju, iterative)."""
    modules = {m for m in graph.modules if m.startswith("teamsolver")}
    succ = {
        m: sorted(w for w in graph.find_modules_directly_imported_by(m) if w in modules)
        for m in modules
    }
    order: list[str] = []
    seen: set[str] = set()
    for start in sorted(modules):
        if start in seen:
            continue
        seen.add(start)
        stack = [(start, iter(succ[start]))]
        while stack:
            node, it = stack[-1]
            for nxt in it:
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, iter(succ[nxt])))
                    break
            else:
                stack.pop()
                order.append(node)
    pred: dict[str, list[str]] = {m: [] for m in modules}
    for m, ws in succ.items():
        for w in ws:
            pred[w].append(m)
    done: set[str] = set()
    for start in reversed(order):
        if start in done:
            continue
        done.add(start)
        component, todo = [start], [start]
        while todo:
            for w in pred[todo.pop()]:
                if w not in done:
                    done.add(w)
                    component.append(w)
                    todo.append(w)
        if len(component) > 1:
            yield sorted(component)


def test_no_import_cycles(graph: grimp.ImportGraph) -> None:
    assert list(_cycles(graph)) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    """The check above can fail: two modules importing each other are reported."""
    fake = grimp.ImportGraph()
    for name in ("teamsolver", "teamsolver.a", "teamsolver.b", "teamsolver.c"):
        fake.add_module(name)
    fake.add_import(importer="teamsolver.a", imported="teamsolver.b")
    fake.add_import(importer="teamsolver.b", imported="teamsolver.a")
    fake.add_import(importer="teamsolver.c", imported="teamsolver.a")
    assert list(_cycles(fake)) == [["teamsolver.a", "teamsolver.b"]]


def test_only_the_engine_imports_ortools(graph: grimp.ImportGraph) -> None:
    importers = graph.find_modules_that_directly_import("ortools")
    assert importers and all(m.startswith(ORTOOLS_IMPORTERS) for m in importers), importers


def test_the_checker_never_reaches_ortools(graph: grimp.ImportGraph) -> None:
    for module in ("teamsolver.audit", "teamsolver.score", "teamsolver.rules"):
        assert graph.find_shortest_chain(importer=module, imported="ortools") is None, module


def test_every_module_imports_on_its_own(graph: grimp.ImportGraph) -> None:
    """``python -c "import teamsolver.X"`` works for every module (one fresh interpreter runs
    them all, each in a child of its own, two at a time)."""
    modules = sorted(m for m in graph.modules if m.startswith("teamsolver"))
    code = (
        "import subprocess, sys\n"
        "from concurrent.futures import ThreadPoolExecutor\n"
        "def one(m):\n"
        "    r = subprocess.run([sys.executable, '-c', 'import ' + m], capture_output=True, "
        "text=True)\n"
        "    return m if r.returncode else None\n"
        "with ThreadPoolExecutor(2) as pool:\n"
        "    bad = [m for m in pool.map(one, sys.argv[1:]) if m]\n"
        "print(' '.join(bad))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, *modules], capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == []
