"""The object behind ``manager.call``: the hooks as attributes, each a stable dispatcher."""

from __future__ import annotations

from collections.abc import Callable
from keyword import iskeyword
from typing import TYPE_CHECKING, Any, Final

from ._strategy import CheckedStrategy

if TYPE_CHECKING:
    from ._core import ManagerCore

__all__ = ["HookCaller"]


class HookCaller:
    """The object behind ``manager.call``: one stable dispatcher per hook, as attributes.

    A dispatcher is made on first access and kept as an instance attribute, so
    ``manager.call.on_x`` is one attribute read. It never needs replacing: it reads the hook's
    current implementers itself, so a caller may also hold it (``on_x = manager.call.on_x``).
    The manager is kept under a dunder name, which no hook can have.

    The class has no ``__slots__`` and never reads an instance's ``__dict__``, on purpose: so
    its instances keep their attributes inline, which CPython 3.12+ reads ``obj.name`` from
    with a specialised instruction even though the class defines ``__getattr__``, and
    ``manager.call.on_x`` costs what reading a local variable does. (``__slots__`` loses that
    on 3.13, reading ``__dict__`` on 3.12: ~60 ns more per call.) CPython 3.11 never
    specialises attribute reads on a class with ``__getattr__``, which unknown hook names need
    (``UnknownHookError``); there, holding the dispatcher avoids the lookup.
    """

    def __init__(self, manager: ManagerCore) -> None:
        self.__protocall_manager__: Final = manager

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        dispatcher = self.__protocall_manager__._dispatcher(name, "call")  # pyright: ignore[reportPrivateUsage]
        # setattr, not self.__dict__: reading __dict__ would make 3.12 give up the fast layout
        setattr(self, name, dispatcher)
        return dispatcher

    def __call__(self, *args: object, **kwargs: object) -> None:
        name = repr(args[0]) if args and isinstance(args[0], str) else "'name'"
        raise TypeError(
            f"manager.call is not callable: call a hook as an attribute, manager.call.<hook>(...), "
            f'or by its name with manager.emit({name}, ...) (Fabric\'s call("name", ...))'
        )

    def __dir__(self) -> list[str]:
        """The hooks ``manager.call`` can call: of a spec, those that return nothing (the
        others raise ``TypeError`` when looked up); of an unchecked manager, the hooks called
        so far that are written as attributes."""
        manager = self.__protocall_manager__
        strategy = manager._strategy  # pyright: ignore[reportPrivateUsage]
        if isinstance(strategy, CheckedStrategy):
            hooks = strategy.table.hooks
            return sorted(name for name, hook in hooks.items() if not hook.returns_value)
        return sorted(
            name
            for name in list(manager._states)  # pyright: ignore[reportPrivateUsage]
            if name.isidentifier()
            and not iskeyword(name)
            and not (name.startswith("__") and name.endswith("__"))
        )

    def __reduce__(self) -> tuple[Callable[[object, str], object], tuple[object, str]]:
        """Copied or pickled as "the ``call`` of its manager": a deep copy or a pickle of an
        object that holds ``manager.call`` holds the copied manager's, never dispatchers that
        call the original's callbacks."""
        return getattr, (self.__protocall_manager__, "call")

    def __repr__(self) -> str:
        return f"<protocall hook caller of {self.__protocall_manager__!r}>"
