"""What the plugin can know of a value's class, and what it therefore reports.

A value whose static type is a class may at run time be an instance of a subclass, which may
implement hooks that the class does not. So "implements no hook" and "named almost like a hook"
are reported only when the value's class is known exactly: an instance made right there, a
variable last assigned one, a ``@final`` class, a module, a function. A wrong signature of a
member the class does have is reported whatever the value: a subclass inherits that member, or
overrides it compatibly (which mypy checks).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import final

import callback_module
import wrong_module
from hooks import TrainHooks

from protocall import CallbackManager

manager = CallbackManager(TrainHooks)


class Base:
    """A user's base class for callbacks: it implements no hook itself."""

    def reset(self) -> None:
        pass


class Impl(Base):
    def on_train_start(self) -> None:
        pass


class TypoBase:
    def on_train_start(self) -> None:
        pass

    def on_train_bach_end(self) -> None:
        pass


class WrongBase:
    def summary(self, title: str) -> str:
        return title


@final
class Sealed:
    pass


def register_any(callback: Base) -> None:
    manager.register(callback)  # may be an Impl: not known to implement no hook


def register_typo(callback: TypoBase) -> None:
    manager.register(callback)  # a subclass may implement on_train_batch_end


def register_wrong(callback: WrongBase) -> None:
    manager.register(callback)  # E: protocall-signature "WrongBase\.summary"


def register_sealed(callback: Sealed) -> None:
    manager.register(callback)  # E: protocall-no-hook "Sealed"


class Registers(Base):
    def __init__(self) -> None:
        manager.register(self)  # `self` may be an instance of a subclass


manager.register(Base())  # E: protocall-no-hook "Base"
manager.register(TypoBase())  # E: protocall-near-miss "TypoBase\.on_train_bach_end"
made = Base()
manager.register(made)  # E: protocall-no-hook "Base"
manager.register(Impl())
CallbackManager(TrainHooks, [Base(), Impl()])  # E: protocall-no-hook "Base"

# Modules: their functions are the hooks.
manager.register(callback_module)
CallbackManager(TrainHooks, [callback_module])
manager.register(wrong_module)  # E: protocall-signature "wrong_module\.summary".*rename "title" to "name".*"def summary\(name: str\) -> str" # E: protocall-async "wrong_module\.on_train_start"
manager.register(manager)  # E: protocall-no-hook


def no_hooks() -> None:
    pass


def typed_callable(callback: Callable[[], None]) -> None:
    manager.register(callback)  # any callable object: it may have hook methods


manager.register(no_hooks)  # E: protocall-no-hook "function"
manager.register(lambda: None)  # E: protocall-no-hook
manager.register(3)  # E: protocall-no-hook "int"
