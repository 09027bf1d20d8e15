"""What the mypy plugin costs: mypy on a generated project, with ``protocall.mypy_plugin`` and
without it, from a cold cache and a warm one.

    python benchmarks/plugin_cost.py                 # 200 callback classes, 50 hooks (~3 minutes)
    python benchmarks/plugin_cost.py --rounds 3 --classes 100 --hooks 20
    python benchmarks/plugin_cost.py --keep /tmp/project   # keep the generated project

The project is what the plugin works on in a user's code base: a library's spec (``hooks.py``: one
Protocol per hook, combined into ``Hooks``) and its entry points taking ``CallbackOf[Hooks]``
(``library.py``), callback classes spread over modules (duck-typed, or subclassing the hook
Protocols; each implements 5 hooks), and the user's modules that register them (constructor
lists, ``register``, list variables, the library's entry points) and call the hooks
(``manager.call.<hook>``, ``emit("name", ...)``, ``first``). Everything type-checks cleanly with
the plugin (the checks run in full; no error path is timed).

Four scenarios, each timed with and without the plugin (the only difference in ``mypy.ini``):

* **cold**: an empty cache directory, every module checked;
* **warm**: the cache of a previous run and nothing changed (what an editor's save of an
  unrelated file, or CI with a restored cache, costs);
* **warm, user edit**: the cache, and the user's registration module edited (it is checked, the
  spec and the callbacks come from the cache: the plugin's usual incremental work);
* **warm, spec edit**: the cache, and the spec edited (everything that depends on it is checked).

Each round runs mypy ``--repeat`` times with the plugin and as many without, interleaved (so that
a noisy neighbour hits both), and keeps the best of each; the ratio shown is the median over the
rounds of the two bests' ratio, the times the medians of the bests. The target (the issue's): at
most 1.15x warm. The exit status is 0 whatever the figures say: the machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

REPO_ROOT: Final = Path(__file__).resolve().parent.parent
TARGET_WARM: Final = 1.15
HOOKS_PER_CLASS: Final = 5
CLASSES_PER_MODULE: Final = 20

# -- the generated project -----------------------------------------------------------------------


def _hook(index: int) -> str:
    return f"on_event_{index}"


def _hook_def(index: int) -> str:
    """A hook of one of a few shapes (positional, keyword-only, async, returning a value)."""
    name = _hook(index)
    shape = index % 5
    if shape == 0:
        return f"def {name}(self, step: int, /) -> None: ..."
    if shape == 1:
        return f"def {name}(self, *, loss: float, output: object) -> None: ..."
    if shape == 2:
        return f"def {name}(self, epoch: int, phase: str = 'train') -> None: ..."
    if shape == 3:
        return f"async def {name}(self, batch: int) -> None: ..."
    return f"def {name}(self, name: str) -> str: ..."


def _arguments(index: int) -> str:
    return ("1", "loss=0.5, output=None", "2, phase='eval'", "3", "'x'")[index % 5]


def _spec_module(hooks: int, *, edited: bool = False) -> str:
    lines = [
        '"""The library\'s spec: one Protocol per hook, combined."""',
        "",
        "from typing import Protocol",
        "",
    ]
    for index in range(hooks):
        lines += ["", f"class On{index}(Protocol):", f"    {_hook_def(index)}", ""]
    bases = ", ".join(f"On{index}" for index in range(hooks))
    lines += ["", f"class Hooks({bases}, Protocol):", '    """Every hook."""', ""]
    if edited:
        lines += ["", "VERSION = 2", ""]
    return "\n".join(lines)


_LIBRARY: Final = '''\
"""The library's entry points: its users' callbacks come in as CallbackOf[Hooks]."""

from collections.abc import Iterable

from hooks import Hooks
from protocall import CallbackManager, CallbackOf


class Trainer:
    def __init__(self, callbacks: Iterable[CallbackOf[Hooks]] = ()) -> None:
        self.hooks = CallbackManager(Hooks, callbacks)

    def add(self, callback: CallbackOf[Hooks]) -> None:
        self.hooks.register(callback)
'''


def _class_hooks(number: int, hooks: int) -> list[int]:
    return sorted({(number * 7 + k * 11) % hooks for k in range(HOOKS_PER_CLASS)})


def _callbacks_module(first: int, count: int, hooks: int) -> str:
    bases = sorted({f"On{_class_hooks(n, hooks)[0]}" for n in range(first, first + count)})
    lines = ['"""Callback classes."""', "", f"from hooks import {', '.join(bases)}", ""]
    for number in range(first, first + count):
        implemented = _class_hooks(number, hooks)
        base = f"(On{implemented[0]})" if number % 2 else ""  # half subclass a hook Protocol
        lines += ["", f"class Callback{number}{base}:"]
        for index in implemented:
            body = "return name" if index % 5 == 4 else "pass"
            lines += [f"    {_hook_def(index).removesuffix(' ...')}", f"        {body}", ""]
        lines += [f"    def helper_{number}(self) -> int:", "        return 0", ""]
    return "\n".join(lines)


