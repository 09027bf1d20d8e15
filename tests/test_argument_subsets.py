"""Argument subsets (issue 4, item 3): a callback declares only the keyword-only parameters it needs.

Which of the hook's keyword-only parameters a callback leaves out is decided once, at
registration; dispatch then passes it exactly the ones it declares, whatever the path (``call``,
``emit``, ``first``, async in order or concurrent, the loop form beyond 64 implementers, the
recovering form of the error policies). A callback with ``**kwargs`` gets them all.
Positional-or-keyword parameters cannot be left out (a caller may pass them by position), and a
keyword-only parameter the hook does not have is still an error.
"""

import asyncio
import inspect
from typing import Any, Protocol

import pytest

from protocall import CallbackManager, RegistrationError, hookspec

Seen = list[tuple[str, dict[str, object]]]


class Hooks(Protocol):
    def on_step(self, *, step: int, loss: float, lr: float) -> None: ...

    def on_batch(self, batch: str, *, loss: float, lr: float) -> None: ...

    def score(self, *, step: int, loss: float) -> float | None: ...

    async def on_async_step(self, *, step: int, loss: float) -> None: ...

    @hookspec(concurrent=True)
    async def on_concurrent_step(self, *, step: int, loss: float) -> float: ...

    def on_defaulted(self, *, step: int, verbose: bool = False) -> None: ...


class LossOnly:
    def __init__(self, seen: Seen) -> None:
        self.seen = seen

    def on_step(self, *, loss: float) -> None:
        self.seen.append(("LossOnly", {"loss": loss}))

    def score(self, *, loss: float) -> float | None:
        self.seen.append(("LossOnly", {"loss": loss}))
        return None

    async def on_async_step(self, *, loss: float) -> None:
        self.seen.append(("LossOnly", {"loss": loss}))

    async def on_concurrent_step(self, *, loss: float) -> float:
        self.seen.append(("LossOnly", {"loss": loss}))
        return loss


class StepOnly:
    def __init__(self, seen: Seen) -> None:
        self.seen = seen

    def on_step(self, *, step: int) -> None:
        self.seen.append(("StepOnly", {"step": step}))

    def score(self, *, step: int) -> float | None:
        self.seen.append(("StepOnly", {"step": step}))
        return float(step)

    async def on_async_step(self, *, step: int) -> None:
        self.seen.append(("StepOnly", {"step": step}))

    async def on_concurrent_step(self, *, step: int) -> float:
        self.seen.append(("StepOnly", {"step": step}))
        return float(step)

    def on_defaulted(self, *, step: int) -> None:
        self.seen.append(("StepOnly", {"step": step}))


class Nothing:
    def __init__(self, seen: Seen) -> None:
        self.seen = seen

    def on_step(self) -> None:
        self.seen.append(("Nothing", {}))


class Everything:
    def __init__(self, seen: Seen) -> None:
        self.seen = seen

    def on_step(self, **kwargs: object) -> None:
        self.seen.append(("Everything", kwargs))

    def on_defaulted(self, **kwargs: object) -> None:
        self.seen.append(("Everything", kwargs))


class LossAndRest:
    def __init__(self, seen: Seen) -> None:
        self.seen = seen

    def on_step(self, *, loss: float, **rest: object) -> None:
        self.seen.append(("LossAndRest", {"loss": loss, "rest": rest}))


class BatchAndLr:
    def __init__(self, seen: Seen) -> None:
        self.seen = seen

    def on_batch(self, batch: str, *, lr: float) -> None:
        self.seen.append(("BatchAndLr", {"batch": batch, "lr": lr}))


class BatchOnly:
    def __init__(self, seen: Seen) -> None:
        self.seen = seen

    def on_batch(self, batch: str) -> None:
        self.seen.append(("BatchOnly", {"batch": batch}))


