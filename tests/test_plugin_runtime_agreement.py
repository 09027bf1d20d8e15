"""One source of truth: the mypy plugin and the run time give the same verdicts on the same cases.

The plugin's case files (``tests/mypy_plugin/``) are users' modules, valid Python, whose lines
carry the errors the plugin must report (``# E: <code>``; see ``test_mypy_plugin.py``). Here each
case file is run, statement by statement, and every callback it registers at module level is
registered at run time too, alone, with a fresh ``CallbackManager`` of the same spec:

* a line marked ``protocall-signature``, ``protocall-async``, ``protocall-no-hook`` or
  ``protocall-not-instance`` must be refused (``RegistrationError``) for one of those reasons
  (read from the message), one marked ``protocall-prioritized`` must raise ``register``'s
  ``TypeError`` for a ``Prioritized``, and a line refused at run time must be marked with its
  reason;
* a line marked ``protocall-near-miss`` must warn ``HookNameWarning`` as many times, and a
  warning must be marked;
* a line marked ``protocall-call-result`` must raise ``TypeError`` where it looks up
  ``manager.call.<hook>``, and an unmarked lookup must not;
* every other registration must succeed without a warning.

One refusal needs no marker of the plugin: a callback whose class overrides a hook of a Protocol
it subclasses incompatibly is reported by mypy itself, ``[override]`` where the class is defined
(marked ``# E: override`` there), and the plugin does not repeat it at the registration.

"Registers" means what the plugin checks: ``manager.register(x)``, the constructor's callbacks,
and the arguments of a library's ``CallbackOf[Spec]`` parameters (read from the annotation). The
callbacks are found and attributed to lines as the plugin does (``.sources``): each item of a
list display (``Prioritized(x, p)`` standing for ``x``), a comprehension's element line, a
variable or another iterable at its own line. Code in function and class bodies is not run, so
it is not compared. Lines silenced with ``# type: ignore[code]`` count as marked.

Where the static rule and the runtime rule legitimately differ, the line is listed in
:data:`EXCEPTIONS` with the reason; the list is exact both ways (a listed line that agrees fails
the test too, so the list cannot rot).
"""

from __future__ import annotations
import __future__

import ast
import inspect
import re
import sys
import warnings
from collections.abc import Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from types import FunctionType, MethodType
from typing import Any, Final, Literal, TypeVar, cast

import pytest
from _mypy_runs import CASE_FILES, CASES_DIR, Expected, expectations, silenced

import protocall
from protocall import CallbackManager, HookNameWarning, Prioritized, RegistrationError

Kind = Literal[
    "protocall-signature",
    "protocall-async",
    "protocall-no-hook",
    "protocall-not-instance",
    "protocall-prioritized",
]
REFUSALS: Final[tuple[Kind, ...]] = (
    "protocall-signature",
    "protocall-async",
    "protocall-no-hook",
    "protocall-not-instance",
    "protocall-prioritized",
)
NEAR_MISS: Final = "protocall-near-miss"
CALL_RESULT: Final = "protocall-call-result"

_REASONS: Final[dict[Kind, re.Pattern[str]]] = {
    "protocall-not-instance": re.compile(r"callbacks are instances"),
    "protocall-async": re.compile(r"is an `async def` but|is a plain `def` but"),
    "protocall-no-hook": re.compile(r"implements no hook of"),
    "protocall-prioritized": re.compile(r"Prioritized\(\.\.\.\) is for the constructor's list"),
    "protocall-signature": re.compile(
        r"cannot accept every call|is named like the hook .* not callable|inconsistently|"
        r"takes no `self`"
    ),
}
"""How each refusal reads at run time (``protocall._validate``'s messages; ``register``'s
``TypeError`` for a ``Prioritized``)."""

# -- the documented differences --------------------------------------------------------------------

_TYPES: Final = (
    "types are checked statically only: at run time registration compares the shape of the "
    "signatures (which calls bind), not the annotations"
)
_NONE_MEMBER: Final = (
    "a member typed `X | None` is None at run time here, which opts out of the hook; "
    "statically it may be an X (only X is checked), so the plugin cannot know it implements nothing"
)
_BRANCHES: Final = (
    "a conditional expression: the plugin checks both branches, the run time registers the "
    "one taken"
)
_DECLARED_CALLABLE: Final = (
    "a Callable attribute: the plugin checks its declared type, the run time the object stored "
    "there (a lambda)"
)

