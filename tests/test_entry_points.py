"""Callbacks advertised by installed distributions under an entry-point group (semantics 18).

An entry point names a callback class (instantiated with no arguments), an instance (used as
it is) or a factory function (called; it returns a callback or a list or tuple of them). They
come in a fixed order, by distribution name (normalized, then as spelt), then entry-point name,
whatever the order of ``sys.path``. A broken entry point is a ``RegistrationError`` naming the
distribution, the entry point and the cause; ``manager.load_entry_points(group)`` then registers
nothing.

Each test builds its distributions (``<name>-<version>.dist-info`` with ``METADATA`` and
``entry_points.txt``, beside the modules they point at) in a temporary directory put first on
``sys.path``, and removes the modules it imported afterwards.
"""

from __future__ import annotations

import importlib
import re
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import pytest

from protocall import CallbackManager, RegistrationError
from protocall._entry_points import entry_point_callbacks

GROUP = "protocall.tests.callbacks"
"""A group no real distribution uses."""

PREFIX = "pc_ep_"
"""The prefix of every module the tests write, so that the fixture can forget them."""


class Hooks(Protocol):
    def on_step(self, step: int) -> None: ...


class Site:
    """A directory on ``sys.path`` where the tests install distributions."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def module(self, name: str, source: str) -> None:
        assert name.startswith(PREFIX)
        (self.root / f"{name}.py").write_text(textwrap.dedent(source))
        importlib.invalidate_caches()

    def dist(
        self,
        name: str,
        entry_points: dict[str, str],
        *,
        version: str = "1.0",
        folder: str | None = None,
        root: Path | None = None,
    ) -> None:
        """Install the distribution ``name`` advertising ``entry_points`` (name → value)."""
        info = (root or self.root) / f"{folder or name.replace('-', '_')}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
        lines = [f"[{GROUP}]"] + [f"{key} = {value}" for key, value in entry_points.items()]
        (info / "entry_points.txt").write_text("\n".join(lines) + "\n")
        importlib.invalidate_caches()


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    root = tmp_path / "site"
    root.mkdir()
    monkeypatch.setattr(sys, "path", [str(root), *sys.path])
    importlib.invalidate_caches()
    yield Site(root)
    for name in [name for name in sys.modules if name.startswith(PREFIX)]:
        del sys.modules[name]
    importlib.invalidate_caches()


CALLBACKS = """
    class Timer:
        def on_step(self, step: int) -> None:
            pass

    class Logger:
        def on_step(self, step: int) -> None:
            pass

    class Callable:
        '''A callback that is callable itself: an instance, not a factory.'''
        def on_step(self, step: int) -> None:
            pass
        def __call__(self) -> object:
            raise AssertionError("a callable instance is not a factory")

    class NeedsArguments:
        def __init__(self, path: str) -> None:
            pass
        def on_step(self, step: int) -> None:
            pass

    class NoHook:
        pass

    TIMER = Timer()
    CALLABLE = Callable()

    def one() -> object:
        return Timer()

    def several() -> object:
        return [Timer(), Logger()]

    def pair() -> object:
        return (Logger(), Timer())

    def nothing() -> object:
        return []

    def failing() -> object:
        raise OSError("no config file")

    def returns_none() -> None:
        pass

    def returns_class() -> object:
        return Timer

    def returns_none_in_list() -> object:
        return [Timer(), None]

    def returns_generator() -> object:
        return (c for c in [Timer()])

    def returns_nested() -> object:
        return [[Timer()]]

    def no_hook() -> object:
        return NoHook()
