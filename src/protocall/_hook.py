"""One hook of a spec: its signatures, its options, and what registration remembers about it.

``_spec`` reads a spec into a table of :class:`Hook` records; :func:`hookspec` is the decorator
that sets a hook's options on the spec method.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from types import CodeType, FunctionType
from typing import TYPE_CHECKING, Any, Final, TypeVar

from ._dispatch import GENERIC_SHAPE, Shape, acceptor, shape_of
from ._signatures import Mirror

if TYPE_CHECKING:
    import inspect

__all__ = ["OPTIONS", "Hook", "HookspecOptions", "as_written", "hookspec", "returns_value"]

F = TypeVar("F", bound=Callable[..., Any])

OPTIONS: Final = "__protocall_hookspec__"
"""The attribute where :func:`hookspec` leaves its options on a spec function."""


class HookspecOptions:
    """What :func:`hookspec` sets on a spec function."""

    __slots__ = ("concurrent", "reverse")

    def __init__(self, *, reverse: bool = False, concurrent: bool = False) -> None:
        self.reverse: Final = reverse
        self.concurrent: Final = concurrent


def hookspec(*, reverse: bool = False, concurrent: bool = False) -> Callable[[F], F]:
    """Options for one hook, as a decorator on the spec method.

    ``reverse=True`` calls the implementers in reverse order, the way nested context managers
    exit: for teardown hooks such as ``on_train_end``, so the callback set up first is torn down
    last. ``concurrent=True`` (``async def`` hooks only) runs the implementers concurrently as one
    :class:`asyncio.TaskGroup`; their failures come back as an :class:`ExceptionGroup`.

    The decorator returns the function unchanged (type checkers see the same method).
    """

    def mark(function: F) -> F:
        setattr(function, OPTIONS, HookspecOptions(reverse=reverse, concurrent=concurrent))
        return function

    return mark


class Hook:
    """One hook of a spec: what registration validates against and dispatch forwards."""

    __slots__ = (
        "accepts",
        "concurrent",
        "functions",
        "is_async",
        "mirror",
        "name",
        "returns_value",
        "reverse",
        "shape",
        "signature",
        "signatures",
        "spec_name",
        "verdicts",
    )

    def __init__(
        self,
        *,
        name: str,
        signatures: tuple[inspect.Signature, ...],
        overloaded: bool,
        is_async: bool,
        spec_name: str,
        reverse: bool,
        concurrent: bool,
        functions: tuple[FunctionType, ...],
    ) -> None:
        self.name: Final = name
        self.signatures: Final = signatures
        """The hook's signatures without ``self`` (several for a hook declared by ``@overload``
        only): the calls that every implementer must accept."""
        self.signature: Final = signatures[0]
        """The first of them, as messages show the hook."""
        self.returns_value: Final = any(returns_value(s) for s in signatures)
        """Declared with a return type other than None: ``call`` would discard its results."""
        self.shape: Final[Shape] = GENERIC_SHAPE if overloaded else shape_of(self.signature)
        self.accepts: Final = (
            acceptor(self.signature, f"{spec_name}.{name}") if self.shape.checks else None
        )
        """For a hook with defaults, what its dispatchers call first to check a call."""
        """How its dispatchers take and forward arguments."""
        self.verdicts: Final[
            dict[
                int, tuple[CodeType, tuple[Any, ...] | None, tuple[str, ...] | None, frozenset[str]]
            ]
        ] = {}
        """Per ``id`` of a function's code object: the code, the function's defaults and the
        names of its keyword defaults, and the keywords that accepted implementation leaves out
        (see ``_validate``). A verdict about one code object and this hook cannot go stale."""
        self.is_async: Final = is_async
        self.spec_name: Final = spec_name
        """The qualified name of the spec the hook was read from, for messages."""
        self.reverse: Final = reverse
        """Implementers are called in reverse order (``@hookspec(reverse=True)``)."""
        self.concurrent: Final = concurrent
        """Implementers run concurrently as one task group (``@hookspec(concurrent=True)``)."""
        self.functions: Final = tuple(weakref.ref(f) for f in functions)
        """The spec function and any same-named functions of the Protocols it extends: each
        of them names this hook when passed to ``emit``. Held weakly: a function refers to its
        module's globals, hence to the spec, and the table cache must not keep the spec alive."""
        self.mirror: Final = None if overloaded else Mirror.of(functions[0])
        """The spec function's parameter layout, for registration's fast path."""

    @property
    def return_annotation(self) -> str:
        """The declared return type, as written (for messages)."""
        import inspect

        annotation = self.signature.return_annotation
        return annotation if isinstance(annotation, str) else inspect.formatannotation(annotation)

    @property
    def label(self) -> str:
        """``Spec.hook``, as messages name the hook."""
        return f"{self.spec_name}.{self.name}"

    def describe(self) -> str:
        """``[async ]def hook(self, <params>)``, as a fix in a message shows it."""
        import inspect

        parameters = list(self.signature.parameters.values())
        positional_only = any(p.kind is p.POSITIONAL_ONLY for p in parameters)
        self_parameter = inspect.Parameter(
            "self",
            inspect.Parameter.POSITIONAL_ONLY
            if positional_only
            else inspect.Parameter.POSITIONAL_OR_KEYWORD,
        )
        shown = as_written(self.signature.replace(parameters=[self_parameter, *parameters]))
        return ("async " if self.is_async else "") + f"def {self.name}{shown}"


class _Written:
    """An annotation kept as a string (``from __future__ import annotations``), shown unquoted."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


def _as_written(annotation: object) -> object:
    return _Written(annotation) if isinstance(annotation, str) else annotation


def as_written(signature: inspect.Signature) -> inspect.Signature:
    """``signature`` with string annotations shown unquoted, as they were written."""
    return signature.replace(
        parameters=[
            p.replace(annotation=_as_written(p.annotation)) for p in signature.parameters.values()
        ],
        return_annotation=_as_written(signature.return_annotation),
    )


def returns_value(signature: inspect.Signature) -> bool:
    """Is the signature's return annotation something other than None (or absent)?"""
    annotation = signature.return_annotation
    return annotation not in (signature.empty, None, type(None), "None")
