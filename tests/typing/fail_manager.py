"""Constructing a manager and passing it around: the spec is part of the manager's type."""

from __future__ import annotations

from typing import Protocol

from protocall import CallbackManager


class OnTrainStart(Protocol):
    def on_train_start(self, *, epochs: int) -> None: ...


class TrainHooks(OnTrainStart, Protocol):
    """The training loop's hooks."""


class OnRequest(Protocol):
    def on_request(self, *, url: str) -> None: ...


class CrawlHooks(OnRequest, Protocol):
    """Another library's hooks."""


class Timer(OnTrainStart):
    def on_train_start(self, *, epochs: int) -> None: ...


def crawl(callbacks: CallbackManager[CrawlHooks]) -> None: ...


manager = CallbackManager(TrainHooks, [Timer()])
crawl(manager)  # E: the manager of another spec
other: CallbackManager[CrawlHooks] = CallbackManager(TrainHooks)  # E: the manager of another spec
CallbackManager(TrainHooks, Timer())  # E: one callback where an iterable of them is expected
CallbackManager(TrainHooks, 3)  # E: callbacks must be iterable
CallbackManager()  # E: the spec (or None) is required
CallbackManager(TrainHooks, [Timer()], [Timer()])  # E: too many arguments
manager.register()  # E: nothing to register
CallbackManager(TrainHooks, [Timer()], errors="ignore")  # E: not an error policy
manager.first(CrawlHooks.on_request, url="x")  # E: a method of another spec
