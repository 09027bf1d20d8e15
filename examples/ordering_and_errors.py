"""Priorities, a reversed teardown hook, `first`, argument subsets and the error policies.

Run: python examples/ordering_and_errors.py
"""

from __future__ import annotations

from typing import Protocol

from protocall import CallbackManager, HookErrorGroup, Prioritized, hookspec


class Hooks(Protocol):
    def on_setup(self) -> None: ...

    @hookspec(reverse=True)
    def on_teardown(self) -> None: ...

    def resolve(self, *, key: str) -> str | None: ...

    def on_step(self, *, step: int, loss: float, lr: float) -> None: ...


class Resource:
    def __init__(self, name: str) -> None:
        self.name = name

    def on_setup(self) -> None:
        print(f"  set up {self.name}")

    def on_teardown(self) -> None:
        print(f"  tear down {self.name}")

    def resolve(self, *, key: str) -> str | None:
        return f"{key} from {self.name}" if key.startswith(self.name[0]) else None


class StepPrinter:
    def on_step(self, *, loss: float) -> None:  # declares only the keyword it needs
        print(f"  step loss {loss}")


class Flaky:
    def on_step(self, *, step: int, loss: float, lr: float) -> None:
        raise RuntimeError(f"flaky at step {step}")


def main() -> None:
    callbacks = CallbackManager(
        Hooks, [Resource("database"), Prioritized(Resource("cache"), 10), Resource("logger")]
    )
    print("call order:", [r.name for r in callbacks.callbacks if isinstance(r, Resource)])
    print("on_setup (priority, then registration order):")
    callbacks.call.on_setup()
    print("on_teardown (reversed):")
    callbacks.call.on_teardown()
    print("first(resolve, key='lookup'):", callbacks.first(Hooks.resolve, key="lookup"))

    collecting = CallbackManager(Hooks, [Flaky(), StepPrinter(), Flaky()], errors="collect")
    print('errors="collect":')
    try:
        collecting.call.on_step(step=1, loss=0.5, lr=0.1)
    except HookErrorGroup as group:
        print(f"  {group.message}")
        for exc in group.exceptions:
            print(f"  - {exc!r}: {exc.__notes__[0]}")

    def log_and_continue(callback: object, hook: str, exc: Exception) -> None:
        print(f"  handler: {type(callback).__name__}.{hook} raised {exc!r}; continuing")

    handled = CallbackManager(Hooks, [Flaky(), StepPrinter()], errors=log_and_continue)
    print("errors=handler:")
    handled.call.on_step(step=2, loss=0.25, lr=0.1)


if __name__ == "__main__":
    main()
