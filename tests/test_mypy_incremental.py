"""The mypy plugin run as users run mypy: with its incremental cache, and under ``dmypy``.

``test_mypy_plugin.py`` checks every case in one cold run (``--no-incremental``). Users keep
mypy's cache (``.mypy_cache``) and edit files between runs; mypy then loads the modules that did
not change from the cache, where a function has no body and no ``arguments`` and a class's
symbol table comes back sorted by name, or, under ``dmypy``, patches them in memory. So a small
project (a library's spec in ``hooks.py``, its entry points taking ``CallbackOf[Hooks]`` in
``library.py``, callbacks in ``callbacks.py``, a base class of one in ``bases.py``, the user's
code in ``user.py``, which registers callbacks in every way, calls ``emit``/``first`` by name and
hooks through ``manager.call``, all in the layout a user has) is checked through a series of
edits, :data:`STEPS`, once by ``mypy`` with a real cache directory and once by ``dmypy run``,
with the oldest and the newest mypy. At each step the report must be exactly the step's
expected errors, one to one and at the right lines, with the right exit status and no crash; a
fully cached run must report what the cold run reported, and a run from the cache what a cold
run of the same files reports. The last steps edit only the callbacks' classes (or a base
class), which ``user.py`` does not name beyond constructing them: ``dmypy`` re-checks
``user.py`` then only through the dependencies the plugin records (see
``protocall.mypy_plugin.dependencies``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections.abc import Generator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import pytest
from _mypy_runs import OUTPUT_FLAGS, VERSIONS, Reported, mypy_env, mypy_python, parse_errors

USER: Final = "user.py"
FILES: Final = ("bases.py", "callbacks.py", "hooks.py", "library.py", USER)
CONFIG: Final = """\
[mypy]
plugins = protocall.mypy_plugin
strict = True
"""

HOOKS: Final = '''\
"""The library's spec: its hooks, declared in a module of their own."""

from typing import Final, Protocol

EVAL: Final = "on_eval"


class OnStart(Protocol):
    def on_start(self, step: int, /, *, phase: str = "train") -> None: ...


class OnEval(Protocol):
    async def on_eval(self, epoch: int) -> float: ...


class Hooks(OnStart, OnEval, Protocol):
    def summary(self, name: str) -> str: ...
    def on_batch(self, *, loss: float) -> None: ...
'''

HOOKS_EDITED: Final = HOOKS.replace(
    "    def summary(self, name: str) -> str: ...\n"
    "    def on_batch(self, *, loss: float) -> None: ...\n",
    "    def summary(self, name: str, width: int) -> str: ...\n"
    "    def on_end(self) -> None: ...\n"
    "    def on_batch(self, *, loss: float) -> float: ...\n",
)
"""A hook added (declared between two others), a hook's signature changed, and a hook made to
return a value (``manager.call`` of it becomes an error)."""

LIBRARY: Final = '''\
"""The library's entry points: its users' callbacks come in as ``CallbackOf[Hooks]``."""

from collections.abc import Iterable

from hooks import Hooks
from protocall import CallbackManager, CallbackOf


class Trainer:
    def __init__(self, callbacks: Iterable[CallbackOf[Hooks]] = ()) -> None:
        self.hooks = CallbackManager(Hooks, callbacks)

    def add(self, callback: CallbackOf[Hooks]) -> None:
        self.hooks.register(callback)
'''

LIBRARY_EDITED: Final = LIBRARY.replace(
    "def add(self, callback: CallbackOf[Hooks])", "def add(self, callback: object)"
)
"""A parameter that no longer takes ``CallbackOf``: what is passed there is not checked."""

CALLBACKS: Final = '''\
"""Callbacks that a third module provides."""


class Starter:
    async def on_start(self, step: int, /, *, phase: str = "train") -> None: ...


class Summary:
    def summary(self, name: str) -> str:
        return name

    def on_btch(self, *, loss: float) -> None: ...
'''

CALLBACKS_EDITED: Final = '''\
"""Callbacks that a third module provides, fitted to the edited spec, the typo fixed."""


class Starter:
    def on_start(self, step: int, /, *, phase: str = "train") -> None: ...


class Summary:
    def summary(self, name: str, width: int) -> str:
        return name[:width]