"""


def names(pairs: list[tuple[object, str]]) -> list[tuple[str, str]]:
    return [(type(callback).__name__, description) for callback, description in pairs]


# -- what an entry point may name ------------------------------------------------------------------


def test_no_entry_points_no_callbacks(site: Site) -> None:
    assert entry_point_callbacks(GROUP) == []


def test_a_class_is_instantiated(site: Site) -> None:
    site.module("pc_ep_mod", CALLBACKS)
    site.dist("mydist", {"timer": "pc_ep_mod:Timer"})
    [(callback, description)] = entry_point_callbacks(GROUP)
    assert type(callback).__qualname__ == "Timer"
    assert description == "mydist timer"


def test_an_instance_is_used_as_it_is(site: Site) -> None:
    site.module("pc_ep_mod", CALLBACKS)
    site.dist("mydist", {"timer": "pc_ep_mod:TIMER", "callable": "pc_ep_mod:CALLABLE"})
    pairs = entry_point_callbacks(GROUP)
    module = sys.modules["pc_ep_mod"]
    assert [callback for callback, _ in pairs] == [module.CALLABLE, module.TIMER]
    assert [description for _, description in pairs] == ["mydist callable", "mydist timer"]


@pytest.mark.parametrize(
    ("factory", "made"),
    [
        ("one", ["Timer"]),
        ("several", ["Timer", "Logger"]),
        ("pair", ["Logger", "Timer"]),
        ("nothing", []),
    ],
)
def test_a_factory_is_called_for_one_callback_or_a_list(
    site: Site, factory: str, made: list[str]
) -> None:
    site.module("pc_ep_mod", CALLBACKS)
    site.dist("mydist", {"made": f"pc_ep_mod:{factory}"})
    assert names(entry_point_callbacks(GROUP)) == [(name, "mydist made") for name in made]


def test_each_load_makes_new_instances_of_a_class(site: Site) -> None:
    site.module("pc_ep_mod", CALLBACKS)
    site.dist("mydist", {"timer": "pc_ep_mod:Timer"})
    [(first, _)] = entry_point_callbacks(GROUP)
    [(second, _)] = entry_point_callbacks(GROUP)
    assert first is not second


# -- order -----------------------------------------------------------------------------------------


def test_order_is_by_distribution_then_entry_point_name(site: Site, tmp_path: Path) -> None:
    site.module("pc_ep_mod", CALLBACKS)
    site.dist("foo_bar", {"z": "pc_ep_mod:Timer", "a": "pc_ep_mod:Logger"})
    site.dist("Beta", {"b": "pc_ep_mod:Timer"})
    site.dist("foo-baz", {"m": "pc_ep_mod:Timer"})
    later = tmp_path / "later"  # on sys.path after the site: found later, sorted first
    later.mkdir()
    sys.path.append(str(later))  # the fixture restores sys.path
    site.dist("alpha", {"only": "pc_ep_mod:several"}, root=later)
    pairs = entry_point_callbacks(GROUP)
    # Normalized names: alpha < beta < foo-bar < foo-baz (as spelt, "Beta" < "alpha" and
    # "foo-baz" < "foo_bar").
    assert names(pairs) == [
        ("Timer", "alpha only"),
        ("Logger", "alpha only"),
        ("Timer", "Beta b"),
        ("Logger", "foo_bar a"),
        ("Timer", "foo_bar z"),
        ("Timer", "foo-baz m"),
    ]


def test_names_equal_once_normalized_are_ordered_as_spelt(site: Site) -> None:
    site.module("pc_ep_mod", CALLBACKS)
    site.dist("gamma", {"a": "pc_ep_mod:Timer"}, folder="gamma_lower")
    site.dist("Gamma", {"z": "pc_ep_mod:Logger"}, folder="gamma_upper")
    assert names(entry_point_callbacks(GROUP)) == [("Logger", "Gamma z"), ("Timer", "gamma a")]


def test_a_distribution_found_twice_counts_once(site: Site, tmp_path: Path) -> None:
    site.module("pc_ep_mod", CALLBACKS)
    site.dist("mydist", {"timer": "pc_ep_mod:Timer"})
    shadowed = tmp_path / "shadowed"
    shadowed.mkdir()
    sys.path.append(str(shadowed))  # the fixture restores sys.path
    site.dist("mydist", {"logger": "pc_ep_mod:Logger"}, version="0.9", root=shadowed)
    pairs = entry_point_callbacks(GROUP)
    assert names(pairs) == [("Timer", "mydist timer")]


# -- broken entry points ---------------------------------------------------------------------------

BROKEN = [
    pytest.param(
        "pc_ep_missing:Timer",
        r"loading it raised ModuleNotFoundError: No module named "
        r"'pc_ep_missing'",
        ModuleNotFoundError,
        id="no-module",
    ),
    pytest.param(
        "pc_ep_mod:Timr",
        r"loading it raised AttributeError: .*'Timr'",
        AttributeError,
        id="no-attribute",
    ),
    pytest.param(
        "pc_ep_raising:Timer",
        r"loading it raised RuntimeError: import-time failure",
        RuntimeError,
        id="module-raises",
    ),
    pytest.param(
        "pc_ep_mod:NeedsArguments",
        r"instantiating the class NeedsArguments with no arguments "
        r"raised TypeError: .*missing 1 required positional argument: 'path'",
        TypeError,
        id="class-needs-arguments",
    ),
    pytest.param(
        "pc_ep_mod:failing",
        r"calling the factory failing\(\) raised OSError: no config file",
        OSError,
        id="factory-raises",
    ),
    pytest.param(
        "pc_ep_mod:returns_none",
        r"the factory returns_none\(\) returned None, not a callback "
        r"or a list of callbacks",
        None,
        id="factory-returns-none",
    ),
    pytest.param(
        "pc_ep_mod:returns_class",
        r"the factory returns_class\(\) returned the class Timer "
        r"\(return an instance: Timer\(\)\), not a callback",
        None,
        id="factory-returns-class",
    ),
    pytest.param(
        "pc_ep_mod:returns_none_in_list",
        r"the factory returns_none_in_list\(\) returned None,",
        None,
        id="factory-list-holds-none",
    ),
    pytest.param(
        "pc_ep_mod:returns_generator",
        r"the factory returns_generator\(\) returned generator "
        r"<generator object",
        None,
        id="factory-returns-generator",
    ),
    pytest.param(
        "pc_ep_mod:returns_nested",
        r"the factory returns_nested\(\) returned list \[<",
        None,
        id="factory-returns-nested-list",
    ),
]


def install_broken(site: Site, value: str) -> None:
    site.module("pc_ep_mod", CALLBACKS)
    site.module("pc_ep_raising", 'raise RuntimeError("import-time failure")\n')
    site.dist("aaa-good", {"timer": "pc_ep_mod:Timer"})
    site.dist("broken-dist", {"fine": "pc_ep_mod:Logger", "bad": value}, version="2.1")


@pytest.mark.parametrize(("value", "cause", "cause_type"), BROKEN)
def test_a_broken_entry_point_names_distribution_entry_point_and_cause(
    site: Site, value: str, cause: str, cause_type: type[BaseException] | None
) -> None:
    install_broken(site, value)
    with pytest.raises(RegistrationError) as info:
        entry_point_callbacks(GROUP)
    message = str(info.value)
    assert message.startswith(
        f"cannot load the callbacks of the entry point bad = {value} (group {GROUP!r}) of the "
        f"distribution broken-dist 2.1: "
    )
    assert re.search(cause, message), message
    if cause_type is None:
        assert info.value.__cause__ is None
    else:
        assert isinstance(info.value.__cause__, cause_type)


# -- through the manager ---------------------------------------------------------------------------


class Existing:
    def on_step(self, step: int) -> None:
        pass


def test_the_manager_registers_the_callbacks_in_order_and_returns_them(site: Site) -> None:
    site.module("pc_ep_mod", CALLBACKS)
    site.dist("zeta", {"timer": "pc_ep_mod:Timer"})
    site.dist("alpha", {"made": "pc_ep_mod:several"})
    existing = Existing()
    manager = CallbackManager(Hooks, [existing])
    loaded = manager.load_entry_points(GROUP)
    assert [type(callback).__name__ for callback in loaded] == ["Timer", "Logger", "Timer"]
    assert manager.callbacks == (existing, *loaded)


def test_the_manager_loads_nothing_from_an_empty_group(site: Site) -> None:
    manager = CallbackManager(Hooks, [Existing()])
    assert manager.load_entry_points(GROUP) == []
    assert len(manager) == 1


@pytest.mark.parametrize(("value", "cause", "cause_type"), BROKEN)
def test_the_manager_registers_nothing_when_an_entry_point_is_broken(
    site: Site, value: str, cause: str, cause_type: type[BaseException] | None
) -> None:
    install_broken(site, value)
    existing = Existing()
    manager = CallbackManager(Hooks, [existing])
    with pytest.raises(RegistrationError, match=re.escape("entry point bad = ")):
        manager.load_entry_points(GROUP)
    assert manager.callbacks == (existing,)


def test_a_callback_the_spec_refuses_is_named_by_its_entry_point(site: Site) -> None:
    site.module("pc_ep_mod", CALLBACKS)
    site.dist("aaa-good", {"timer": "pc_ep_mod:Timer"})
    site.dist("misfit", {"nohook": "pc_ep_mod:no_hook"})
    existing = Existing()
    manager = CallbackManager(Hooks, [existing])
    with pytest.raises(RegistrationError) as info:
        manager.load_entry_points(GROUP)
    assert "NoHook" in str(info.value)
    notes = "\n".join(getattr(info.value, "__notes__", []))
    assert "misfit nohook" in notes, notes
    assert manager.callbacks == (existing,)


def test_a_callback_already_registered_is_refused_with_its_entry_point(site: Site) -> None:
    site.module("pc_ep_mod", CALLBACKS)
    site.dist("mydist", {"timer": "pc_ep_mod:TIMER"})
    manager = CallbackManager(Hooks, [])
    [timer] = manager.load_entry_points(GROUP)
    with pytest.raises(RegistrationError) as info:
        manager.load_entry_points(GROUP)
    assert "mydist timer" in "\n".join(getattr(info.value, "__notes__", []))
    assert manager.callbacks == (timer,)


STATEFUL = """
    class Stateful:
        def on_step(self, step: int) -> None:
            pass
        def state_dict(self) -> dict[str, object]:
            return {}
        def load_state_dict(self, state: dict[str, object]) -> None:
            pass
"""


def test_a_state_key_clash_names_the_entry_point(site: Site) -> None:
    site.module("pc_ep_stateful", STATEFUL)
    site.dist("first", {"one": "pc_ep_stateful:Stateful"})
    site.dist("second", {"two": "pc_ep_stateful:Stateful"})
    manager = CallbackManager(Hooks, [])
    with pytest.raises(RegistrationError, match="state key 'Stateful'") as info:
        manager.load_entry_points(GROUP)
    assert "second two" in "\n".join(getattr(info.value, "__notes__", []))
    assert manager.callbacks == ()