EXCEPTIONS: Final[dict[tuple[str, str], str]] = {
    # Types are not compared at run time.
    ("register_errors.py", "manager.register(WrongType())"): _TYPES,
    ("register_errors.py", "manager.register(WrongReturn())"): _TYPES,
    ("register_errors.py", "manager.register(WrongKeywordType())"): _TYPES,
    ("members.py", "values.register(StrValues())"): _TYPES,
    ("members.py", "varied.register(OverloadTooNarrow())"): _TYPES,
    # A Callable-typed attribute holds an object whose own signature or kind differs.
    ("members.py", "varied.register(PositionalOnlyAttribute())"): (
        f"{_DECLARED_CALLABLE}: `Callable[[int], None]` takes its argument by position only, "
        "the lambda `lambda a: None` also by keyword"
    ),
    ("members.py", "varied = CallbackManager(Varied, [Members(), OverloadedImplementation()])"): (
        f"{_DECLARED_CALLABLE}: the property `on_async` returns `Callable[[], Any]`, which may "
        "be an async function statically; at run time it is a plain lambda, so the async hook "
        "refuses it"
    ),
    # Members typed `X | None` that are None at run time.
    ("optional_members.py", "manager.register(ClassLevelNone())"): _NONE_MEMBER,
    ("optional_members.py", "manager.register(OnlyOptional())"): _NONE_MEMBER,
    (
        "optional_members.py",
        "CallbackManager(TrainHooks, [ClassLevelNone(), Prioritized(InstanceLevel(log=False), 1)])",
    ): _NONE_MEMBER,
    ("optional_members.py", "manager.register(WrongWhenSet())"): (
        f"{_NONE_MEMBER}: the run time refuses it as implementing no hook, the plugin for the "
        "types its members would have"
    ),
    ("optional_members.py", "manager.register(WrongAsync())"): (
        f"{_NONE_MEMBER}: the run time refuses it as implementing no hook, the plugin for the "
        "type its member would have"
    ),
    ("optional_members.py", "CallbackManager(TrainHooks, [WrongAsync()])"): (
        f"{_NONE_MEMBER}: the run time refuses it as implementing no hook, the plugin for the "
        "type its member would have"
    ),
    # Conditional expressions.
    ("callback_sources.py", "manager.register(Timer() if maybe is None else Nothing())"): _BRANCHES,
    # An invalid policy: mypy reports no matching overload, and no overload's plugin errors.
    ("constructor.py", 'CallbackManager(TrainHooks, [Nothing()], errors="ignore")'): (
        "the policy is invalid, so mypy reports call-overload (no overload matches) instead of "
        "the plugin's error for the callbacks; the run time refuses the callback"
    ),
    # What mypy infers loses the items.
    ("callback_sources.py", "CallbackManager(TrainHooks, list(made()))"): (
        "mypy infers `list(made())` in the context of the parameter (`Iterable[object]`) as "
        "`list[object]`, which says nothing of its items"
    ),
}
"""``(case file, the line's code without its comment)`` → why the plugin and the run time
differ there."""


# -- running a case file ---------------------------------------------------------------------------


class _Lenient(CallbackManager[Any]):
    """The case file's own managers: they register nothing, so that every statement runs and
    every manager it names exists; each registration is judged on its own by :func:`_verdict`."""

    def __init__(
        self, spec: Any, callbacks: Iterable[object] = (), *, errors: Any = "raise"
    ) -> None:
        super().__init__(spec, (), errors=errors)

    def register(self, callback: Any, *, priority: int = 0, weak: bool = False) -> Any:
        return callback


_ANNOTATIONS: Final = __future__.annotations.compiler_flag


@dataclass
class Verdict:
    """What the run time said on one line of a case file."""

    refused: set[str] = field(default_factory=set[str])
    """The refusal codes (``protocall-...``) of the callbacks refused there."""
    warnings: int = 0
    """How many ``HookNameWarning`` its registrations warned."""
    call_result: bool = False
    """A ``manager.call.<hook>`` lookup there raised ``TypeError``."""
    registered: bool = False
    """Something was registered (or looked up on ``manager.call``) there."""
    overrides: int = 0
    """Refusals of a class whose definition mypy reports as an incompatible override."""
    unexplained: list[str] = field(default_factory=list[str])
    """Refusals whose message matches no known reason."""


