"""The dispatcher of a concurrent ``async`` hook (``@hookspec(concurrent=True)``).

Its implementers run at once, as one :class:`asyncio.TaskGroup`, so its calls cannot be written
out one after another as ``_codegen`` writes them: this one is a plain closure that reads the
hook's snapshot on each call.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ._dispatch import Mode, Who

__all__ = ["concurrent_dispatcher"]


def concurrent_dispatcher(
    mode: Mode, current: Callable[[], tuple[Sequence[Callable[..., Any]], Who]], state: Any
) -> Callable[..., Any]:
    """An ``async`` dispatcher that runs every implementer at once, as one task group.

    ``current()`` gives the snapshot. Under the default policy the first failure cancels the
    others and the task group raises an :class:`ExceptionGroup` of the failures; under a
    recovering policy every implementer runs to the end. Results come in implementer order,
    whatever order they finished in; ``first`` waits for all of them and returns the first
    result, in that order, that is not None.

    A callback that raises :class:`asyncio.CancelledError` itself (not because the dispatch was
    cancelled) does not vanish as a cancelled task would: once the group is done, its
    ``CancelledError`` propagates from the dispatch, never a shorter list of results.
    """
    import asyncio  # here, not at the top: asyncio is slow to import, and only this needs it

    accepts = state.accepts  # (a hook with defaults: see _dispatch.acceptor)

    async def dispatch(*args: Any, **kwargs: Any) -> Any:
        if accepts is not None:
            accepts(*args, **kwargs)
        methods, who = current()
        missing = object()
        results: list[Any] = [missing] * len(methods)
        errors: list[Exception] | None = None
        cancelled: list[BaseException] = []
        failed_at: dict[int, int] = {}

        async def run(index: int, method: Callable[..., Any]) -> None:
            nonlocal errors
            try:
                results[index] = await method(*args, **kwargs)
            except asyncio.CancelledError as exc:
                task = asyncio.current_task()
                if task is not None and task.cancelling():
                    raise  # the dispatch itself is being cancelled
                state.failed_at(exc, who, index)
                cancelled.append(exc)
            except Exception as exc:
                if state.recovering:
                    failed_at[id(exc)] = index
                    errors = state.recover(exc, who, index, errors)
                    return
                state.failed_at(exc, who, index)
                raise

        if methods:
            async with asyncio.TaskGroup() as group:
                for index, method in enumerate(methods):
                    group.create_task(run(index, method))
        if cancelled:
            raise cancelled[0]
        if errors:  # report failures in call order, not in the order they happened

            def call_order(exc: Exception) -> int:
                return failed_at.get(id(exc), len(methods))

            errors.sort(key=call_order)
        done = [r for r in results if r is not missing]
        if mode == "first":
            found = next((r for r in done if r is not None), None)
            state.finish(errors, [] if found is None else [found], who)
            return found
        state.finish(errors, done, who)
        return done if mode == "emit" else None

    return dispatch