class LossAsPositionalOrKeyword:
    """Declares the hook's keyword-only ``loss`` as an ordinary parameter: it still gets it by name."""

    def __init__(self, seen: Seen) -> None:
        self.seen = seen

    def on_step(self, loss: float) -> None:
        self.seen.append(("LossAsPositionalOrKeyword", {"loss": loss}))


class OwnDefault:
    """Has a keyword-only parameter of its own, with a default: the hook never passes it."""

    def __init__(self, seen: Seen) -> None:
        self.seen = seen

    def on_step(self, *, loss: float, scale: float = 10.0) -> None:
        self.seen.append(("OwnDefault", {"loss": loss, "scale": scale}))


class Full:
    def __init__(self, seen: Seen) -> None:
        self.seen = seen

    def on_step(self, *, step: int, loss: float, lr: float) -> None:
        self.seen.append(("Full", {"step": step, "loss": loss, "lr": lr}))

    def score(self, *, step: int, loss: float) -> float | None:
        self.seen.append(("Full", {"step": step, "loss": loss}))
        return loss

    def on_defaulted(self, *, step: int, verbose: bool = False) -> None:
        self.seen.append(("Full", {"step": step, "verbose": verbose}))


class Fails:
    def __init__(self, seen: Seen) -> None:
        self.seen = seen

    def on_step(self, *, lr: float) -> None:
        self.seen.append(("Fails", {"lr": lr}))
        raise RuntimeError("fails")


# -- what each callback is passed -------------------------------------------------------------


def test_a_callback_gets_only_the_keyword_only_parameters_it_declares() -> None:
    seen: Seen = []
    manager = CallbackManager(Hooks, [LossOnly(seen)])
    manager.call.on_step(step=1, loss=0.5, lr=0.1)
    assert seen == [("LossOnly", {"loss": 0.5})]


def test_a_callback_may_declare_none_of_the_keyword_only_parameters() -> None:
    seen: Seen = []
    manager = CallbackManager(Hooks, [Nothing(seen)])
    manager.call.on_step(step=1, loss=0.5, lr=0.1)
    assert seen == [("Nothing", {})]


def test_each_callback_gets_its_own_subset_in_one_call() -> None:
    seen: Seen = []
    manager = CallbackManager(
        Hooks, [LossOnly(seen), StepOnly(seen), Full(seen), Nothing(seen), OwnDefault(seen)]
    )
    manager.call.on_step(step=3, loss=0.25, lr=0.1)
    assert seen == [
        ("LossOnly", {"loss": 0.25}),
        ("StepOnly", {"step": 3}),
        ("Full", {"step": 3, "loss": 0.25, "lr": 0.1}),
        ("Nothing", {}),
        ("OwnDefault", {"loss": 0.25, "scale": 10.0}),
    ]


def test_a_callback_with_var_keyword_gets_every_keyword() -> None:
    seen: Seen = []
    manager = CallbackManager(Hooks, [Everything(seen)])
    manager.call.on_step(step=1, loss=0.5, lr=0.1)
    assert seen == [("Everything", {"step": 1, "loss": 0.5, "lr": 0.1})]


def test_a_subset_with_var_keyword_gets_the_rest_in_the_var_keyword() -> None:
    seen: Seen = []
    manager = CallbackManager(Hooks, [LossAndRest(seen), LossOnly(seen)])
    manager.call.on_step(step=1, loss=0.5, lr=0.1)
    assert seen == [
        ("LossAndRest", {"loss": 0.5, "rest": {"step": 1, "lr": 0.1}}),
        ("LossOnly", {"loss": 0.5}),
    ]


def test_a_hook_keyword_declared_as_positional_or_keyword_is_passed_by_name() -> None:
    seen: Seen = []
    manager = CallbackManager(Hooks, [LossAsPositionalOrKeyword(seen)])
    manager.call.on_step(step=1, loss=0.5, lr=0.1)
    assert seen == [("LossAsPositionalOrKeyword", {"loss": 0.5})]


