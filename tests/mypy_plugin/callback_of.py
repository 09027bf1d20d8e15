"""Arguments for a library's ``CallbackOf[Spec]`` parameters are checked as ``register`` does.

The library (``library.py``) declares ``callbacks: Iterable[CallbackOf[TrainHooks]]``,
``callback: CallbackOf[TrainHooks]``, ``*callbacks: CallbackOf[TrainHooks]``, ``list[...] | None``,
``Optional[CallbackOf[...]]``...: every callback passed there is checked as
``manager.register(callback)`` would check it, with the same codes and messages.
"""

from __future__ import annotations

from typing import Any

from hooks import TrainHooks
from library import Loop, SubTrainer, Trainer, anything, generic_spec, train, train_aliased

from protocall import Prioritized


class Timer:
    def on_train_start(self) -> None:
        pass


class Renamed:
    def summary(self, title: str) -> str:
        return title


class AsyncStart:
    async def on_train_start(self) -> None:
        pass


class Nothing:
    pass


class Typo:
    def on_train_start(self) -> None:
        pass

    def on_train_bach_end(self) -> None:
        pass


trainer = Trainer([Timer(), Timer()])
Trainer(
    [
        Timer(),
        Renamed(),  # E: protocall-signature "Renamed\.summary" cannot accept every call of the hook "TrainHooks\.summary"
        AsyncStart(),  # E: protocall-async
        Nothing(),  # E: protocall-no-hook "Nothing" implements no hook of "TrainHooks"
        Timer,  # E: protocall-not-instance
        Typo(),  # E: protocall-near-miss "Typo\.on_train_bach_end"
        Prioritized(Renamed(), 3),  # E: protocall-signature
    ]
)
Trainer(callbacks=(Nothing(),))  # E: protocall-no-hook
prepared = [Timer(), Renamed()]
Trainer(prepared)  # E: protocall-signature
Trainer([Renamed() for _ in range(2)])  # E: protocall-signature
Trainer([*prepared])  # E: protocall-signature

trainer.add(Timer())
trainer.add(Renamed())  # E: protocall-signature
trainer.add(Nothing(), priority=2)  # E: protocall-no-hook
trainer.add(callback=AsyncStart())  # E: protocall-async
trainer.add_all(Timer(), Renamed(), Nothing())  # E: protocall-signature # E: protocall-no-hook
trainer.add_all(*prepared)  # E: protocall-signature
trainer.replace([Timer(), Nothing()])  # E: protocall-no-hook
trainer.maybe(None)
trainer.maybe()
trainer.maybe(Renamed())  # E: protocall-signature
SubTrainer([Nothing()]).add(Renamed())  # E: protocall-no-hook # E: protocall-signature

train(3)
train(3, [Timer()])
train(3, [Timer(), Nothing()])  # E: protocall-no-hook
train(3, None, Renamed())  # E: protocall-signature
train(3, extra=Timer(), callbacks=[AsyncStart()])  # E: protocall-async

train_aliased([Timer(), Renamed()])  # E: protocall-signature

anything(Nothing(), [Nothing()])  # not CallbackOf parameters

Loop(TrainHooks).add(Timer())
Loop(TrainHooks).add(Renamed())  # E: protocall-signature
generic_spec(TrainHooks, Nothing())  # the spec is a type variable there: not checked


def values_that_say_nothing(a: Any, o: object, items: list[Any]) -> None:
    trainer.add(a)
    trainer.add(o)
    Trainer(items)
    Trainer([a, o])
