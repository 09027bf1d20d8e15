"""The command line, ``python -m protocall <command>``.

- ``demo``: run the demo training loop (:mod:`protocall.demo`).
- ``hooks module:Spec``: print the hooks of a spec, one signature per line, as a callback
  author would write them.
- ``check module:Spec module:Callback ...``: check callback classes against a spec, with the
  checks and messages of registration, without calling their ``__init__`` (which may need
  arguments or have effects), so that a project can check its callbacks in CI.

Exit status: 0 when all is well, 1 when ``check`` found problems (one line each,
``module:Callback: message``), 2 for usage errors. A target the command cannot use (a module that
does not import, a missing name, a spec that is not a Protocol, a callback that is not a class)
is a usage error too, reported on one line, never with a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import Final

__all__ = ["main"]

PROG: Final = "python -m protocall"

_EPILOG: Final = (
    "exit status: 0 when all is well, 1 when check found problems, 2 for usage errors "
    "(including a target that cannot be imported or is not what the command needs)"
)


class TargetError(Exception):
    """A command-line target that does not name what the command needs.

    Its message is printed as one line and the exit status is 2: the command could not run, which
    is not the same as a check that ran and found problems.
    """


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command named in ``argv`` (default: ``sys.argv[1:]``) and return the exit status."""
    args = _parser().parse_args(argv)
    command: Callable[[argparse.Namespace], int] = args.run
    try:
        return command(args)
    except TargetError as error:
        print(f"{PROG}: error: {_one_line(str(error))}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        _silence_stdout()
        return 1


def _silence_stdout() -> None:
    """Point stdout at /dev/null after its reader left (``... | head``), so that the interpreter's
    flush at exit does not fail again with a traceback."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _parser() -> argparse.ArgumentParser:
    """The argument parser: one subcommand per command, each knowing the function that runs it."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="protocall: typed, protocol-based callbacks.",
        epilog=_EPILOG,
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    demo = commands.add_parser(
        "demo", help="run the demo training loop", description="Run the demo training loop."
    )
    from .demo import add_arguments as add_demo_arguments

    add_demo_arguments(demo)
    demo.set_defaults(run=_run_demo)
    hooks = commands.add_parser(
        "hooks",
        help="print the hooks of a spec with their signatures",
        description="Print the hooks of a spec Protocol, one signature per line.",
        epilog=_EPILOG,
    )
    hooks.add_argument("spec", metavar="module:Spec", help="the spec Protocol")
    hooks.set_defaults(run=_run_hooks)
    check = commands.add_parser(
        "check",
        help="check callback classes against a spec, as registration does",
        description=(
            "Check callback classes against a spec with the checks and messages of "
            "registration, without calling their __init__. Prints one line per problem."
        ),
        epilog=_EPILOG,
    )
    check.add_argument("spec", metavar="module:Spec", help="the spec Protocol")
    check.add_argument(
        "callbacks", metavar="module:Callback", nargs="+", help="a callback class to check"
    )
    check.set_defaults(run=_run_check)
    return parser


def _run_demo(args: argparse.Namespace) -> int:
    """``demo``: the demo training loop."""
    from .demo import run

    return run(args)


def _run_hooks(args: argparse.Namespace) -> int:
    """``hooks``: each hook of the spec as ``[async ]def name(self, ...) -> R``."""
    target: str = args.spec
    for line in _hook_lines(_load_spec(target)):
        print(line)
    return 0


def _run_check(args: argparse.Namespace) -> int:
    """``check``: registration's verdict on each callback class; 1 if any has an error.

    Every target is resolved before any class is checked, so that a usage error prints nothing
    else.
    """
    spec_target: str = args.spec
    targets: list[str] = args.callbacks
    spec = _load_spec(spec_target)
    classes = [(target, _load_class(target)) for target in targets]
    failed = 0
    for target, cls in classes:
        errors, warned = _check_class(spec, cls)
        for message in errors:
            print(f"{target}: {_one_line(message)}")
        for message in warned:
            print(f"{target}: warning: {_one_line(message)}")
        failed += bool(errors)
    print(_summary(spec_target, len(classes), failed))
    return 1 if failed else 0


def _summary(spec_target: str, checked: int, failed: int) -> str:
    """The closing line of ``check``: how many classes were checked, how many failed."""
    classes = "callback class" if checked == 1 else "callback classes"
    if failed:
        return f"found problems in {failed} of {checked} {classes} checked against {spec_target}"
    return f"ok: {checked} {classes} checked against {spec_target}"


def _check_class(spec: type, cls: type[object]) -> tuple[list[str], list[str]]:
    """What registering an instance of ``cls`` with a ``CallbackManager(spec)`` says:
    (errors, warnings), without running ``cls.__init__``.

    The instance is made with ``cls.__new__(cls)`` and registered with a fresh manager; a
    :class:`~protocall.RegistrationError` is an error, each warning raised meanwhile (a
    :class:`~protocall.HookNameWarning`) a warning. Registration reads hooks from the class, so
    an instance without its ``__init__`` gets the class's verdict. A check that reads the class
    alone, through the validation module, is meant to take this one's place.
    """
    from . import CallbackManager, RegistrationError

    try:
        instance = cls.__new__(cls)
    except Exception as error:  # noqa: BLE001 - the user's __new__ failing is reported
        return [f"cannot be checked: {cls.__qualname__}.__new__ failed: {_describe(error)}"], []
    errors: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            CallbackManager(spec).register(instance)
        except RegistrationError as error:
            errors.append(str(error))
        except Exception as error:  # noqa: BLE001 - whatever the check raised is reported
            errors.append(f"checking it raised {_describe(error)}")
    return errors, [str(warning.message) for warning in caught]


def _hook_lines(spec: type) -> list[str]:
    """Each hook of ``spec``, ``[async ]def name(self, ...) -> R``, in declaration order.

    Raises :class:`TypeError` with the runtime's message when ``spec`` is not a valid spec.
    """
    from ._spec import hook_table

    return [hook.describe() for hook in hook_table(spec).hooks.values()]


def _load_spec(target: str) -> type:
    """The spec Protocol that ``target`` names, checked as a ``CallbackManager`` checks it."""
    spec = _load(target)
    if not isinstance(spec, type):
        raise TargetError(f"{target} is {_kind(spec)}, not a class: a spec is a Protocol class")
    try:
        _hook_lines(spec)
    except TypeError as error:
        raise TargetError(f"{target}: {error}") from None
    return spec


def _load_class(target: str) -> type[object]:
    """The callback class that ``target`` names."""
    cls = _load(target)
    if not isinstance(cls, type):
        raise TargetError(
            f"{target} is {_kind(cls)}, not a class: check takes callback classes "
            f"(module:ClassName)"
        )
    return cls


def _load(target: str) -> object:
    """The object that ``module:qualified.name`` names: the module imported, then each attribute."""
    module_name, colon, qualname = target.partition(":")
    if not colon or not module_name or not qualname:
        raise TargetError(
            f"{target!r} is not of the form module:Name (e.g. mypackage.hooks:TrainHooks)"
        )
    try:
        found: object = importlib.import_module(module_name)
    except ImportError as error:
        raise TargetError(f"cannot import {module_name!r}: {_describe(error)}") from None
    except Exception as error:  # noqa: BLE001 - the user's module failing to import is reported
        raise TargetError(f"importing {module_name!r} failed: {_describe(error)}") from None
    for depth, name in enumerate(qualname.split(".")):
        try:
            found = getattr(found, name)
        except AttributeError:
            owner = ".".join([module_name, *qualname.split(".")[:depth]])
            raise TargetError(f"{owner!r} has no attribute {name!r} (from {target})") from None
    return found


def _kind(value: object) -> str:
    """``a str``, ``a function``: what an object is, for a message that rejects it."""
    name = type(value).__qualname__
    return f"an {name}" if name[:1] in "aeiou" else f"a {name}"


def _describe(error: BaseException) -> str:
    """``ErrorType: message``, on one line."""
    return _one_line(f"{type(error).__name__}: {error}")


def _one_line(message: str) -> str:
    """``message`` with its lines joined by spaces, so that each report is one line."""
    return " ".join(line.strip() for line in message.splitlines() if line.strip())