def test_a_subset_beside_a_positional_parameter_gets_it_by_position_or_keyword() -> None:
    seen: Seen = []
    manager = CallbackManager(Hooks, [BatchAndLr(seen), BatchOnly(seen)])
    manager.call.on_batch("by-position", loss=0.5, lr=0.1)
    manager.call.on_batch(batch="by-keyword", loss=0.5, lr=0.2)
    assert seen == [
        ("BatchAndLr", {"batch": "by-position", "lr": 0.1}),
        ("BatchOnly", {"batch": "by-position"}),
        ("BatchAndLr", {"batch": "by-keyword", "lr": 0.2}),
        ("BatchOnly", {"batch": "by-keyword"}),
    ]


def test_a_subset_of_a_hook_keyword_with_a_default_is_not_passed_that_keyword() -> None:
    seen: Seen = []
    manager = CallbackManager(Hooks, [StepOnly(seen), Full(seen), Everything(seen)])
    manager.call.on_defaulted(step=1, verbose=True)
    manager.call.on_defaulted(step=2)
    assert seen == [
        ("StepOnly", {"step": 1}),
        ("Full", {"step": 1, "verbose": True}),
        ("Everything", {"step": 1, "verbose": True}),
        ("StepOnly", {"step": 2}),
        ("Full", {"step": 2, "verbose": False}),
        ("Everything", {"step": 2}),
    ]


def test_an_instance_attribute_function_may_declare_a_subset() -> None:
    seen: Seen = []
    callback = Full(seen)

    def on_step(*, lr: float) -> None:
        seen.append(("instance", {"lr": lr}))

    callback.on_step = on_step  # type: ignore[method-assign,assignment]  # pyright: ignore[reportAttributeAccessIssue]
    manager = CallbackManager(Hooks, [callback])
    manager.call.on_step(step=1, loss=0.5, lr=0.1)
    assert seen == [("instance", {"lr": 0.1})]


# -- decided at registration ------------------------------------------------------------------


