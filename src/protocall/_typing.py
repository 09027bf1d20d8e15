"""``CallbackOf[Spec]``: how a library types the callbacks it accepts for its spec.

A library that owns a manager takes its users' callbacks as a parameter::

    class Trainer:
        def __init__(self, callbacks: Iterable[CallbackOf[TrainHooks]] = ()) -> None:
            self.callbacks = CallbackManager(TrainHooks, callbacks)

``CallbackOf[TrainHooks]`` is a Protocol without members: every object satisfies it, at run
time and for every type checker (mypy, pyright, ty, pyrefly; ``tests/typing/pass_callback_of.py``),
exactly as ``CallbackManager(TrainHooks, ...)`` and ``register`` accept any object and leave the
checking to registration. The spec in it documents the parameter (editors show
``Iterable[CallbackOf[TrainHooks]]``) and is what the mypy plugin reads: with ``plugins =
protocall.mypy_plugin`` every argument passed for a ``CallbackOf[Spec]`` parameter (or an
iterable of them) is checked as ``register`` checks it (a duck-typed callback member by member;
no hook implemented is an error). A class, not an alias to ``object``, so that the parameter's
declared type keeps it, in mypy's cache too. Inside the library a value of this type has no
attributes: hand it to the manager, do not call hooks on it.

Why not a type that checkers enforce? No annotation states registration's rule (at least one hook
of the spec implemented, and each implemented hook able to take the hook's calls). The strongest
approximation is the union of the per-hook Protocols, ``OnTrainStart | OnTrainBatchEnd | ...``,
measured on every checker by ``tests/typing/fail_callback_union.py``: of 16 callbacks that
registration rejects (at run time; a wrong parameter type in the plugin's check), pyright, ty and
pyrefly report 10 and mypy 9, and every checker reports 2 of the callbacks registration accepts.

* Caught: an object that implements no hook (``3``, an unrelated class, a misspelled hook name), a
  class passed instead of an instance, and a callback whose only hook has a wrong signature, a
  wrong parameter type, a non-callable value, or is ``async`` for a sync hook (or the reverse); a
  renamed positional-or-keyword parameter too, except on mypy (python/mypy#6709).
* Missed: a callback with one right hook and one wrong one (wrong signature, type, or not
  callable: the right one satisfies the union), a subclass of a spec with default bodies that
  overrides nothing, a ``Mock()`` (``Any`` to checkers), the same callback twice.
* Rejected although registration accepts it: ``Prioritized(callback, priority)`` in the list, and
  a keyword-argument subset (``def on_train_start(self)`` for a hook with keyword-only parameters).

``CallbackOf`` promises nothing it cannot keep: without the plugin it checks nothing (registration
checks at run time), and with it each argument is checked as ``register`` checks it.
"""

from __future__ import annotations

from typing import Protocol, TypeVar

__all__ = ["CallbackOf"]

Spec_co = TypeVar("Spec_co", covariant=True)  # unused, so covariant is what the checkers require


class CallbackOf(Protocol[Spec_co]):
    """A callback for the spec Protocol ``Spec_co``: any object to type checkers, checked by
    registration at run time and, with the mypy plugin, where it is passed."""