'''

CALLBACKS_HOOK_EDITED: Final = CALLBACKS_EDITED.replace(
    "def on_start(self, step: int, /", "def on_start(self, step: str, /"
)
"""A hook's parameter type changed in the callbacks' module: ``Starter`` no longer fits."""

BASES: Final = '''\
"""A base class of a callback, in a module of its own."""


class Summarizer:
    def summary(self, name: str, width: int) -> str:
        return name[:width]
'''

BASES_EDITED: Final = BASES.replace(
    "def summary(self, name: str, width: int) -> str:\n        return name[:width]",
    "def summary(self, name: str) -> str:\n        return name",
)
"""The base class's hook changed: the callback that inherits it no longer fits the spec."""

CALLBACKS_WITH_BASE: Final = '''\
"""Callbacks that a third module provides, one inheriting its hook from a fourth."""

from bases import Summarizer


class Starter:
    def on_start(self, step: int, /, *, phase: str = "train") -> None: ...


class Summary(Summarizer):
    pass
'''

CALLBACKS_NEAR_MISS: Final = CALLBACKS_WITH_BASE.replace(
    "class Summary(Summarizer):\n    pass\n",
    "class Summary(Summarizer):\n    def on_btch(self, *, loss: float) -> None: ...\n",
)
"""A method named almost like a hook added to a callback that implements another hook."""

USER_CODE: Final = '''\
"""The user's module: a manager of the library's hooks, and the callbacks it registers."""

from typing import Any, Coroutine, assert_type

from callbacks import Starter, Summary
from hooks import EVAL, Hooks
from library import Trainer
from protocall import CallbackManager


class WrongType:
    def on_start(self, step: str, /, *, phase: str = "train") -> None: ...


class Misspelt:
    def on_strat(self, step: int) -> None: ...


manager = CallbackManager(Hooks, [Summary()])
manager.register(WrongType())
manager.register(Starter())
manager.register(Misspelt())
manager.emit("on_strat", 1)
manager.emit("on_batch", los=1.0)
evaluated = assert_type(manager.emit(EVAL, 1), Coroutine[Any, Any, list[float]])
assert_type(manager.first("summary", "x"), str | None)
trainer = Trainer([Starter(), Summary()])
trainer.add(WrongType())
manager.call.summary("x")
manager.call.on_batch(loss=1.0)
'''

USER_EDITED: Final = '''\
"""The user's module: a manager of the library's hooks, and the callbacks it registers.

Edited: the lines moved, an error fixed, others added.
"""

from typing import Any, Coroutine, assert_type

from callbacks import Starter, Summary
from hooks import EVAL, Hooks
from library import Trainer
from protocall import CallbackManager


class WrongType:
    def on_start(self, step: int, /, *, phase: str = "train") -> None: ...


class Misspelt:
    def on_strat(self, step: int) -> None: ...


manager = CallbackManager(Hooks, [Summary()])
manager.register(WrongType())
manager.register(Starter())
manager.register(Misspelt())
manager.emit("on_end")
manager.first("sumary", "x")
evaluated = assert_type(manager.emit(EVAL, 1), Coroutine[Any, Any, list[float]])
assert_type(manager.first("summary", "x"), str | None)
manager.call.on_batch(loss=1.0)
trainer = Trainer([Starter(), Summary()])
trainer.add(Misspelt())
manager.call.summary("x")
'''

USER_FIXED: Final = '''\
"""The user's module, every error fixed."""

from typing import Any, Coroutine, assert_type

from callbacks import Starter, Summary
from hooks import EVAL, Hooks
from protocall import CallbackManager

