"""Async hooks: awaited in order, or run concurrently as one task group.

Run: python examples/async_hooks.py
"""

from __future__ import annotations

import asyncio
import time
from typing import Protocol

from protocall import CallbackManager, hookspec


class Hooks(Protocol):
    async def on_epoch_end(self, *, epoch: int) -> None: ...

    @hookspec(concurrent=True)
    async def on_save(self, *, path: str) -> str: ...


class Uploader:
    def __init__(self, name: str, seconds: float) -> None:
        self.name, self.seconds = name, seconds

    async def on_epoch_end(self, *, epoch: int) -> None:
        print(f"  {self.name}: epoch {epoch} done")

    async def on_save(self, *, path: str) -> str:
        await asyncio.sleep(self.seconds)
        return f"{self.name} saved {path} in {self.seconds:.1f}s"


async def main() -> None:
    callbacks = CallbackManager(Hooks, [Uploader("s3", 0.2), Uploader("disk", 0.1)])
    await callbacks.call.on_epoch_end(epoch=1)
    started = time.perf_counter()
    results = await callbacks.emit(Hooks.on_save, path="ckpt/epoch-1")
    print(f"  concurrent save took {time.perf_counter() - started:.2f}s (not 0.3s):")
    for line in results:
        print(f"  - {line}")


if __name__ == "__main__":
    asyncio.run(main())
