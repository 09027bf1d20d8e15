"""Callbacks that installed distributions advertise under an entry-point group.

A library lets third-party packages add callbacks without the user naming them, as pytest
finds its plugins and Lightning its external callbacks: a package declares, in its metadata,

    [project.entry-points."mytrainer.callbacks"]
    timer = "mypkg.callbacks:Timer"

and ``manager.load_entry_points("mytrainer.callbacks")`` registers what each entry point names.
:func:`entry_point_callbacks` does the loading; the manager registers the result, all or none.

The order is deterministic (by distribution, then entry-point name), not the order in which
``sys.path`` happens to list the distributions, so that call order does not change from one
installation to another. A broken entry point is an error naming the distribution and the entry
point, never skipped: a callback that silently does not load is the bug protocall exists to end.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Mapping, Set
from typing import TYPE_CHECKING, Final, TypeGuard, cast

from ._errors import RegistrationError

if TYPE_CHECKING:
    from importlib.metadata import EntryPoint

__all__ = ["entry_point_callbacks"]

_SEPARATORS: Final = re.compile(r"[-_.]+")


def _normalized(name: str) -> str:
    """A distribution name as the packaging specs compare them (PEP 503): ``My_Dist`` is
    ``my-dist``."""
    return _SEPARATORS.sub("-", name).lower()


def _is_factory(target: object) -> TypeGuard[Callable[[], object]]:
    """Is ``target`` a function to call for callbacks, rather than a callback itself?

    Functions, methods and ``functools.partial`` objects are factories; any other callable
    object is taken as a callback instance, since a callback may well define ``__call__``.
    """
    import inspect  # only when entry points are loaded: importing protocall stays cheap

    return inspect.isroutine(target) or isinstance(target, functools.partial)


def _not_a_callback(value: object) -> str | None:
    """Why ``value`` cannot be a callback a factory returned, or None if it may be one.

    Whether it fits the spec is the manager's business (it validates every callback); this
    catches what is certainly a mistake in the factory: nothing, a class, a collection.
    """
    if value is None:
        return "None"
    if isinstance(value, type):
        return f"the class {value.__qualname__} (return an instance: {value.__qualname__}())"
    if isinstance(value, (str, bytes, list, tuple, Iterator, Set, Mapping)):
        return f"{type(cast(object, value)).__qualname__} {value!r:.60}"
    return None


def _callbacks(target: object, describe: str) -> list[object]:
    """The callbacks that the loaded object ``target`` stands for."""
    if isinstance(target, type):
        try:
            return [target()]
        except Exception as exc:
            raise RegistrationError(
                f"{describe}: instantiating the class {target.__qualname__} with no arguments "
                f"raised {type(exc).__name__}: {exc}"
            ) from exc
    if not _is_factory(target):
        return [target]  # an instance
    name = getattr(target, "__qualname__", repr(target))
    try:
        made = target()
    except Exception as exc:
        raise RegistrationError(
            f"{describe}: calling the factory {name}() raised {type(exc).__name__}: {exc}"
        ) from exc
    if isinstance(made, (list, tuple)):
        items = list(cast("list[object] | tuple[object, ...]", made))
    else:
        items = [made]
    for item in items:
        problem = _not_a_callback(item)
        if problem is not None:
            raise RegistrationError(
                f"{describe}: the factory {name}() returned {problem}, not a callback or a list "
                f"of callbacks"
            )
    return items


def entry_point_callbacks(group: str) -> list[tuple[object, str]]:
    """The callbacks that installed distributions advertise under the entry-point ``group``.

    Each entry point names a callback class (instantiated with no arguments), a callback
    instance (used as it is), or a factory function (called with no arguments; it returns one
    callback or a list or tuple of them). Returns ``(callback, "<distribution> <entry point>")``
    pairs, ordered by distribution name (normalized, then as spelt), then entry-point name; a
    distribution found twice on ``sys.path`` counts once (the first found, as Python imports it).

    Raises :class:`~protocall.RegistrationError` naming the distribution, the entry point and
    the cause (chained) if an entry point cannot be imported, its class instantiated or its
    factory called, or the factory returns what cannot be a callback (None, a class, a
    collection other than a list or tuple). Whether the callbacks fit the spec is for the
    manager to decide when it registers them.
    """
    import importlib.metadata  # slow to import: only when entry points are loaded

    found: list[tuple[str, str, str, EntryPoint]] = []
    for entry_point in importlib.metadata.entry_points(group=group):
        dist = entry_point.dist
        dist_name = dist.name if dist is not None else "<unknown distribution>"
        found.append((_normalized(dist_name), dist_name, entry_point.name, entry_point))
    found.sort(key=lambda item: item[:3])
    pairs: list[tuple[object, str]] = []
    for _, dist_name, name, entry_point in found:
        description = f"{dist_name} {name}"
        version = entry_point.dist.version if entry_point.dist is not None else "?"
        describe = (
            f"cannot load the callbacks of the entry point {name} = {entry_point.value} "
            f"(group {group!r}) of the distribution {dist_name} {version}"
        )
        try:
            target = entry_point.load()
        except Exception as exc:
            raise RegistrationError(
                f"{describe}: loading it raised {type(exc).__name__}: {exc}"
            ) from exc
        pairs.extend((callback, description) for callback in _callbacks(target, describe))
    return pairs