def _user_module(classes: int, hooks: int, modules: int, *, edited: bool = False) -> str:
    imports: list[str] = []
    for module in range(modules):
        last = min(classes, (module + 1) * CLASSES_PER_MODULE)
        names = ", ".join(f"Callback{n}" for n in range(module * CLASSES_PER_MODULE, last))
        imports.append(f"from callbacks_{module} import {names}")
    everyone = ", ".join(f"Callback{n}()" for n in range(classes))
    lines = [
        '"""The user\'s module: registrations and hook calls."""',
        "",
        "from hooks import Hooks",
        "from library import Trainer",
        "from protocall import CallbackManager",
        *imports,
        "",
        f"manager = CallbackManager(Hooks, [{everyone}])",
        f"prepared = [{everyone}]",
        "again = CallbackManager(Hooks, prepared)",
        f"trainer = Trainer([{everyone}])",
    ]
    lines += [f"manager.register(Callback{n}())" for n in range(0, classes, 2)]
    lines += [f"trainer.add(Callback{n}())" for n in range(1, classes, 2)]
    for index in range(hooks):
        name, arguments = _hook(index), _arguments(index)
        if index % 5 == 3:
            lines.append(f"manager.call.{name}({arguments}).close()")
            lines.append(f"pending_{index} = manager.emit('{name}', {arguments})")
        elif index % 5 == 4:
            lines.append(f"manager.emit('{name}', {arguments})")
            lines.append(f"manager.first('{name}', {arguments})")
        else:
            lines.append(f"manager.call.{name}({arguments})")
            lines.append(f"manager.emit('{name}', {arguments})")
    if edited:
        lines.append("EDITED = True")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True, slots=True)
