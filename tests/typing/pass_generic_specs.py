"""Generic specs (semantics 15): ``CallbackManager(Hooks[int], ...)`` is a
``CallbackManager[Hooks[int]]``, and hooks inherited from generic per-hook Protocols keep their
parameters' types. Spell a hook of a generic spec with its type arguments, ``Hooks[int].on_x``:
a bare ``Hooks.on_x`` is partially unknown to pyright strict (``reportUnknownMemberType``)."""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from typing_extensions import assert_type

from protocall import CallbackManager

X = TypeVar("X")
X_contra = TypeVar("X_contra", contravariant=True)


class OnStep(Protocol[X_contra]):
    def on_step(self, *, batch: X_contra) -> None: ...


class OnPredict(Protocol[X]):
    def on_predict(self, *, batch: X) -> X: ...


class OnStart(Protocol):
    def on_start(self) -> None: ...


class TextHooks(OnStep[str], OnPredict[str], OnStart, Protocol):
    """A spec that fixes the type arguments of its generic hook Protocols."""


text = CallbackManager(TextHooks, [])
assert_type(text, CallbackManager[TextHooks])
text.call.on_step(batch="a")
assert_type(text.emit(TextHooks.on_step, batch="a"), list[None])
assert_type(text.emit(TextHooks.on_predict, batch="a"), list[str])
assert_type(text.first(TextHooks.on_predict, batch="a"), str | None)
assert_type(text.emit(OnPredict[str].on_predict, batch="a"), list[str])


class Hooks(OnStep[X], OnPredict[X], OnStart, Protocol[X]):
    """A generic spec: the library's user chooses the batch type."""


class IntModel:
    def on_step(self, *, batch: int) -> None: ...

    def on_predict(self, *, batch: int) -> int:
        return batch


ints = CallbackManager(Hooks[int], [IntModel()])
assert_type(ints, CallbackManager[Hooks[int]])
assert_type(ints.call, Hooks[int])
ints.call.on_step(batch=1)
ints.call.on_start()
assert_type(ints.emit(Hooks[int].on_step, batch=1), list[None])
assert_type(ints.emit(Hooks[int].on_predict, batch=1), list[int])
assert_type(ints.first(Hooks[int].on_predict, batch=1), int | None)
assert_type(ints.emit(Hooks[int].on_start), list[None])
assert_type(ints.emit("on_predict", batch=1), list[Any])
assert_type(ints.emit(Hooks.on_predict, batch=1), list[int])  # bare: Unknown to pyright and ty


def train(callbacks: CallbackManager[Hooks[int]]) -> list[int]:
    callbacks.call.on_step(batch=0)
    return callbacks.emit(Hooks[int].on_predict, batch=0)


assert_type(train(ints), list[int])
