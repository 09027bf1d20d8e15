"""Property: the validation cache never changes what registration decides.

Registration reads the class afresh every time; the one thing it remembers is each hook's
verdict on a function's parameters, keyed by the function's code object and default counts
(``Hook.verdicts``), which cannot go stale. Hypothesis patches a small class hierarchy at random
between registrations (methods added, replaced by ones of the same or another signature, deleted,
set to None, a non-hook attribute added, a method named almost like a hook added, bases swapped,
``__bases__`` of a class swapped, and a function object itself mutated: its defaults dropped or
its code replaced) and, after every step, registers a new instance twice: through the caches (the
verdicts, and the memo of what a namespace's names mean), and with them emptied. Both must
implement the same hooks, dispatch to the same functions and warn of the same misspellings, or
refuse with the same message.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Generator
from contextlib import contextmanager
from types import FunctionType
from typing import Protocol

from hypothesis import given
from hypothesis import strategies as st

from protocall import CallbackManager, RegistrationError
from protocall._spec import hook_table

HOOKS = ("on_a", "on_b", "on_c")


class Spec(Protocol):
    def on_a(self) -> object: ...

    def on_b(self) -> object: ...

    def on_c(self) -> object: ...


class Tokens:
    """Hands out functions that return a token of their own, so results name the function."""

    def __init__(self) -> None:
        self.count = 0

    def method(self, *, accepts_the_call: bool = True) -> Callable[..., object]:
        self.count += 1
        token = f"f{self.count}"
        if accepts_the_call:

            def method(self: object, optional: int = 0) -> object:
                return token

            return method

        def refuses(self: object, required: int) -> object:  # the hook passes no argument
            return token

        return refuses


def base_on_a(self: object) -> object:
    return "base"


def hierarchy() -> dict[str, type]:
    """Two bases, a class derived from the first, and one derived from the Protocol too."""
    base: type = type("Base", (), {"on_a": base_on_a})
    other: type = type("Other", (), {})
    derived: type = type("Derived", (base,), {})
    typed: type = type("Typed", (derived, Spec), {})
    return {"Base": base, "Other": other, "Derived": derived, "Typed": typed}


Step = tuple[str, str, str]
"""(what, class name, hook name)."""

steps = st.tuples(
    st.sampled_from(
        [
            "set",
            "refusing",
            "delete",
            "none",
            "extra",
            "misspelt",
            "rebase",
            "no_defaults",
            "new_code",
        ]
    ),
    st.sampled_from(["Base", "Other", "Derived", "Typed"]),
    st.sampled_from(HOOKS),
)


def apply(step: Step, classes: dict[str, type], tokens: Tokens) -> None:
    what, name, hook = step
    cls = classes[name]
    if what == "set":
        setattr(cls, hook, tokens.method())
    elif what == "refusing":
        setattr(cls, hook, tokens.method(accepts_the_call=False))
    elif what == "delete" and hook in vars(cls):
        delattr(cls, hook)
    elif what == "none":
        setattr(cls, hook, None)
    elif what == "extra":
        tokens.count += 1
        setattr(cls, f"helper_{tokens.count}", tokens.count)
    elif what == "misspelt":  # a namespace of the same size, a name close to the hook's
        setattr(cls, f"{hook}_", tokens.method())
    elif what == "no_defaults" and isinstance(function := vars(cls).get(hook), FunctionType):
        function.__defaults__ = None  # the same function object now requires `optional`
    elif (
        what == "new_code"
        and isinstance(function := vars(cls).get(hook), FunctionType)
        and function.__closure__ is not None  # (the token functions; their code has one free var)
    ):
        other = tokens.method(accepts_the_call=function.__defaults__ is None)
        function.__code__ = other.__code__  # the same function object, another signature
    elif what == "rebase" and name == "Derived":
        base, other = classes["Base"], classes["Other"]
        cls.__bases__ = (other,) if cls.__bases__ == (base,) else (base,)


def outcome(cls: type) -> object:
    """What registering a new instance of ``cls`` decides: its hooks and results, or the refusal."""
    callback = cls()
    manager = CallbackManager(Spec)
    with warnings.catch_warnings(record=True) as warned:
        warnings.simplefilter("always")
        try:
            manager.register(callback)
        except RegistrationError as error:
            return ("refused", str(error))
    return (
        manager.hooks_of(callback),
        tuple(tuple(manager.emit(hook)) for hook in HOOKS),
        sorted(str(warning.message) for warning in warned),
    )


@contextmanager
def empty_cache() -> Generator[None]:
    """Registration as from scratch: every verdict of the spec's hooks, and the memo of what
    namespaces' names mean, forgotten meanwhile."""
    table = hook_table(Spec)
    hooks = table.hooks.values()
    kept = [dict(hook.verdicts) for hook in hooks]
    names = dict(table.names_memo)
    for hook in hooks:
        hook.verdicts.clear()
    table.names_memo.clear()
    try:
        yield
    finally:
        for hook, verdicts in zip(hooks, kept, strict=True):
            hook.verdicts.clear()
            hook.verdicts.update(verdicts)
        table.names_memo.clear()
        table.names_memo.update(names)


@given(st.lists(steps, max_size=25))
def test_the_cached_decision_is_the_decision_made_from_scratch(sequence: list[Step]) -> None:
    classes = hierarchy()
    tokens = Tokens()
    for cls in classes.values():
        outcome(cls)  # every class is known from the start
    for step in sequence:
        apply(step, classes, tokens)
        for cls in classes.values():
            cached = outcome(cls)
            with empty_cache():
                fresh = outcome(cls)
            assert cached == fresh, f"{cls.__name__} after {step}"
