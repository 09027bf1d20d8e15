"""protocall: typed, protocol-based callbacks.

Declare each hook as a method of a :class:`typing.Protocol`; register callbacks that implement
any subset of them with a :class:`CallbackManager`; call the hooks through ``manager.call`` (typed
as the spec), ``manager.emit`` (returns the results) or ``manager.first`` (the first result).
Callbacks are validated when registered, their bound methods are cached per hook, and dispatch
runs generated code as fast as a hand-written loop.
"""

from ._errors import HookErrorGroup, HookNameWarning, RegistrationError, UnknownHookError
from ._hook import hookspec
from ._manager import CallbackManager, Prioritized
from ._monitoring import HookCall
from ._policies import ErrorHandler, ErrorPolicy
from ._profiler import Profiler, ProfileRow
from ._state import StateKeys
from ._typing import CallbackOf

__all__ = [
    "CallbackManager",
    "CallbackOf",
    "ErrorHandler",
    "ErrorPolicy",
    "HookCall",
    "HookErrorGroup",
    "HookNameWarning",
    "Prioritized",
    "ProfileRow",
    "Profiler",
    "RegistrationError",
    "StateKeys",
    "UnknownHookError",
    "hookspec",
]
__version__ = "0.1.0"