class CaseRun:
    """One case file, run statement by statement in a namespace of its own."""

    def __init__(self, file: str) -> None:
        self.file: Final = file
        self.path: Final = CASES_DIR / file
        self.source: Final = self.path.read_text(encoding="utf-8")
        self.lines: Final = self.source.splitlines()
        self.namespace: dict[str, Any] = {"__name__": f"case_{self.path.stem}"}
        self.verdicts: dict[int, Verdict] = {}
        self.overriding: Final = _overriding_classes(self.source, expectations(file))

    def run(self) -> None:
        for statement in ast.parse(self.source).body:
            for call in _module_level_calls(statement):
                self._judge_call(call)
            for access in _call_accesses(statement):
                self._judge_access(access)
            self._execute(statement)

    # -- executing ------------------------------------------------------------------------------

    def _execute(self, statement: ast.stmt) -> None:
        module = ast.Module(body=[statement], type_ignores=[])
        code = compile(module, str(self.path), "exec", flags=_ANNOTATIONS, dont_inherit=True)
        with warnings.catch_warnings(), suppress(Exception):  # some are meant to fail
            warnings.simplefilter("ignore")
            exec(code, self.namespace)  # noqa: S102
        for name, value in list(self.namespace.items()):
            if value is CallbackManager:
                self.namespace[name] = _Lenient

    def _eval(self, expression: ast.expr) -> Any:
        code = compile(
            ast.Expression(body=expression),
            str(self.path),
            "eval",
            flags=_ANNOTATIONS,
            dont_inherit=True,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return eval(code, self.namespace)

    def _at(self, line: int) -> Verdict:
        return self.verdicts.setdefault(line, Verdict())

    # -- registrations -----------------------------------------------------------------------------

    def _judge_call(self, call: ast.Call) -> None:
        func = call.func
        if isinstance(func, ast.Attribute) and func.attr == "register":
            manager = _manager(self._try_eval(func.value))
            if manager is not None and call.args:
                self._judge_one(manager.spec, call.args[0])
            return
        callee = self._try_eval(func)
        if isinstance(callee, type) and issubclass(callee, CallbackManager):
            self._judge_constructor(call)
            return
        self._judge_callback_of(call)

    def _judge_constructor(self, call: ast.Call) -> None:
        spec_node = call.args[0] if call.args else _keyword(call, "spec")
        given = call.args[1] if len(call.args) > 1 else _keyword(call, "callbacks")
        if spec_node is None or given is None:
            return
        spec = self._eval(spec_node)
        if spec is not None:
            self._judge_many(spec, given)

    def _judge_callback_of(self, call: ast.Call) -> None:
        found = self._callback_of_parameters(call)
        if found is None:
            return
        parameters, spec_of_parameter = found
        bound = _bind(call, parameters)
        for name, (arguments, starred) in bound.items():
            shape = spec_of_parameter.get(name)
            if shape is None:
                continue
            spec, many = shape
            for argument in arguments:
                if isinstance(argument, ast.Constant) and argument.value is None:
                    continue  # `CallbackOf[Spec] | None`: None is no callback
                if many or argument in starred:
                    self._judge_many(spec, argument)
                else:
                    self._judge_one(spec, argument)

    def _judge_one(self, spec: object, expression: ast.expr) -> None:
        self._judge(spec, [self._eval(expression)], expression.lineno)

    def _judge_many(self, spec: object, expression: ast.expr) -> None:
        """The callbacks of an iterable, attributed to lines as the plugin reports them."""
        if isinstance(expression, (ast.List, ast.Tuple, ast.Set)):
            for item in expression.elts:
                if isinstance(item, ast.Starred):
                    self._judge_many(spec, item.value)
                    continue
                wrapped = _prioritized_argument(item, self.namespace)
                shown = wrapped if wrapped is not None else item
                self._judge(spec, [_unwrap(self._eval(item))], shown.lineno)
            return
        if isinstance(expression, (ast.ListComp, ast.SetComp, ast.GeneratorExp)):
            line = expression.elt.lineno
        else:
            line = expression.lineno
        items = self._eval(expression)
        if items is not None:  # `callbacks: list[CallbackOf[Spec]] | None`
            self._judge(spec, [_unwrap(item) for item in items], line)

    def _judge(self, spec: Any, callbacks: list[object], line: int) -> None:
        verdict = self._at(line)
        verdict.registered = True
        for callback in callbacks:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    CallbackManager(spec).register(callback)
                except (RegistrationError, TypeError) as error:
                    kind = _kind(str(error))
                    if kind is None:
                        verdict.unexplained.append(str(error))
                    elif kind in _OVERRIDE_KINDS and self._mypy_reports(type(callback)):
                        verdict.overrides += 1
                    else:
                        verdict.refused.add(kind)
            verdict.warnings += sum(issubclass(w.category, HookNameWarning) for w in caught)

    def _mypy_reports(self, cls: type) -> bool:
        """Whether mypy reports ``[override]`` in the definition of ``cls`` or of a base."""
        return any(klass.__name__ in self.overriding for klass in cls.__mro__)

    # -- manager.call.<hook> ----------------------------------------------------------------------

    def _judge_access(self, access: ast.Attribute) -> None:
        call = access.value
        assert isinstance(call, ast.Attribute)
        manager = _manager(self._try_eval(call.value))
        if manager is None:
            return
        verdict = self._at(access.end_lineno or access.lineno)
        verdict.registered = True
        try:
            getattr(manager.call, access.attr)
        except TypeError:
            verdict.call_result = True
        except AttributeError:
            pass

    # -- CallbackOf parameters ---------------------------------------------------------------------

    def _callback_of_parameters(
        self, call: ast.Call
    ) -> tuple[list[inspect.Parameter], dict[str, tuple[object, bool]]] | None:
        """The parameters of the function ``call`` calls, and for each that takes ``CallbackOf``
        its spec and whether it takes an iterable of callbacks; None for another callee.

        The annotation is read as written (``from __future__ import annotations``): at run time
        ``CallbackOf[Spec]`` is just ``Spec | object``. A spec that is a type variable of the
        library (``CallbackOf[H]`` in a ``Loop[H]``) is not compared: the plugin reads ``H``
        from the receiver's type, which the run time does not keep."""
        resolved = self._function(call.func)
        if resolved is None:
            return None
        function, drops_self = resolved
        try:
            parameters = list(inspect.signature(function).parameters.values())
        except (TypeError, ValueError):
            return None
        if drops_self:
            parameters = parameters[1:]
        shapes: dict[str, tuple[object, bool]] = {}
        annotations: dict[str, object] = getattr(function, "__annotations__", {})
        for parameter in parameters:
            annotation = annotations.get(parameter.name)
            if not isinstance(annotation, str):
                continue
            shape = _callback_of_shape(ast.parse(annotation, mode="eval").body)
            if shape is None:
                continue
            spec_source, many = shape
            spec = eval(spec_source, function.__globals__)
            if not isinstance(spec, TypeVar):
                shapes[parameter.name] = (spec, many)
        return (parameters, shapes) if shapes else None

    def _function(self, func: ast.expr) -> tuple[FunctionType, bool] | None:
        """The Python function a call of ``func`` runs, and whether its first parameter is the
        instance (a method, a class's ``__init__``)."""
        value = self._try_eval(func)
        receiver = func.value if isinstance(func, ast.Attribute) else None
        if value is _FAILED and isinstance(func, ast.Attribute) and isinstance(receiver, ast.Call):
            owner = self._try_eval(receiver.func)  # `Trainer([...]).add(...)`: Trainer.add
            value = getattr(owner, func.attr, None) if isinstance(owner, type) else None
            return (value, True) if isinstance(value, FunctionType) else None
        if isinstance(value, MethodType) and isinstance(value.__func__, FunctionType):
            return value.__func__, True
        if isinstance(value, type):
            init = getattr(value, "__init__", None)
            return (init, True) if isinstance(init, FunctionType) else None
        if isinstance(value, FunctionType):
            return value, False
        return None

    def _try_eval(self, expression: ast.expr) -> Any:
        """The value of ``expression``, found without calling anything but classes (a call
        could have effects the statement itself will have when it runs); else ``_FAILED``."""
        for node in ast.walk(expression):
            if isinstance(node, ast.Call) and not isinstance(self._try_eval(node.func), type):
                return _FAILED
        try:
            return self._eval(expression)
        except Exception:  # noqa: BLE001
            return _FAILED


_FAILED: Final = object()
_OVERRIDE_KINDS: Final = frozenset({"protocall-signature", "protocall-async"})


def _overriding_classes(source: str, expected: list[Expected]) -> frozenset[str]:
    """The classes of a case file whose definition has an ``# E: override`` marker."""
    lines = {e.line for e in expected if "override" in e.codes}
    return frozenset(
        node.name
        for node in ast.parse(source).body
        if isinstance(node, ast.ClassDef)
        and any(node.lineno <= line <= (node.end_lineno or node.lineno) for line in lines)
    )


def _module_level_calls(statement: ast.stmt) -> Iterator[ast.Call]:
    """The calls a module-level statement makes when it runs (not those in function or class
    bodies, or in lambdas), outermost first."""
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return
    yield from (node for node in _walk_running(statement) if isinstance(node, ast.Call))


def _call_accesses(statement: ast.stmt) -> Iterator[ast.Attribute]:
    """``<expr>.call.<name>`` lookups that a module-level statement runs."""
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return
    for node in _walk_running(statement):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Attribute)
            and node.value.attr == "call"
        ):
            yield node


