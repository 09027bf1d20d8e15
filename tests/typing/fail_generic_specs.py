"""Generic specs keep their type arguments: a wrong batch type is an error."""

from __future__ import annotations

from typing import Protocol, TypeVar

from protocall import CallbackManager

X = TypeVar("X")
X_contra = TypeVar("X_contra", contravariant=True)


class OnStep(Protocol[X_contra]):
    def on_step(self, *, batch: X_contra) -> None: ...


class OnPredict(Protocol[X]):
    def on_predict(self, *, batch: X) -> X: ...


class TextHooks(OnStep[str], OnPredict[str], Protocol):
    """A spec that fixes the type arguments of its generic hook Protocols."""


class Hooks(OnStep[X], OnPredict[X], Protocol[X]):
    """A generic spec."""


text = CallbackManager(TextHooks, [])
text.call.on_step(batch=1)  # E: the batch is a str
text.emit(TextHooks.on_predict, batch=1)  # E: the batch is a str
wrong: list[int] = text.emit(TextHooks.on_predict, batch="a")  # E: the results are str
ints = CallbackManager(Hooks[int], [])
ints.call.on_step(batch="a")  # E: the batch is an int
ints.emit(Hooks[int].on_predict, batch="a")  # E: the batch is an int
ints.emit(Hooks[str].on_predict, batch="a")  # E: a hook of Hooks[str] on a manager of Hooks[int]
strs: CallbackManager[Hooks[str]] = ints  # E: the manager of another specialisation
