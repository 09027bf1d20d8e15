"""The object behind ``manager.call``: the hooks as attributes, each a stable dispatcher."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final

from ._strategy import CheckedStrategy

if TYPE_CHECKING:
    from ._core import ManagerCore

__all__ = ["HookCaller"]


class HookCaller:
    """The object behind ``manager.call``: one stable dispatcher per hook, as attributes.

    A dispatcher is made on first access and kept in the instance ``__dict__``, so
    ``manager.call.on_x`` is one dictionary hit. It never needs replacing: it reads the hook's
    current implementers itself, so a caller may also hold it (``on_x = manager.call.on_x``).
    The manager is kept under a dunder name, which no hook can have.

    The class has no ``__slots__`` on purpose: an instance of a plain class keeps its
    attributes the way CPython 3.12+ specialises ``obj.name`` for even when the class defines
    ``__getattr__``, which makes ``manager.call.on_x`` as cheap as reading a local variable
    (a ``__dict__`` declared in ``__slots__`` is not, and costs ~60 ns per call). CPython 3.11
    never specialises attribute reads on a class with ``__getattr__``, which unknown hook names
    need (``UnknownHookError``); there, holding the dispatcher avoids the lookup.
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
        strategy = self.__protocall_manager__._strategy  # pyright: ignore[reportPrivateUsage]
        if isinstance(strategy, CheckedStrategy):
            return sorted(strategy.table.hooks)
        return sorted(self.__protocall_manager__._states)  # pyright: ignore[reportPrivateUsage]

    def __repr__(self) -> str:
        return f"<protocall hook caller of {self.__protocall_manager__!r}>"
