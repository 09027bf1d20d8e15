"""Duck-typed callbacks that registration would refuse: the plugin reports them statically."""

from __future__ import annotations

from hooks import OnTrainBatchEnd, OnTrainStart, Summary, TrainHooks

from protocall import CallbackManager, Prioritized

manager = CallbackManager(TrainHooks)


class RenamedPositional:
    def summary(self, title: str) -> str:
        return title


class RenamedKeywordOnly:
    def on_train_batch_end(self, *, los: float, output: object) -> None:
        pass


class WrongType:
    def summary(self, name: int) -> str:
        return str(name)


class WrongReturn:
    def summary(self, name: str) -> int:
        return 0


class WrongKeywordType:
    def on_train_batch_end(self, *, loss: int) -> None:
        pass


class ExtraRequired:
    def on_train_start(self, epoch: int) -> None:
        pass


class MissingPositional:
    def on_step(self) -> None:
        pass


class RequiredWhereOptional:
    def on_step(self, step: int, phase: str) -> None:
        pass


class NotCallable:
    on_train_start = 3


class AsyncForSync:
    async def on_train_start(self) -> None:
        pass


class SyncForAsync:
    def on_eval(self, epoch: int) -> float:
        return 0.0


class NoHook:
    def train_start(self) -> None:
        pass


class Misspelled:
    def on_train_bach_end(self, *, loss: float, output: object) -> None:
        pass


class OnlyProtocolDefaults(OnTrainStart, OnTrainBatchEnd):
    """Overrides nothing: methods inherited from a Protocol do not count."""


class SubclassRenamed(Summary):
    """mypy's override check accepts the renamed parameter (python/mypy#6709); the plugin does not."""

    def summary(self, title: str) -> str:
        return title


class OneGoodOneBad:
    def on_train_start(self) -> None:
        pass

    def summary(self, title: str) -> str:
        return title


manager.register(RenamedPositional())  # E: protocall-signature "RenamedPositional\.summary".*"TrainHooks\.summary".*rename "title" to "name".*def summary\(self, name: str\) -> str
manager.register(RenamedKeywordOnly())  # E: protocall-signature requires the parameter "los"
manager.register(WrongType())  # E: protocall-signature parameter "name" accepts "int"
manager.register(WrongReturn())  # E: protocall-signature returns "int"
manager.register(WrongKeywordType())  # E: protocall-signature parameter "loss" accepts "int", but the hook passes "float"
manager.register(ExtraRequired())  # E: protocall-signature requires the parameter "epoch"
manager.register(MissingPositional())  # E: protocall-signature no parameter for the hook's 1st positional parameter
manager.register(RequiredWhereOptional())  # E: protocall-signature "phase" is required
manager.register(NotCallable())  # E: protocall-signature not callable
manager.register(AsyncForSync())  # E: protocall-async "AsyncForSync\.on_train_start".*synchronous.*def on_train_start\(self\) -> None
manager.register(SyncForAsync())  # E: protocall-async "SyncForAsync\.on_eval".*async def on_eval\(self, epoch: int\) -> float
manager.register(NoHook())  # E: protocall-no-hook "NoHook".*"TrainHooks".*"on_train_start"
manager.register(Misspelled())  # E: protocall-no-hook "Misspelled\.on_train_bach_end" looks like a misspelling of "on_train_batch_end"
manager.register(OnlyProtocolDefaults())  # E: protocall-no-hook inherited from a Protocol
manager.register(OneGoodOneBad())  # E: protocall-signature "OneGoodOneBad\.summary"
manager.register(SubclassRenamed())  # E: protocall-signature rename "title" to "name"
manager.register(NoHook)  # E: protocall-not-instance "NoHook\(\)"
manager.register(RenamedPositional(), priority=3)  # E: protocall-signature rename "title" to "name"
manager.register(NoHook(), priority=-2)  # E: protocall-no-hook "NoHook"
manager.register(AsyncForSync(), priority="high")  # E: arg-type # E: protocall-async


class Fits:
    def on_train_start(self) -> None:
        pass


# Prioritized(...) is for the constructor's list: register takes priority= (a TypeError at run
# time), whatever the callback inside.
manager.register(Prioritized(Fits(), 3))  # E: protocall-prioritized Prioritized\(\.\.\.\) is for the constructor's list.*manager\.register\(callback, priority=\.\.\.\)
ranked = Prioritized(NoHook(), 1)
manager.register(ranked)  # E: protocall-prioritized pass the priority to register instead


def either(callback: OneGoodOneBad | NoHook) -> None:
    # Each member of the union is checked; a value typed NoHook may be an instance of a subclass
    # that implements hooks, so only an exact NoHook (see exactness.py) implements none.
    manager.register(callback)  # E: protocall-signature "OneGoodOneBad\.summary"