def _walk_running(node: ast.AST) -> Iterator[ast.AST]:
    yield node
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        yield from _walk_running(child)


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _manager(value: object) -> CallbackManager[Any] | None:
    """``value`` if it is a manager (the case file's, of any spec), else None."""
    if not isinstance(value, CallbackManager):
        return None
    manager: CallbackManager[Any] = value  # pyright: ignore[reportUnknownVariableType]
    return manager


def _unwrap(item: object) -> object:
    return cast(Prioritized[object], item).callback if isinstance(item, Prioritized) else item


def _prioritized_argument(item: ast.expr, namespace: dict[str, Any]) -> ast.expr | None:
    """``x`` of an item ``Prioritized(x, p)``, where the plugin reports on it."""
    if not isinstance(item, ast.Call):
        return None
    func = item.func.value if isinstance(item.func, ast.Subscript) else item.func
    if not (isinstance(func, ast.Name) and namespace.get(func.id) is Prioritized):
        return None
    if item.args:
        return item.args[0]
    return _keyword(item, "callback")


def _kind(message: str) -> Kind | None:
    return next((kind for kind, reason in _REASONS.items() if reason.search(message)), None)


_ITERABLES: Final = frozenset(
    {"Iterable", "Sequence", "Collection", "list", "tuple", "set", "frozenset", "Iterator"}
)


