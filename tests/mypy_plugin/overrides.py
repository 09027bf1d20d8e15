"""Each mistake is reported once: mypy's ``[override]`` or the plugin's error, not both.

A callback that subclasses a hook's Protocol is checked by mypy itself where the class is
defined: an incompatible override is mypy's ``[override]`` error there. Registering it does not
report the same mistake again. What mypy's override check lets through, the plugin still reports
at the registration: a renamed positional-or-keyword parameter (python/mypy#6709).
"""

from __future__ import annotations

from hooks import OnEval, OnTrainStart, Summary, TrainHooks

from protocall import CallbackManager

manager = CallbackManager(TrainHooks)


class ExtraParameter(OnTrainStart):
    def on_train_start(self, epoch: int) -> None:  # E: override
        pass


class AsyncOverride(OnTrainStart):
    async def on_train_start(self) -> None:  # E: override
        pass


class SyncOverride(OnEval):
    def on_eval(self, epoch: int) -> float:  # E: override
        return 0.0


class WrongType(Summary):
    def summary(self, name: int) -> str:  # E: override
        return str(name)


class Renamed(Summary):
    def summary(self, title: str) -> str:  # mypy accepts the rename
        return title


class DuckTyped:
    """Not a subclass: mypy has nothing to compare, so the plugin reports."""

    def on_train_start(self, epoch: int) -> None:
        pass


class Inherits(ExtraParameter):
    """The override mypy reported is inherited: still reported once, on the class above."""


manager.register(ExtraParameter())
manager.register(AsyncOverride())
manager.register(SyncOverride())
manager.register(WrongType())
manager.register(Inherits())
manager.register(Renamed())  # E: protocall-signature rename "title" to "name"
manager.register(DuckTyped())  # E: protocall-signature requires the parameter "epoch"
CallbackManager(TrainHooks, [ExtraParameter(), WrongType(), Renamed()])  # E: protocall-signature "Renamed\.summary"
