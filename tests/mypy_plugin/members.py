"""Members that are not plain methods, specs with overloads, generics and ``*args``/``**kwargs``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar, assert_type, overload

from protocall import CallbackManager, hookspec

T = TypeVar("T")


class Values(Protocol[T]):
    def on_value(self, value: T) -> T: ...


class IntValues:
    def on_value(self, value: int) -> int:
        return value


class StrValues:
    def on_value(self, value: str) -> str:
        return value


class Passthrough(Generic[T]):
    def on_value(self, value: T) -> T:
        return value


values = CallbackManager(Values[int], [IntValues(), Passthrough[int]()])
assert_type(values.emit("on_value", 3), list[int])
assert_type(values.first("on_value", 3), int | None)
values.register(StrValues())  # E: protocall-signature accepts "str", but the hook passes "int"
values.emit("on_value", "three")  # E: arg-type


class Varied(Protocol):
    @hookspec(reverse=True)
    def on_decorated(self, a: int) -> None: ...

    @overload
    def on_overloaded(self, a: int) -> int: ...
    @overload
    def on_overloaded(self, a: str) -> str: ...

    def on_anything(self, *args: int, **kwargs: str) -> None: ...

    async def on_async(self) -> None: ...


class Members:
    """A static method, a callable attribute, an optional callable, a property."""

    @staticmethod
    def on_decorated(a: int) -> None:
        pass

    on_anything: Callable[..., None] | None = None

    def __init__(self) -> None:
        self.on_overloaded: Callable[..., Any] = lambda a: a

    @property
    def on_async(self) -> Callable[[], Any]:
        return lambda: None


class OverloadedImplementation:
    @overload
    def on_overloaded(self, a: int) -> int: ...
    @overload
    def on_overloaded(self, a: str) -> str: ...
    def on_overloaded(self, a: int | str) -> int | str:
        return a


class OverloadTooNarrow:
    def on_overloaded(self, a: int) -> int:
        return a


class NoStarArgs:
    def on_anything(self, **kwargs: str) -> None:
        pass


class NoStarKwargs:
    def on_anything(self, *args: int) -> None:
        pass


class OnlyNone:
    on_decorated = None
    on_anything: None = None


class PositionalOnlyAttribute:
    """``Callable[[int], None]`` takes its argument by position only; callers may pass ``a=``."""

    def __init__(self) -> None:
        self.on_decorated: Callable[[int], None] = lambda a: None


class RenamedDecorated:
    def on_decorated(self, b: int) -> None:
        pass


varied = CallbackManager(Varied, [Members(), OverloadedImplementation()])
assert_type(varied.emit("on_overloaded", 1), list[int])
assert_type(varied.emit("on_overloaded", "one"), list[str])
assert_type(varied.first("on_overloaded", "one"), str | None)
varied.first("on_overloaded", 1.5)  # E: call-overload
assert_type(varied.emit("on_decorated", a=1), list[None])
assert_type(varied.emit("on_anything", 1, 2, key="value"), list[None])
varied.emit("on_anything", "one")  # E: arg-type
varied.emit("on_overloaded", 1.5)  # E: call-overload
varied.register(OverloadTooNarrow())  # E: protocall-signature "OverloadTooNarrow\.on_overloaded".*overload "def on_overloaded\(self, a: str\) -> str", its parameter "a" accepts "int"
varied.register(NoStarArgs())  # E: protocall-signature no \*args
varied.register(NoStarKwargs())  # E: protocall-signature no \*\*kwargs
varied.register(OnlyNone())  # E: protocall-no-hook
varied.register(RenamedDecorated())  # E: protocall-signature rename "b" to "a"
varied.register(PositionalOnlyAttribute())  # E: protocall-signature positional-only.*"a"
