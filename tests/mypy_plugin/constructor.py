"""The constructor's callbacks: each one is checked like ``register(item)``.

More ways to give them (variables, comprehensions, ``*xs``) are in ``callback_sources.py``.
"""

from __future__ import annotations

from typing import assert_type

from hooks import TrainHooks

from protocall import CallbackManager, ErrorPolicy, Prioritized


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


good = CallbackManager(TrainHooks, [Timer(), Timer()])
assert_type(good, CallbackManager[TrainHooks])

bad = CallbackManager(
    TrainHooks,
    [
        Timer(),
        Renamed(),  # E: protocall-signature "Renamed\.summary"
        AsyncStart(),  # E: protocall-async
        Nothing(),  # E: protocall-no-hook "Nothing"
        Timer,  # E: protocall-not-instance
    ],
)
assert_type(bad, CallbackManager[TrainHooks])

as_tuple = CallbackManager(TrainHooks, (Timer(), Nothing()))  # E: protocall-no-hook
by_keyword = CallbackManager(TrainHooks, callbacks=[Nothing()])  # E: protocall-no-hook

prepared = [Timer(), Nothing()]  # a list[object]: the items are read from this assignment
from_a_variable = CallbackManager(TrainHooks, prepared)  # E: protocall-no-hook "Nothing"


class TrainManager(CallbackManager[TrainHooks]):
    """A subclass of the manager is checked the same way."""


sub = TrainManager(TrainHooks, [Nothing()])  # E: protocall-no-hook
sub.register(Renamed())  # E: protocall-signature


# Prioritized(callback, priority) items: the callback is checked as if it stood alone.
ranked = CallbackManager(
    TrainHooks, [Prioritized(Timer(), 5), Timer(), Prioritized(callback=Timer(), priority=-1)]
)
assert_type(ranked, CallbackManager[TrainHooks])
with_policy = CallbackManager(TrainHooks, [Prioritized(Timer(), 1), Timer()], errors="collect")
assert_type(with_policy, CallbackManager[TrainHooks])

ranked_bad = CallbackManager(
    TrainHooks,
    (
        Prioritized(Renamed(), 5),  # E: protocall-signature "Renamed\.summary"
        Prioritized(AsyncStart(), priority=2),  # E: protocall-async
        Prioritized(callback=Nothing(), priority=1),  # E: protocall-no-hook "Nothing"
        Prioritized(Timer, 3),  # E: protocall-not-instance "Timer\(\)"
        Prioritized(  # reported on the callback's line, not here
            Renamed(),  # E: protocall-signature
            priority=4,
        ),
        Prioritized[Renamed](Renamed(), 1),  # E: protocall-signature
    ),
)

made_earlier = Prioritized(Nothing(), 2)
from_variable = CallbackManager(TrainHooks, [made_earlier])  # E: protocall-no-hook "Nothing"


def prioritize(callback: Renamed) -> Prioritized[Renamed]:
    return Prioritized(callback, 1)


from_function = CallbackManager(TrainHooks, [prioritize(Renamed())])  # E: protocall-signature


# The constructor is overloaded: the plugin's errors make mypy's try of the matching overload
# fail, and mypy reports them when it checks the closest overload again. A literal policy is
# `str` to that search, which the plugin's signature hook lets through.
CallbackManager(TrainHooks, [Nothing()], errors="collect")  # E: protocall-no-hook
CallbackManager(TrainHooks, [Nothing()], errors="raise")  # E: protocall-no-hook
CallbackManager(TrainHooks, [Nothing()], errors="ignore")  # E: call-overload
CallbackManager(TrainHooks, [Timer()], errors="ignore")  # E: call-overload
CallbackManager(TrainHooks, [Timer()], errors="collect")
policy: ErrorPolicy = "collect"
CallbackManager(TrainHooks, [Nothing()], errors=policy)  # E: protocall-no-hook