manager = CallbackManager(Hooks, [Summary()])
manager.register(Starter())
manager.emit("on_end")
evaluated = assert_type(manager.emit(EVAL, 1), Coroutine[Any, Any, list[float]])
assert_type(manager.first("summary", "x", 3), str | None)
'''


@dataclass(frozen=True, slots=True)
class Expect:
    """An error expected in ``user.py``."""

    anchor: str
    """The text of the line it is reported on (found once in ``user.py``)."""
    code: str
    pattern: str
    """A regular expression found in the message (``re.search``)."""


def _hooks_are(*hooks: str) -> str:
    """The hook list of a message, in the plugin's order (bases first, then by name)."""
    return re.escape(", ".join(f'"{hook}"' for hook in hooks))


_HOOKS_BEFORE: Final = ("on_start", "on_eval", "on_batch", "summary")
_HOOKS_AFTER: Final = ("on_start", "on_eval", "on_batch", "on_end", "summary")
_ON_START: Final = re.escape('"def on_start(self, __arg0: int, /, *, phase: str = ...) -> None"')

_WRONG_TYPE: Final = Expect(
    "manager.register(WrongType())", "protocall-signature", f"Declare it as {_ON_START}"
)
_STARTER_ASYNC: Final = Expect(
    "manager.register(Starter())", "protocall-async", f"drop async: {_ON_START}"
)
_NO_HOOK_BEFORE: Final = Expect(
    "manager.register(Misspelt())",
    "protocall-no-hook",
    f"at least one of {_hooks_are(*_HOOKS_BEFORE)} with .*"
    + re.escape('"Misspelt.on_strat" looks like a misspelling of "on_start"'),
)
_NO_HOOK_AFTER: Final = Expect(
    "manager.register(Misspelt())",
    "protocall-no-hook",
    f"at least one of {_hooks_are(*_HOOKS_AFTER)} with ",
)
_NEAR_MISS: Final = Expect(
    "manager = CallbackManager(Hooks, [Summary()])",
    "protocall-near-miss",
    re.escape('"Summary.on_btch" looks like a misspelling of the hook "Hooks.on_batch"'),
)
_SUMARY_AFTER: Final = Expect(
    'manager.first("sumary", "x")',
    "protocall-unknown-hook",
    re.escape('did you mean "summary"? Its hooks are: ') + _hooks_are(*_HOOKS_AFTER) + "$",
)
_SUMMARY_ARITY: Final = Expect(
    'assert_type(manager.first("summary", "x"), str | None)',
    "call-arg",
    'Missing positional argument "width"',
)
_TRAINER: Final = "trainer = Trainer([Starter(), Summary()])"
_TRAINER_ASYNC: Final = Expect(_TRAINER, "protocall-async", f"drop async: {_ON_START}")
_TRAINER_NEAR_MISS: Final = Expect(_TRAINER, "protocall-near-miss", _NEAR_MISS.pattern)
_ADD_NO_HOOK_BEFORE: Final = Expect(
    "trainer.add(Misspelt())", "protocall-no-hook", _NO_HOOK_BEFORE.pattern
)
_ADD_NO_HOOK_AFTER: Final = Expect(
    "trainer.add(Misspelt())", "protocall-no-hook", _NO_HOOK_AFTER.pattern
)
_CALL_SUMMARY: Final = Expect(
    'manager.call.summary("x")',
    "protocall-call-result",
    re.escape('"Hooks.summary" returns "str"') + ".*" + re.escape('"emit(Hooks.summary, ...)"'),
)
_CALL_SUMMARY_ARITY: Final = Expect(
    'manager.call.summary("x")', "call-arg", 'Missing positional argument "width"'
)
_CALL_ON_BATCH: Final = Expect(
    "manager.call.on_batch(loss=1.0)",
    "protocall-call-result",
    re.escape('"Hooks.on_batch" returns "float"'),
)


@dataclass(frozen=True, slots=True)
class Step:
    """An edit of the project, and what mypy must report after it."""

    name: str
    edits: Mapping[str, str]
    expected: tuple[Expect, ...]
    compare_cold: bool = False
    """Also run a cold mypy (empty cache) on the same files: it must report the same errors."""


STEPS: Final = (
    Step(
        "cold",
        {
            "hooks.py": HOOKS,
            "library.py": LIBRARY,
            "callbacks.py": CALLBACKS,
            "bases.py": BASES,
            USER: USER_CODE,
        },
        (
            _TRAINER_ASYNC,
            _TRAINER_NEAR_MISS,
            Expect("trainer.add(WrongType())", "protocall-signature", _WRONG_TYPE.pattern),
            _CALL_SUMMARY,
            _NEAR_MISS,
            _WRONG_TYPE,
            _STARTER_ASYNC,
            _NO_HOOK_BEFORE,
            Expect(
                'manager.emit("on_strat", 1)',
                "protocall-unknown-hook",
                re.escape('did you mean "on_start"? Its hooks are: ')
                + _hooks_are(*_HOOKS_BEFORE)
                + "$",
            ),
            Expect(
                'manager.emit("on_batch", los=1.0)', "call-arg", 'Unexpected keyword argument "los"'
            ),
        ),
    ),
    Step("unchanged", {}, ()),  # expects what the previous step reported: see _expected
    Step(
        "user module edited",
        {USER: USER_EDITED},
        (
            _TRAINER_ASYNC,
            _TRAINER_NEAR_MISS,
            _ADD_NO_HOOK_BEFORE,
            _CALL_SUMMARY,
            _NEAR_MISS,
            _STARTER_ASYNC,
            _NO_HOOK_BEFORE,
            Expect(
                'manager.emit("on_end")',
                "protocall-unknown-hook",
                re.escape('"Hooks" has no hook "on_end"') + ".*" + _hooks_are(*_HOOKS_BEFORE) + "$",
            ),
            Expect(
                'manager.first("sumary", "x")',
                "protocall-unknown-hook",
                re.escape('did you mean "summary"? Its hooks are: ') + _hooks_are(*_HOOKS_BEFORE),
            ),
        ),
    ),
    Step(
        "spec module edited",
        {"hooks.py": HOOKS_EDITED},
        (
            Expect(
                "manager = CallbackManager(Hooks, [Summary()])",
                "protocall-signature",
                re.escape('Declare it as "def summary(self, name: str, width: int) -> str"'),
            ),
            Expect(
                _TRAINER,
                "protocall-signature",
                re.escape('Declare it as "def summary(self, name: str, width: int) -> str"'),
            ),
            _TRAINER_ASYNC,
            _TRAINER_NEAR_MISS,
            _ADD_NO_HOOK_AFTER,
            _CALL_SUMMARY,
            _CALL_SUMMARY_ARITY,
            _CALL_ON_BATCH,
            _NEAR_MISS,
            _STARTER_ASYNC,
            _NO_HOOK_AFTER,
            _SUMARY_AFTER,
            _SUMMARY_ARITY,
        ),
        compare_cold=True,
    ),
    Step(
        "callbacks module edited",
        {"callbacks.py": CALLBACKS_EDITED},
        (
            _ADD_NO_HOOK_AFTER,
            _CALL_SUMMARY,
            _CALL_SUMMARY_ARITY,
            _CALL_ON_BATCH,
            _NO_HOOK_AFTER,
            _SUMARY_AFTER,
            _SUMMARY_ARITY,
        ),
        compare_cold=True,
    ),
    Step(
        "library module edited",
        {"library.py": LIBRARY_EDITED},
        (
            _CALL_SUMMARY,
            _CALL_SUMMARY_ARITY,
            _CALL_ON_BATCH,
            _NO_HOOK_AFTER,
            _SUMARY_AFTER,
            _SUMMARY_ARITY,
        ),
        compare_cold=True,
    ),
    Step("every error fixed", {USER: USER_FIXED}, ()),
    # From here on, each edit of another module introduces an error into a user module that had
    # none: `dmypy` re-checks a module that had errors after every edit, so only these steps show
    # that it re-checks a registration when the registered class changes.
    Step(
        "callbacks module edited: a hook's signature broken",
        {"callbacks.py": CALLBACKS_HOOK_EDITED},
        (Expect("manager.register(Starter())", "protocall-signature", _WRONG_TYPE.pattern),),
        compare_cold=True,
    ),
    Step(
        "callbacks module edited: fixed, a hook inherited",
        {"callbacks.py": CALLBACKS_WITH_BASE},
        (),
    ),
    Step(
        "base class module edited: the inherited hook broken",
        {"bases.py": BASES_EDITED},
        (
            Expect(
                "manager = CallbackManager(Hooks, [Summary()])",
                "protocall-signature",
                re.escape('Declare it as "def summary(self, name: str, width: int) -> str"'),
            ),
        ),
        compare_cold=True,
    ),
    Step("base class module edited: fixed", {"bases.py": BASES}, ()),
    Step(
        "callbacks module edited: a method named almost like a hook added",
        {"callbacks.py": CALLBACKS_NEAR_MISS},
        (_NEAR_MISS,),
        compare_cold=True,
    ),
)


def _expected(index: int) -> tuple[Expect, ...]:
    """The errors expected at step ``index``: an "unchanged" step keeps the previous ones."""
    while STEPS[index].name == "unchanged":
        index -= 1
    return STEPS[index].expected


@dataclass
class Project:
    """The user's project in a directory: its files and ``mypy.ini``."""

    root: Path
    _clock: float = field(default_factory=lambda: time.time() - 3600)

    def __post_init__(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "mypy.ini").write_text(CONFIG, encoding="utf-8")

    def apply(self, step: Step) -> None:
        """Write the step's files, each with a later modification time than any before.

        mypy trusts its cache for a file whose size and modification time (in whole seconds) are
        unchanged, and a test edits faster than a user: each write moves the clock on.
        """
        for name, text in step.edits.items():
            path = self.root / name
            path.write_text(text, encoding="utf-8")
            self._clock += 10
            os.utime(path, (self._clock, self._clock))

    def line_of(self, anchor: str) -> int:
        """The number of the one line of ``user.py`` that reads ``anchor``."""
        lines = (self.root / USER).read_text(encoding="utf-8").splitlines()
        found = [number for number, text in enumerate(lines, start=1) if text == anchor]
        assert len(found) == 1, f"{anchor!r} is on {len(found)} lines of {USER}, not one"
        return found[0]


@dataclass(frozen=True, slots=True)
class Result:
    """One run of ``mypy`` or ``dmypy``: its exit status, its whole output, its errors."""

    returncode: int
    output: str
    errors: dict[str, list[Reported]]


def _run(command: Sequence[str], project: Project) -> Result:
    """Run ``command`` in the project's directory, as a user would from a shell there."""
    completed = subprocess.run(
        list(command),
        cwd=project.root,
        env=mypy_env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = completed.stdout + completed.stderr
    return Result(completed.returncode, output, parse_errors(completed.stdout))


def _mypy(python: Path, project: Project, cache: Path) -> Result:
    """``mypy`` on the project's files, with ``cache`` as its (persistent) cache directory."""
    command = [str(python), "-m", "mypy", "--config-file", "mypy.ini", "--cache-dir", str(cache)]
    return _run([*command, *OUTPUT_FLAGS, *FILES], project)


def _check_step(result: Result, index: int, project: Project, label: str) -> None:
    """The report of step ``index`` is exactly its expected errors, without a crash."""
    _check(result, _expected(index), project, f"{label}, step {index} ({STEPS[index].name})")


def _check(result: Result, expected: Sequence[Expect], project: Project, where: str) -> None:
    """The report is exactly the ``expected`` errors, with the matching exit status, and mypy
    did not crash."""
    assert "INTERNAL ERROR" not in result.output, f"{where}: mypy crashed:\n{result.output}"
    assert "Traceback" not in result.output, f"{where}: mypy crashed:\n{result.output}"
    others = {name: errors for name, errors in result.errors.items() if name != USER}
    assert not others, f"{where}: errors outside {USER}:\n{result.output}"
    unmatched = list(result.errors.get(USER, []))
    missing: list[str] = []
    for expect in expected:
        line = project.line_of(expect.anchor)
        match = next(
            (
                r
                for r in unmatched
                if r.line == line and r.code == expect.code and re.search(expect.pattern, r.message)
            ),
            None,
        )
        if match is None:
            missing.append(f"  {USER}:{line}: [{expect.code}] {expect.pattern}")
        else:
            unmatched.remove(match)
    unexpected = [f"  {USER}:{r.line}: {r.message}  [{r.code}]" for r in unmatched]
    assert not missing and not unexpected, (
        f"{where}:\nmissing (line, code, pattern):\n"
        + "\n".join(missing)
        + "\nunexpected:\n"
        + "\n".join(unexpected)
        + f"\nmypy's output:\n{result.output}"
    )
    status = 1 if expected else 0
    assert result.returncode == status, (
        f"{where}: exit status {result.returncode}:\n{result.output}"
    )


@pytest.mark.parametrize("version", VERSIONS)
def test_mypy_with_its_cache(tmp_path: Path, version: str) -> None:
    """``mypy`` run after each edit, keeping its cache between runs as a user does."""
    python = mypy_python(version)
    project = Project(tmp_path / "project")
    cache = tmp_path / "mypy_cache"
    first: Result | None = None
    for index, step in enumerate(STEPS):
        project.apply(step)
        result = _mypy(python, project, cache)
        _check_step(result, index, project, f"mypy ({version})")
        if first is None:
            first = result
            assert any(cache.rglob("*")), "mypy wrote no cache: the next runs would not use one"
        if step.name == "unchanged":
            assert result.errors == first.errors, "a fully cached run differs from the cold run"
        if step.compare_cold:
            fresh = tmp_path / f"cold-cache-{index}"
            cold = _mypy(python, project, fresh)
            shutil.rmtree(fresh, ignore_errors=True)
            assert result.errors == cold.errors, (
                f"step {index} ({step.name}): the run from the cache differs from a cold run:\n"
                f"from the cache:\n{result.output}\ncold:\n{cold.output}"
            )


@contextmanager
def _daemon(python: Path, status: Path, project: Project) -> Generator[list[str], None, None]:
    """The ``dmypy`` command of a daemon of its own (``status`` is its status file), stopped
    (killed, if it does not stop) when the block ends, however it ends."""
    daemon = [str(python), "-m", "mypy.dmypy", "--status-file", str(status)]
    try:
        yield daemon
    finally:
        stopped = _run([*daemon, "stop"], project)
        if stopped.returncode != 0 and status.exists():
            _run([*daemon, "kill"], project)


def _dmypy_run(daemon: Sequence[str], files: Sequence[str]) -> list[str]:
    """``dmypy run``: starts the daemon if it is not running, then checks ``files``."""
    return [*daemon, "run", "--", "--config-file", "mypy.ini", *OUTPUT_FLAGS, *files]


@pytest.mark.parametrize("version", VERSIONS)
def test_dmypy(tmp_path: Path, version: str) -> None:
    """``dmypy run`` after each edit: one daemon, started by the first run, updated by the
    others (it must not restart), stopped at the end."""
    project = Project(tmp_path / "project")
    with _daemon(mypy_python(version), tmp_path / "dmypy.json", project) as daemon:
        for index, step in enumerate(STEPS):
            project.apply(step)
            result = _run(_dmypy_run(daemon, FILES), project)
            _check_step(result, index, project, f"dmypy ({version})")
            started = "Daemon started" in result.output
            assert started == (index == 0), (
                f"step {index}: the daemon (re)started:\n{result.output}"
            )
            assert "restart" not in result.output.lower(), result.output


SUBCLASS_BEFORE: Final = '''\
"""A class with a ``register`` method that has nothing to do with protocall, yet."""