def test_dispatch_reads_no_signature(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: Seen = []
    manager = CallbackManager(Hooks, [LossOnly(seen), StepOnly(seen), LossAndRest(seen)])

    def no_signature(*args: object, **kwargs: object) -> Any:
        raise AssertionError("inspect.signature called during dispatch")

    monkeypatch.setattr(inspect, "signature", no_signature)
    manager.call.on_step(step=1, loss=0.5, lr=0.1)
    assert manager.emit(Hooks.score, step=2, loss=0.25) == [None, 2.0]
    assert manager.first(Hooks.score, step=3, loss=0.125) == 3.0
    assert len(seen) == 7


# -- through every dispatch path ---------------------------------------------------------------


def test_subsets_through_emit() -> None:
    seen: Seen = []
    manager = CallbackManager(Hooks, [LossOnly(seen), StepOnly(seen), Full(seen)])
    assert manager.emit(Hooks.score, step=4, loss=0.5) == [None, 4.0, 0.5]
    assert manager.emit("score", step=5, loss=0.25) == [None, 5.0, 0.25]
    assert seen == [
        ("LossOnly", {"loss": 0.5}),
        ("StepOnly", {"step": 4}),
        ("Full", {"step": 4, "loss": 0.5}),
        ("LossOnly", {"loss": 0.25}),
        ("StepOnly", {"step": 5}),
        ("Full", {"step": 5, "loss": 0.25}),
    ]


def test_subsets_through_first() -> None:
    seen: Seen = []
    manager = CallbackManager(Hooks, [LossOnly(seen), StepOnly(seen), Full(seen)])
    assert manager.first(Hooks.score, step=4, loss=0.5) == 4.0
    assert seen == [("LossOnly", {"loss": 0.5}), ("StepOnly", {"step": 4})]


def test_subsets_through_an_async_hook() -> None:
    seen: Seen = []
    manager = CallbackManager(Hooks, [LossOnly(seen), StepOnly(seen)])
    asyncio.run(manager.call.on_async_step(step=1, loss=0.5))
    assert asyncio.run(manager.emit(Hooks.on_async_step, step=2, loss=0.25)) == [None, None]
    assert seen == [
        ("LossOnly", {"loss": 0.5}),
        ("StepOnly", {"step": 1}),
        ("LossOnly", {"loss": 0.25}),
        ("StepOnly", {"step": 2}),
    ]


def test_subsets_through_a_concurrent_hook() -> None:
    seen: Seen = []
    manager = CallbackManager(Hooks, [LossOnly(seen), StepOnly(seen)])
    assert asyncio.run(manager.emit(Hooks.on_concurrent_step, step=2, loss=0.5)) == [0.5, 2.0]
    assert sorted(seen) == [("LossOnly", {"loss": 0.5}), ("StepOnly", {"step": 2})]


def test_subsets_through_the_loop_form_beyond_sixty_four_implementers() -> None:
    seen: Seen = []
    kinds = (LossOnly, StepOnly, Full, Nothing, LossAndRest)
    manager = CallbackManager(Hooks, [kinds[i % 5](seen) for i in range(70)])
    manager.call.on_step(step=1, loss=0.5, lr=0.1)
    expected = {
        "LossOnly": {"loss": 0.5},
        "StepOnly": {"step": 1},
        "Full": {"step": 1, "loss": 0.5, "lr": 0.1},
        "Nothing": {},
        "LossAndRest": {"loss": 0.5, "rest": {"step": 1, "lr": 0.1}},
    }
    assert seen == [(kinds[i % 5].__name__, expected[kinds[i % 5].__name__]) for i in range(70)]


def test_subsets_through_emit_and_first_in_the_loop_form() -> None:
    seen: Seen = []
    manager = CallbackManager(Hooks, [LossOnly(seen) for _ in range(70)] + [StepOnly(seen)])
    assert manager.emit(Hooks.score, step=7, loss=0.5) == [None] * 70 + [7.0]
    assert manager.first(Hooks.score, step=8, loss=0.5) == 8.0
    assert seen[-1] == ("StepOnly", {"step": 8})


def test_subsets_under_errors_collect() -> None:
    seen: Seen = []
    manager = CallbackManager(
        Hooks, [Fails(seen), LossOnly(seen), StepOnly(seen)], errors="collect"
    )
    with pytest.raises(ExceptionGroup):
        manager.call.on_step(step=1, loss=0.5, lr=0.1)
    assert seen == [("Fails", {"lr": 0.1}), ("LossOnly", {"loss": 0.5}), ("StepOnly", {"step": 1})]


def test_subsets_under_an_error_handler() -> None:
    seen: Seen = []
    manager = CallbackManager(
        Hooks, [Fails(seen), LossOnly(seen), StepOnly(seen)], errors=lambda cb, hook, exc: None
    )
    manager.call.on_step(step=1, loss=0.5, lr=0.1)
    assert seen == [("Fails", {"lr": 0.1}), ("LossOnly", {"loss": 0.5}), ("StepOnly", {"step": 1})]


def test_subsets_after_unregister_and_re_register() -> None:
    seen: Seen = []
    loss_only = LossOnly(seen)
    manager = CallbackManager(Hooks, [loss_only, StepOnly(seen)])
    manager.unregister(loss_only)
    manager.register(loss_only)
    manager.call.on_step(step=1, loss=0.5, lr=0.1)
    assert seen == [("StepOnly", {"step": 1}), ("LossOnly", {"loss": 0.5})]


# -- what is still refused ----------------------------------------------------------------------


class ExtraKeyword:
    def on_step(self, *, loss: float, extra: int) -> None: ...


class DropsPositional:
    def on_batch(self, *, loss: float) -> None: ...


class RenamesPositional:
    def on_batch(self, data: str, *, loss: float) -> None: ...


class KeywordAsPositionalOnly:
    def on_step(self, loss: float, /) -> None: ...


def test_a_keyword_only_parameter_the_hook_does_not_have_is_refused() -> None:
    manager = CallbackManager(Hooks)
    with pytest.raises(RegistrationError) as info:
        manager.register(ExtraKeyword())
    assert str(info.value) == (
        "cannot register ExtraKeyword: ExtraKeyword.on_step(self, *, loss: float, extra: int) -> "
        "None cannot accept every call of the hook Hooks.on_step: the call on_step(loss=...) "
        "fails (missing 1 required keyword-only argument: 'extra'). Give it the hook's parameters: "
        "def on_step(self, *, step: int, loss: float, lr: float) -> None."
    )
    assert len(manager) == 0


def test_a_dropped_positional_or_keyword_parameter_is_refused() -> None:
    with pytest.raises(RegistrationError) as info:
        CallbackManager(Hooks, [DropsPositional()])
    assert str(info.value) == (
        "cannot register DropsPositional: DropsPositional.on_batch(self, *, loss: float) -> None "
        "cannot accept every call of the hook Hooks.on_batch: the call on_batch(batch=..., "
        "loss=...) fails (got an unexpected keyword argument 'batch'). Give it the hook's "
        "parameters: def on_batch(self, batch: str, *, loss: float, lr: float) -> None."
    )


def test_a_renamed_positional_or_keyword_parameter_is_refused_beside_a_subset() -> None:
    with pytest.raises(RegistrationError) as info:
        CallbackManager(Hooks, [RenamesPositional()])
    assert str(info.value) == (
        "cannot register RenamesPositional: RenamesPositional.on_batch(self, data: str, *, "
        "loss: float) -> None cannot accept every call of the hook Hooks.on_batch: the call "
        "on_batch(batch=..., loss=...) fails (got an unexpected keyword argument 'batch'). Give it the "
        "hook's parameters: def on_batch(self, batch: str, *, loss: float, lr: float) -> None."
    )


def test_a_hook_keyword_declared_positional_only_is_refused() -> None:
    # A positional-only parameter cannot receive the keyword the hook passes.
    message = r"^cannot register KeywordAsPositionalOnly: .* \(.*'loss'.*\)"
    with pytest.raises(RegistrationError, match=message):
        CallbackManager(Hooks, [KeywordAsPositionalOnly()])


def test_a_refused_subset_leaves_the_manager_unchanged() -> None:
    seen: Seen = []
    manager = CallbackManager(Hooks, [LossOnly(seen)])
    with pytest.raises(RegistrationError):
        CallbackManager(Hooks, [StepOnly(seen), ExtraKeyword()])
    with pytest.raises(RegistrationError):
        manager.register(ExtraKeyword())
    manager.call.on_step(step=1, loss=0.5, lr=0.1)
    assert seen == [("LossOnly", {"loss": 0.5})]


# -- unchecked manager ------------------------------------------------------------------------


def test_an_unchecked_manager_passes_each_method_the_keywords_it_names() -> None:
    """As Lightning Fabric 2.6 does: a method without ``**kwargs`` gets only the keywords its
    signature names; one with ``**kwargs`` gets them all."""
    seen: Seen = []
    manager = CallbackManager(None, [Full(seen), Everything(seen)])
    manager.call.on_step(step=1, loss=0.5, lr=0.1)
    assert seen == [
        ("Full", {"step": 1, "loss": 0.5, "lr": 0.1}),
        ("Everything", {"step": 1, "loss": 0.5, "lr": 0.1}),
    ]
    seen.clear()
    manager.register(LossOnly(seen))
    manager.call.on_step(step=2, loss=0.25, lr=0.1)
    assert seen == [
        ("Full", {"step": 2, "loss": 0.25, "lr": 0.1}),
        ("Everything", {"step": 2, "loss": 0.25, "lr": 0.1}),
        ("LossOnly", {"loss": 0.25}),
    ]