class Project:
    root: Path
    classes: int
    hooks: int

    @property
    def modules(self) -> int:
        return -(-self.classes // CLASSES_PER_MODULE)

    @property
    def files(self) -> list[str]:
        return sorted(path.name for path in self.root.glob("*.py"))

    def write(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "hooks.py").write_text(_spec_module(self.hooks))
        (self.root / "library.py").write_text(_LIBRARY)
        for module in range(self.modules):
            first = module * CLASSES_PER_MODULE
            count = min(CLASSES_PER_MODULE, self.classes - first)
            text = _callbacks_module(first, count, self.hooks)
            (self.root / f"callbacks_{module}.py").write_text(text)
        (self.root / "user.py").write_text(_user_module(self.classes, self.hooks, self.modules))
        for plugin in (True, False):
            plugins = "plugins = protocall.mypy_plugin\n" if plugin else ""
            config = f"[mypy]\nstrict = True\n{plugins}"
            (self.root / _config(plugin)).write_text(config)

    def edit(self, name: str, text: str) -> None:
        """Write a file with a later modification time (mypy trusts size and mtime)."""
        path = self.root / name
        path.write_text(text)
        stamp = path.stat().st_mtime + 2
        os.utime(path, (stamp, stamp))


def _config(plugin: bool) -> str:
    return "with-plugin.ini" if plugin else "without-plugin.ini"


# -- running mypy --------------------------------------------------------------------------------


def _mypy(project: Project, plugin: bool, cache: Path) -> float:
    """Seconds one ``mypy`` run takes (a process of its own, as a user runs it)."""
    env = {k: v for k, v in os.environ.items() if k != "MYPYPATH"}
    env["MYPYPATH"] = str(REPO_ROOT / "src")
    command = [
        sys.executable,
        "-m",
        "mypy",
        "--config-file",
        _config(plugin),
        "--cache-dir",
        str(cache),
        *project.files,
    ]
    start = time.perf_counter()
    result = subprocess.run(command, cwd=project.root, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(
            f"mypy failed ({'with' if plugin else 'without'} the plugin):\n"
            f"{result.stdout}{result.stderr}"
        )
    return elapsed


Scenario = Callable[[Project, bool, Path], float]


def _cold(project: Project, plugin: bool, cache: Path) -> float:
    shutil.rmtree(cache, ignore_errors=True)
    return _mypy(project, plugin, cache)


def _warm(project: Project, plugin: bool, cache: Path) -> float:
    if not cache.exists():
        _mypy(project, plugin, cache)
    return _mypy(project, plugin, cache)


def _edited(
    name: str, original: Callable[[Project], str], edited: Callable[[Project], str]
) -> Scenario:
    """A warm run after ``name`` was edited (and edited back, for the next round)."""

    def scenario(project: Project, plugin: bool, cache: Path) -> float:
        if not cache.exists():
            _mypy(project, plugin, cache)
        project.edit(name, edited(project))
        try:
            return _mypy(project, plugin, cache)
        finally:
            project.edit(name, original(project))
            _mypy(project, plugin, cache)  # the cache back in step with the files

    return scenario


SCENARIOS: Final[dict[str, Scenario]] = {
    "cold": _cold,
    "warm": _warm,
    "warm, user edit": _edited(
        "user.py",
        lambda p: _user_module(p.classes, p.hooks, p.modules),
        lambda p: _user_module(p.classes, p.hooks, p.modules, edited=True),
    ),
    "warm, spec edit": _edited(
        "hooks.py", lambda p: _spec_module(p.hooks), lambda p: _spec_module(p.hooks, edited=True)
    ),
}


_IMPORTS: Final = """\
import time
import mypy.build, mypy.checker, mypy.plugin, mypy.subtypes  # loaded by any mypy run
start = time.perf_counter()
import protocall
runtime = time.perf_counter()
import protocall.mypy_plugin
plugin = time.perf_counter()
print(runtime - start, plugin - runtime)
"""


def import_costs(repeat: int) -> tuple[float, float]:
    """Seconds (best of ``repeat`` fresh processes) to import the ``protocall`` package, which
    importing the plugin imports first, and then the plugin's entry module, in a process that
    has mypy loaded: the fixed cost the plugin adds to every mypy run."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(REPO_ROOT / "src")
    runtime: list[float] = []
    plugin: list[float] = []
    for _ in range(repeat):
        result = subprocess.run(
            [sys.executable, "-c", _IMPORTS], capture_output=True, text=True, env=env, check=True
        )
        first, second = result.stdout.split()
        runtime.append(float(first))
        plugin.append(float(second))
    return min(runtime), min(plugin)


@dataclass(frozen=True, slots=True)
class Row:
    scenario: str
    without: float
    with_plugin: float
    ratio: float


def measure(project: Project, rounds: int, repeat: int, caches: Path) -> list[Row]:
    """Per scenario and round: the best of ``repeat`` runs with the plugin and without it,
    interleaved; the ratio of the two bests is the round's."""
    rows: list[Row] = []
    for name, scenario in SCENARIOS.items():
        times: dict[bool, list[float]] = {True: [], False: []}
        ratios: list[float] = []
        for _ in range(rounds):
            best: dict[bool, float] = {True: float("inf"), False: float("inf")}
            for attempt in range(repeat):
                for plugin in (True, False) if attempt % 2 == 0 else (False, True):
                    cache = caches / f"{name.replace(' ', '_').replace(',', '')}-{plugin}"
                    best[plugin] = min(best[plugin], scenario(project, plugin, cache))
            for plugin in (True, False):
                times[plugin].append(best[plugin])
            ratios.append(best[True] / best[False])
        rows.append(
            Row(
                name,
                statistics.median(times[False]),
                statistics.median(times[True]),
                statistics.median(ratios),
            )
        )
        print(f"  {name}: done", file=sys.stderr)
    return rows


def print_table(
    rows: list[Row], project: Project, rounds: int, repeat: int, imports: tuple[float, float]
) -> None:
    import mypy.version

    print(
        f"mypy {mypy.version.__version__}, Python {sys.version.split()[0]}: {project.classes} "
        f"callback classes, {project.hooks} hooks, {len(project.files)} modules; median of "
        f"{rounds} rounds, each the best of {repeat} runs"
    )
    header = f"{'scenario':<18} {'without plugin':>15} {'with plugin':>12} {'ratio':>7}"
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row.scenario:<18} {row.without:>14.2f}s {row.with_plugin:>11.2f}s {row.ratio:>6.2f}x"
        )
    warm = next(row for row in rows if row.scenario == "warm")
    verdict = "PASS" if warm.ratio <= TARGET_WARM else "MISS"
    print(f"target: warm ratio <= {TARGET_WARM:.2f}x: {verdict} ({warm.ratio:.2f}x)")
    runtime, plugin = imports
    print(
        f"fixed cost per mypy run: importing the protocall package {runtime * 1000:.1f} ms "
        f"(done by any import of protocall.mypy_plugin), then the plugin's entry module "
        f"{plugin * 1000:.1f} ms; its checks are imported only when mypy checks a module"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--classes", type=int, default=200, help="callback classes (200)")
    parser.add_argument("--hooks", type=int, default=50, help="hooks in the spec (50)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds per scenario (5)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per round, best kept (3)")
    parser.add_argument("--keep", type=Path, help="generate the project there and keep it")
    options = parser.parse_args(argv)
    if options.hooks < HOOKS_PER_CLASS:
        parser.error(f"--hooks must be at least {HOOKS_PER_CLASS}")
    with tempfile.TemporaryDirectory(prefix="protocall-plugin-cost-") as scratch:
        root = options.keep or Path(scratch) / "project"
        project = Project(root, options.classes, options.hooks)
        project.write()
        print(f"project in {root}", file=sys.stderr)
        rows = measure(project, options.rounds, options.repeat, Path(scratch) / "caches")
        imports = import_costs(max(5, options.repeat))
        print_table(rows, project, options.rounds, options.repeat, imports)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