from hooks import Hooks


class Registry:
    def __init__(self, spec: object) -> None: ...
    def register(self, callback: object) -> None: ...


class WrongType:
    def on_start(self, step: str, /, *, phase: str = "train") -> None: ...


Registry(Hooks).register(WrongType())
'''

SUBCLASS_AFTER: Final = '''\
"""The class became a ``CallbackManager``: its ``register`` is checked from now on."""

from hooks import Hooks
from protocall import CallbackManager


class Registry(CallbackManager[Hooks]):
    pass


class WrongType:
    def on_start(self, step: str, /, *, phase: str = "train") -> None: ...


Registry(Hooks).register(WrongType())
'''


@pytest.mark.parametrize("version", VERSIONS)
def test_dmypy_sees_a_class_become_a_manager(tmp_path: Path, version: str) -> None:
    """One plugin instance serves every run of a daemon: what it knows of a class (whether it
    is a ``CallbackManager``) must not outlive an edit of that class."""
    project = Project(tmp_path / "project")
    registered = Expect(
        "Registry(Hooks).register(WrongType())", "protocall-signature", f"Declare it as {_ON_START}"
    )
    runs = (
        Step("a plain class", {"hooks.py": HOOKS, USER: SUBCLASS_BEFORE}, ()),
        Step("the class made a manager", {USER: SUBCLASS_AFTER}, (registered,)),
    )
    with _daemon(mypy_python(version), tmp_path / "dmypy.json", project) as daemon:
        for index, step in enumerate(runs):
            project.apply(step)
            result = _run(_dmypy_run(daemon, (USER, "hooks.py")), project)
            _check(result, step.expected, project, f"dmypy ({version}), run {index} ({step.name})")