def _callback_of_shape(annotation: ast.expr) -> tuple[str, bool] | None:
    """``(spec source, many)`` for an annotation ``CallbackOf[S]`` (also ``| None``,
    ``Optional[...]``) or an iterable of them; None for another annotation."""
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        return _callback_of_shape(annotation.left) or _callback_of_shape(annotation.right)
    if not isinstance(annotation, ast.Subscript):
        return None
    name = _name(annotation.value)
    argument = annotation.slice
    if name == "CallbackOf":
        return ast.unparse(argument), False
    if name == "Optional":
        return _callback_of_shape(argument)
    if name in _ITERABLES:
        first = argument.elts[0] if isinstance(argument, ast.Tuple) else argument
        inner = _callback_of_shape(first)
        return (inner[0], True) if inner is not None and not inner[1] else None
    return None


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _bind(
    call: ast.Call, parameters: list[inspect.Parameter]
) -> dict[str, tuple[list[ast.expr], set[ast.expr]]]:
    """Which argument expressions of ``call`` each parameter receives (and which of them are
    ``*iterables`` whose items it receives)."""
    bound: dict[str, tuple[list[ast.expr], set[ast.expr]]] = {
        p.name: ([], set()) for p in parameters
    }
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    rest = next((p for p in parameters if p.kind is p.VAR_POSITIONAL), None)
    index = 0
    for argument in call.args:
        if isinstance(argument, ast.Starred):
            if rest is not None:
                bound[rest.name][0].append(argument.value)
                bound[rest.name][1].add(argument.value)
            continue
        if index < len(positional):
            bound[positional[index].name][0].append(argument)
            index += 1
        elif rest is not None:
            bound[rest.name][0].append(argument)
    for keyword in call.keywords:
        if keyword.arg is not None and keyword.arg in bound:
            bound[keyword.arg][0].append(keyword.value)
    return bound


