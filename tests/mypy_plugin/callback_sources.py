"""Callbacks given other than as a list display: variables, comprehensions, ``*xs``, Optionals.

``[A(), B()]`` stored in a variable is a ``list[object]``, which says nothing of its items; the
plugin reads the items from the variable's last assignment before the use (and the items added
since) and reports at the use, where they are registered.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final, Optional, final

from hooks import TrainHooks

from protocall import CallbackManager, Prioritized


class Timer:
    def on_train_start(self) -> None:
        pass


class Renamed:
    def summary(self, title: str) -> str:
        return title


class Nothing:
    pass


@final
class FinalNothing:
    pass


manager = CallbackManager(TrainHooks)

# A list in a variable.
listed = [Timer(), Renamed()]
CallbackManager(TrainHooks, listed)  # E: protocall-signature "Renamed\.summary"
fine = [Timer(), Timer()]
CallbackManager(TrainHooks, fine)
as_tuple = (Timer(), Nothing())
CallbackManager(TrainHooks, as_tuple)  # E: protocall-no-hook "Nothing"

# Built up before the call: append, insert, extend, +=.
grown: list[object] = []
grown.append(Timer())
grown.append(Nothing())
CallbackManager(TrainHooks, grown)  # E: protocall-no-hook "Nothing"
extended: list[object] = [Timer()]
extended.extend([Renamed()])
extended += [Timer()]
extended.insert(0, Timer)
CallbackManager(TrainHooks, extended)  # E: protocall-signature "Renamed\.summary" # E: protocall-not-instance

# Only the value at the use counts: the last assignment before it, and what was added since.
reused: list[object] = [Nothing()]
reused = [Timer()]
CallbackManager(TrainHooks, reused)
reused.append(Renamed())
CallbackManager(TrainHooks, reused)  # E: protocall-signature


# Comprehensions and generator expressions: their element.
CallbackManager(TrainHooks, [Renamed() for _ in range(2)])  # E: protocall-signature
CallbackManager(TrainHooks, (Nothing() for _ in range(2)))  # E: protocall-no-hook
CallbackManager(TrainHooks, {Timer() for _ in range(2)})
CallbackManager(TrainHooks, [Prioritized(Renamed(), n) for n in range(2)])  # E: protocall-signature

# Unpacking: the items of what is unpacked.
more = [Renamed()]
CallbackManager(TrainHooks, [Timer(), *more])  # E: protocall-signature
CallbackManager(TrainHooks, [*[Nothing()]])  # E: protocall-no-hook
CallbackManager(TrainHooks, [*listed, *fine])  # E: protocall-signature

# Variables of variables, and Prioritized items made earlier.
alias = listed
CallbackManager(TrainHooks, alias)  # E: protocall-signature
ranked = Prioritized(Renamed(), 2)
CallbackManager(TrainHooks, [ranked, Prioritized(Timer(), 1)])  # E: protocall-signature

# A value the statements do not say more of: its declared item type is checked.
ITEMS: Final[tuple[Timer, Renamed]] = (Timer(), Renamed())
CallbackManager(TrainHooks, ITEMS)  # E: protocall-signature


def made() -> Iterator[Renamed]:
    yield Renamed()


CallbackManager(TrainHooks, made())  # E: protocall-signature
CallbackManager(TrainHooks, list(made()))  # inferred as list[object] in the parameter's context


def in_a_function(extra: list[Timer]) -> None:
    local = [Timer(), Nothing()]
    CallbackManager(TrainHooks, local)  # E: protocall-no-hook
    CallbackManager(TrainHooks, extra)
    CallbackManager(TrainHooks, [*extra, *local])  # E: protocall-no-hook
    CallbackManager(TrainHooks, listed)  # E: protocall-signature
    for item in local:
        manager.register(item)  # an object: a loop is not followed


# Optional values: the part that is not None is checked.
maybe: Renamed | None = None


def optional(a: Renamed | None, b: Optional[Timer], c: Nothing | None) -> None:
    manager.register(a)  # E: protocall-signature "Renamed\.summary"
    manager.register(b)
    manager.register(c)  # may be an instance of a subclass of Nothing: see exactness.py
    CallbackManager(TrainHooks, [a, b])  # E: protocall-signature
    CallbackManager(TrainHooks, [Timer() if a is None else a])  # E: protocall-signature


# A conditional expression: each branch.
manager.register(Timer() if maybe is None else Nothing())  # E: protocall-no-hook
manager.register(FinalNothing() if maybe is None else Timer())  # E: protocall-no-hook "FinalNothing"
