"""The unchecked manager (``spec=None``): Lightning Fabric 2.6's ``Fabric.call`` semantics.

Any hook name may be called. For each registered callback, in order, the method is looked up
with plain ``getattr`` (so a ``Mock()`` answers every name); a callback without it is skipped;
a non-callable attribute is skipped with a ``UserWarning`` on every call. Positional arguments
pass through; keyword arguments are filtered by the method's signature: a method without
``**kwargs`` gets only the keywords it names, one whose signature cannot be read gets them all.

Unlike Fabric, the lookups are done once per hook name until the registrations change, the
signature is read once per callback and hook, and the filtering is decided once per keyword
shape of the calls (the names, in order), not on every call.

How a call is made (``_codegen._keyed``): the hook's entry makes the calls itself, written out
with each method's own keywords (:meth:`_ByName.written`), for calls of the shape of the call
that read the registrations last (a loop calls a hook with one shape, so nearly every call); it
checks each call's shape first, which costs less than the lookup it saves. A call of any other
shape goes to a dispatcher written for that shape (:meth:`_ByName.plan`), remembered per
snapshot.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from types import MethodType
from typing import TYPE_CHECKING, Any, ClassVar, Final

from ._dispatch import GENERIC_SHAPE, PREFIX, SKIPPED, Who, plain_name
from ._errors import warn_at_caller
from ._hookstate import Plan, Written
from ._strategy import HookOptions
from ._weak import weakly

if TYPE_CHECKING:
    from ._registry import Registration
    from ._validate import Implementation

__all__ = ["UncheckedStrategy"]


class _Entry:
    """One implementer of an unchecked hook: the method, and the keywords it names."""

    __slots__ = ("accepts", "method")

    def __init__(self, method: Callable[..., Any], accepts: tuple[str, ...] | None) -> None:
        self.method: Final = method
        self.accepts: Final = accepts
        """The parameter names of its signature, in order; None when it takes any keyword."""

    def kept(self, keywords: tuple[str, ...]) -> tuple[str, ...]:
        """The keywords of a call that it is passed, in the order Fabric passes them: the
        signature's, or the call's for a method that takes any keyword."""
        accepts = self.accepts
        return keywords if accepts is None else tuple(k for k in accepts if k in keywords)

    def for_keywords(self, keywords: tuple[str, ...]) -> Callable[..., Any]:
        """What to call for a call with these keyword names (passed all of them)."""
        kept = self.kept(keywords)
        return self.method if kept == keywords else _filtering(self.method, kept)


def _filtering(method: Callable[..., Any], kept: tuple[str, ...]) -> Callable[..., Any]:
    """``method``, passed only the ``kept`` keyword arguments of each call."""

    def filtered(*args: Any, **kwargs: Any) -> Any:
        return method(*args, **{keyword: kwargs[keyword] for keyword in kept})

    return filtered


class _ByName:
    """An unchecked hook's implementers: the callbacks that have the method."""

    __slots__ = ("_entries", "who")

    def __init__(self, entries: tuple[_Entry, ...], who: Who) -> None:
        self._entries: Final = entries
        self.who: Final = who

    @property
    def timing(self) -> None:
        """Calls are not timed inline."""
        return None

    def methods(self) -> tuple[Callable[..., Any], ...]:
        return tuple(entry.method for entry in self._entries)

    def plan(self, positional: int, keywords: tuple[str, ...]) -> Plan:
        """Exact calls for this shape: each method is passed the keywords it names.

        Keyword names that cannot be parameter names of generated code get the generic form,
        whose methods filter the keywords themselves.
        """
        entries = self._entries
        if not all(plain_name(keyword) for keyword in keywords):
            return Plan(tuple(entry.for_keywords(keywords) for entry in entries), None)
        given = [f"{PREFIX}p{i}" for i in range(positional)]
        parameters = ", ".join([*given, *(("*", *keywords) if keywords else ())])
        arguments: list[str] = []
        for entry in entries:
            kept = entry.kept(keywords)
            arguments.append(", ".join([*given, *(f"{k}={k}" for k in kept)]))
        return Plan(tuple(entry.method for entry in entries), parameters, tuple(arguments))

    def written(self, positional: int, keywords: tuple[str, ...]) -> Written:
        """The calls of :meth:`methods` that the hook's entry makes itself, for calls of this
        shape (``_codegen._keyed``): the calls of :meth:`plan`, after binding its parameters.

        A method that names its parameters is passed those of ``keywords`` it names, in the
        order of its signature: the same for every call with these keywords, whatever their
        order. A method that takes any keyword is passed them all, in the call's order. So the
        calls serve every call with ``positional`` positional arguments and exactly these
        keywords: in any order, or, when a method takes any keyword, in this order.
        """
        p = PREFIX
        # What the calls depend on besides the shape: which keywords each method takes.
        layout = repr(tuple(entry.accepts for entry in self._entries))
        plan = self.plan(positional, keywords)
        if plan.parameters is None:  # keywords that cannot be names in generated code
            return Written(layout, None, (), ())
        if any(entry.accepts is None for entry in self._entries):
            named = [f"(*{p}kwargs,) == {keywords!r}" if keywords else f"not {p}kwargs"]
        else:
            named = [
                f"{p}len({p}kwargs) == {len(keywords)}" if keywords else f"not {p}kwargs",
                *(f"{keyword!r} in {p}kwargs" for keyword in keywords),
            ]
        given = [f"{p}p{i}" for i in range(positional)]
        condition = [f"{p}len({p}args) == {positional}" if positional else f"not {p}args", *named]
        bindings = [f"{', '.join(given)}, = {p}args"] if given else []
        bindings += [f"{keyword} = {p}kwargs[{keyword!r}]" for keyword in keywords]
        return Written(layout, " and ".join(condition), tuple(bindings), plan.arguments)