# -- the comparison -------------------------------------------------------------------------------


def _disagreements(file: str) -> dict[str, str]:
    """The lines of ``file`` where the plugin and the run time disagree: code → what differs."""
    run = CaseRun(file)
    run.run()
    marked: dict[int, list[str]] = {}
    for expected in expectations(file):
        marked.setdefault(expected.line, []).extend(expected.codes)
    for line, ignored in silenced(file).items():
        marked.setdefault(line, []).extend(ignored)
    found: dict[str, str] = {}
    for line, verdict in sorted(run.verdicts.items()):
        if not verdict.registered:
            continue
        codes = marked.get(line, [])
        problem = _compare(codes, verdict)
        if problem is not None:
            found[_code_of(run.lines[line - 1])] = f"line {line}: {problem}"
    return found


def _compare(codes: list[str], verdict: Verdict) -> str | None:
    if verdict.unexplained:
        return f"refused for a reason this test does not know: {verdict.unexplained}"
    refusals = {code for code in codes if code in REFUSALS}
    if verdict.refused - refusals or bool(refusals) != bool(verdict.refused):
        runtime = sorted(verdict.refused) or "accepts"
        return f"plugin {sorted(refusals) or 'accepts'}, run time {runtime}"
    near_misses = codes.count(NEAR_MISS)
    if not refusals and near_misses != verdict.warnings:
        return f"plugin reports {near_misses} near misses, the run time warns {verdict.warnings}"
    if (CALL_RESULT in codes) != verdict.call_result:
        raised = "raises" if verdict.call_result else "does not raise"
        plugin = "reports" if CALL_RESULT in codes else "accepts"
        return f"plugin {plugin} manager.call, which {raised}"
    return None


def _code_of(line: str) -> str:
    """A line's code, without its comment: how :data:`EXCEPTIONS` names it."""
    return line.split("  #")[0].split(" #")[0].strip()


@pytest.fixture(autouse=True)
def _case_imports() -> Iterator[None]:
    """The case files import their neighbours (``hooks``, ``library``...) by name: importable
    during a test, forgotten after it."""
    before = set(sys.modules)
    sys.path.insert(0, str(CASES_DIR))
    try:
        yield
    finally:
        sys.path.remove(str(CASES_DIR))
        for name in set(sys.modules) - before:
            if Path(getattr(sys.modules[name], "__file__", None) or "/").parent == CASES_DIR:
                del sys.modules[name]


@pytest.mark.parametrize("case", CASE_FILES)
def test_plugin_and_runtime_agree(case: str) -> None:
    found = _disagreements(case)
    listed = {code: reason for (file, code), reason in EXCEPTIONS.items() if file == case}
    unlisted = {code: problem for code, problem in found.items() if code not in listed}
    stale = sorted(code for code in listed if code not in found)
    assert not unlisted, (
        "the plugin and the run time disagree (fix one, or list the case in "
        "EXCEPTIONS with the reason):\n" + "\n".join(f"  {c!r}: {p}" for c, p in unlisted.items())
    )
    assert not stale, f"listed in EXCEPTIONS but they agree now: {stale}"


def test_every_exception_names_a_case_line() -> None:
    """Each documented exception names a line that exists in its case file."""
    for file, code in EXCEPTIONS:
        lines = {_code_of(line) for line in (CASES_DIR / file).read_text().splitlines()}
        assert code in lines, f"{file}: no line reads {code!r}"


def test_the_comparison_sees_registrations() -> None:
    """The comparison is not vacuous: it judges refusals, warnings and lookups of every kind."""
    seen: dict[str, int] = {}
    for case in CASE_FILES:
        run = CaseRun(case)
        run.run()
        for verdict in run.verdicts.values():
            for kind in verdict.refused:
                seen[kind] = seen.get(kind, 0) + 1
            seen[NEAR_MISS] = seen.get(NEAR_MISS, 0) + verdict.warnings
            seen[CALL_RESULT] = seen.get(CALL_RESULT, 0) + verdict.call_result
    assert all(seen.get(code, 0) > 0 for code in (*REFUSALS, NEAR_MISS, CALL_RESULT)), seen
    assert hasattr(protocall, "CallbackOf")