def _accepted_keywords(method: Callable[..., Any]) -> tuple[str, ...] | None:
    """The keyword names Fabric would pass ``method``: its parameters' (None: all)."""
    import inspect

    try:
        signature = inspect.signature(method)
    except (ValueError, TypeError):
        return None
    parameters = signature.parameters.values()
    if any(p.kind is p.VAR_KEYWORD for p in parameters):
        return None
    return tuple(p.name for p in parameters)


def _skipper(callback: object, name: str) -> Callable[..., Any]:
    """Stands in for a non-callable attribute: warns on each call, as Fabric does."""
    message = (
        f"Skipping the callback `{type(callback).__name__}.{name}` because it is not callable."
    )

    def skip(*args: object, **kwargs: object) -> object:
        warn_at_caller(message, UserWarning)
        return SKIPPED

    return skip


def _looked_up_per_call(callback: object, name: str) -> Callable[..., Any]:
    """Stands in for an attribute whose lookup raised: looks it up on each call, as Fabric does,
    so the error comes when the dispatch reaches this callback (after the earlier ones ran)."""

    def call(*args: object, **kwargs: Any) -> object:
        method = getattr(callback, name, None)
        if method is None:
            return SKIPPED
        if not callable(method):
            return _skipper(callback, name)()
        entry = _Entry(method, _accepted_keywords(method))
        return entry.for_keywords(tuple(kwargs))(*args, **kwargs)

    return call


class UncheckedStrategy:
    """A manager without a spec: every name is a hook, looked up on each callback by name."""

    __slots__ = ()

    checked: ClassVar[bool] = False

    def implement(self, callback: object) -> None:
        return None

    def warn(self, callback: object, implementation: Implementation | None) -> None:
        return None

    def hook_name(self, hook: object) -> str:
        if isinstance(hook, str):
            return hook
        name: object = getattr(hook, "__name__", None)
        if callable(hook) and isinstance(name, str):
            return name
        raise TypeError(f"a hook is given as its name (a str) or a method, not {hook!r}")

    def options(self, name: str, mode: str) -> HookOptions:
        return HookOptions(
            label=repr(name), shape=GENERIC_SHAPE, is_async=False, concurrent=False, planned=True
        )

    def implementers(self, name: str, registrations: Sequence[Registration]) -> _ByName:
        entries: list[_Entry] = []
        callbacks: list[object] = []
        skipped: list[int] = []
        per_call = False
        for registration in registrations:
            callback = registration.callback
            if callback is None:
                continue  # weakly registered, and collected
            try:
                method = getattr(callback, name, None)
            except Exception:  # noqa: BLE001  # as Fabric does: raise when the call reaches it
                entries.append(_Entry(_looked_up_per_call(callback, name), None))
                callbacks.append(callback)
                per_call = True
                continue
            if method is None:
                continue
            weak = registration.weak
            if callable(method):
                accepts = _accepted_keywords(method)
                if (
                    weak is not None
                    and isinstance(method, MethodType)
                    and method.__self__ is callback
                ):
                    method = weakly(method.__func__, weak, frozenset(), is_async=False)
                    per_call = True  # it may find its callback gone
                entries.append(_Entry(method, accepts))
            else:
                skipped.append(len(entries))
                entries.append(_Entry(_skipper(callback, name), None))
            callbacks.append(registration.entry)
        who = Who(tuple(callbacks), skipped=frozenset(skipped), may_skip=per_call)
        return _ByName(tuple(entries), who)

    def touched(self, registrations: Iterable[Registration]) -> set[str] | None:
        return None  # any name may be a hook
