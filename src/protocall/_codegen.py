"""Writing a dispatcher's source: the Python text that ``_dispatch.code_for`` compiles per key.

``_dispatch`` says what a dispatcher is (a stable function whose code reads one snapshot) and
caches the compiled codes; this module writes their source from a :class:`~._dispatch.CodeKey`.
The source defines ``_pc_template``, whose inner function ``_pc_dispatch`` is the dispatcher: its
code is taken out once and given to every dispatcher function of that key, each with its own
closure cells (the template's locals ``_pc_snapshot`` and ``_pc_state`` make them the code's
only free variables). For the ``call`` of ``def on_batch(self, *, loss)`` with two implementers,
the second registered weakly, the source is::

    def _pc_template():
        _pc_snapshot = _pc_state = None
        def _pc_dispatch(*, loss):
            try:
                _pc_m0, _pc_f1, _pc_w1, _pc_who, _pc_tag, _pc_end = _pc_snapshot
            except _pc_Stale:
                _pc_tag = _pc_end = None
            if _pc_end is not None or _pc_tag != '2 weak 2':
                return _pc_state.refreshed('call', None)(loss=loss)
            try:
                _pc_m0(loss=loss)
                ((_pc_f1(_pc_s, loss=loss)) if (_pc_s := _pc_w1()) is not None else _pc_SKIPPED)
            except _pc_BaseException as _pc_exc:
                _pc_state.failed(_pc_exc, _pc_who, (11, 12,))
                raise
            return None
        return _pc_dispatch

Every form begins alike: unpack the snapshot to exactly the slots this code expects and, when it
does not fit (stale, another count or layout), hand the call to the current code. Then:

- *straight*: one call per line with the hook's own parameters (``emit`` a list display,
  ``first`` a return per call), weak implementers called inline, all in one ``try`` whose
  ``except`` hands the state each call's line, which the traceback's line is looked up in to
  name the implementer that failed (:func:`_straight`);
- *timed*: straight-line calls under a lone profiler, each between two clock reads, its
  duration handed to the implementer's sink in a ``finally`` (:func:`_timed`);
- *loop*: beyond ``STRAIGHT_LINE_LIMIT`` implementers, a loop that counts its position;
- *recovering*: under an error policy, a loop that hands each ``Exception`` to the state (and
  notes any other exception, which propagates);
- *keyed*: an unchecked hook's entry, which has no hook signature to follow (:func:`_keyed`).

Written, not built from closures, so that a dispatch is as fast as a hand-written one. All
names start with :data:`PREFIX`, and the globals they use are ``_dispatch._GLOBALS``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from ._dispatch import CodeKey

__all__ = ["FOLD_AT", "PREFIX", "write_source"]

PREFIX: Final = "_pc_"
"""What every name in generated code starts with; a hook with a parameter that starts with it
gets the generic shape (``_dispatch.shape_of``)."""

FOLD_AT: Final = 1024
"""A timed dispatcher folds its accumulator when the first implementer's pending durations are
more than this many: memory stays bounded however long the program runs."""


def write_source(key: CodeKey, *, tag: str) -> str:
    """The source of a dispatcher of ``key``; ``tag`` is its inline layout's tag, which the code
    checks (``_dispatch.layout_tag``; empty for other layouts)."""
    return "\n".join(_template(key, tag)) + "\n"


def _template(key: CodeKey, tag: str) -> list[str]:
    """The source of a module defining ``_pc_template``, whose inner function is the dispatcher."""
    p = PREFIX
    define = "async def" if key.is_async else "def"
    lines = [
        f"def {p}template():",
        f"    {p}snapshot = {p}state = None",
        f"    {define} {p}dispatch({key.shape.parameters}):",
    ]
    if key.form == "keyed":
        return [*lines, *_keyed(key, len(lines) + 1), f"    return {p}dispatch"]
    if key.shape.checks:  # a hook with defaults: Python checks the call first
        lines.append(f"        {p}state.accepts({key.shape.arguments})")
    wait = "await " if key.is_async else ""
    refresh = (
        f"            return {wait}{p}state.refreshed({key.mode!r}, None)({key.shape.arguments})"
    )
    # The hand-over to the current code happens after the ``except`` clause, so that a
    # callback's exception in that call does not carry the unpacking error as its context.
    if key.inline:
        slots = "".join(
            f"{p}f{i}, {p}w{i}, " if i in key.weak else f"{p}m{i}, "
            for i in range(key.implementers)
        )
        if key.timed:
            slots += (
                "".join(f"{p}a{i}, " for i in range(key.implementers)) + f"{p}watched, {p}fold, "
            )
        lines += [
            "        try:",
            f"            {slots}{p}who, {p}tag, {p}end = {p}snapshot",
            f"        except {p}Stale:",
            f"            {p}tag = {p}end = None",
            f"        if {p}end is not None or {p}tag != {tag!r}:",
            refresh,
        ]
    else:
        # Straight code unpacks to exactly its count, with a trailing comma: the code of no
        # implementers must fail on a snapshot of one (``_pc_who = ...`` would take any tuple).
        targets = (
            "".join(f"{p}m{i}, " for i in range(key.implementers)) + f"{p}who,"
            if key.form == "straight"
            else f"*{p}ms, {p}who"
        )
        lines += [
            "        try:",
            f"            {targets} = {p}snapshot",
            f"        except {p}Stale:",
            f"            {p}who = None",
            f"        if {p}who is None:",
            refresh,
        ]
    writer = {"straight": _straight, "loop": _loop, "recovering": _recovering}[key.form]
    lines += writer(key, len(lines) + 1, wait)
    lines.append(f"    return {p}dispatch")
    return lines


def _keyed(key: CodeKey, line: int) -> list[str]:
    """An unchecked hook's entry, whose snapshot is ``(layout, methods, plans, who)``.

    With ``key.implementers`` calls written out (``key.arguments``, made by
    ``_unchecked._ByName.written`` for the shape of call it expects), a call that passes
    ``key.condition`` is made right here, if the snapshot's ``layout`` (its implementers' keyword
    filtering) is the one the argument lists were written for. Any other call, and every call of
    the form without written calls (``implementers`` -1), goes to the dispatcher written for its
    shape: ``plans`` holds one per call shape (mode, number of positional arguments, keyword
    names in order), whose calls pass each implementer exactly the keywords it takes.
    """
    p = PREFIX
    written = key.implementers >= 0
    methods = [f"{p}m{i}" for i in range(key.implementers)]
    unpacked = f"({', '.join(methods)}{',' if len(methods) == 1 else ''})" if written else f"{p}ms"
    test = f"{p}layout != {key.layout!r} or not ({key.condition})"
    indent = "    " if written else ""
    lines = [
        "        try:",
        f"            {p}layout, {unpacked}, {p}plans, {p}who = {p}snapshot",
        f"        except {p}Stale:",
        f"            {p}layout = {p}plans = None",
        *([f"        if {test}:"] if written else []),
    ]
    # A stale snapshot leaves ``plans`` None; asking the state is done after the ``except``
    # clause, so that a callback's exception does not carry the lookup's error as its context.
    lines += [
        f"{indent}        {p}key = ({key.mode!r}, {p}len({p}args), *{p}kwargs)",
        f"{indent}        try:",
        f"{indent}            {p}d = {p}plans[{p}key]",
        f"{indent}        except {p}Stale:",
        f"{indent}            {p}d = None",
        f"{indent}        if {p}d is None:",
        f"{indent}            {p}d = {p}state.refreshed({key.mode!r}, {p}key)",
        f"{indent}        return {p}d({key.shape.arguments})",
    ]
    if written:
        lines += [f"        {binding}" for binding in key.bindings]
        lines += _straight(key, line + len(lines), "")
    return lines


def _straight(key: CodeKey, line: int, wait: str) -> list[str]:
    p = PREFIX
    each = key.arguments or (key.shape.arguments,) * key.implementers
    if key.implementers == 0:
        return ["        return []" if key.mode == "emit" else "        return None"]
    if key.timed:
        return _timed(key, line, wait, each)

    def call(i: int) -> str:
        if i not in key.weak:
            return f"{wait}{p}m{i}({each[i]})"
        arguments = f"{p}s, {each[i]}" if each[i] else f"{p}s"
        return f"(({wait}{p}f{i}({arguments})) if ({p}s := {p}w{i}()) is not None else {p}SKIPPED)"

    body = ["        try:"]
    calls: list[int] = []
    if key.mode == "call":
        for i in range(key.implementers):
            calls.append(line + len(body))
            body.append(f"            {call(i)}")
    elif key.mode == "emit":
        body.append(f"            {p}results = [")
        for i in range(key.implementers):
            calls.append(line + len(body))
            body.append(f"                {call(i)},")
        body.append("            ]")
    else:
        for i in range(key.implementers):
            calls.append(line + len(body))
            body.append(f"            if {_found(key, call(i))}:")
            body.append(f"                return {p}r")
    return body + _failed(calls) + _ending(key)


def _timed(key: CodeKey, line: int, wait: str, each: tuple[str, ...]) -> list[str]:
    """Straight-line calls, each timed: ``_pc_t = clock()``, the call in a ``try``, and in its
    ``finally`` the duration handed to the implementer's sink (also when the call raises).

    First, the accumulator is asked to fold when the watched list of pending durations (the
    first implementer's) has grown past :data:`FOLD_AT`. A weak implementer that has been
    collected is neither called nor timed; if it is the first, the accumulator folds at once.
    """
    p = PREFIX
    body = [
        f"        if {p}len({p}watched) > {FOLD_AT}:",
        f"            {p}fold()",
        "        try:",
    ]
    calls: list[int] = []
    for i in range(key.implementers):
        indent = "            "
        if i in key.weak:
            if key.mode == "emit":
                body.append(f"{indent}{p}r{i} = {p}SKIPPED")
            body.append(f"{indent}if ({p}s := {p}w{i}()) is not None:")
            indent += "    "
            callee = f"{p}f{i}({p}s, {each[i]})" if each[i] else f"{p}f{i}({p}s)"
        else:
            callee = f"{p}m{i}({each[i]})"
        target = {"call": "", "emit": f"{p}r{i} = ", "first": f"{p}r = "}[key.mode]
        body += [f"{indent}{p}t = {p}clock()", f"{indent}try:"]
        calls.append(line + len(body))
        body += [
            f"{indent}    {target}{wait}{callee}",
            f"{indent}finally:",
            f"{indent}    {p}a{i}({p}clock() - {p}t)",
        ]
        if key.mode == "first":
            found = f"{p}r is not None and {p}r is not {p}SKIPPED" if key.unchecked else ""
            body += [f"{indent}if {found or f'{p}r is not None'}:", f"{indent}    return {p}r"]
        if i == 0 and i in key.weak:  # the watched list is not fed: fold now
            body += ["            else:", f"                {p}fold()"]
    if key.mode == "emit":
        results = ", ".join(f"{p}r{i}" for i in range(key.implementers))
        body.append(f"            {p}results = [{results}]")
    return body + _failed(calls) + _ending(key)


def _failed(calls: list[int]) -> list[str]:
    """The ``except`` clause of a straight-line dispatcher: ``calls`` is the line of each
    implementer's call, which the traceback's line is looked up in."""
    p = PREFIX
    table = ", ".join(map(str, calls)) + ","
    return [
        f"        except {p}BaseException as {p}exc:",
        f"            {p}state.failed({p}exc, {p}who, ({table}))",
        "            raise",
    ]


def _loop(key: CodeKey, line: int, wait: str) -> list[str]:
    p = PREFIX
    call = f"{wait}{p}m({key.shape.arguments})"
    body = [f"        {p}i = -1"]
    if key.mode == "emit":
        body.append(f"        {p}results = []")
    body += ["        try:", f"            for {p}i, {p}m in {p}enumerate({p}ms):"]
    if key.mode == "call":
        body.append(f"                {call}")
    elif key.mode == "emit":
        body.append(f"                {p}results.append({call})")
    else:
        body += [f"                if {_found(key, call)}:", f"                    return {p}r"]
    body += [
        f"        except {p}BaseException as {p}exc:",
        f"            {p}state.failed_at({p}exc, {p}who, {p}i)",
        "            raise",
    ]
    return body + _ending(key)


def _recovering(key: CodeKey, line: int, wait: str) -> list[str]:
    p = PREFIX
    body = [
        f"        {p}errors = None",
        f"        {p}results = []",
        f"        for {p}i, {p}m in {p}enumerate({p}ms):",
        "            try:",
        f"                {p}r = {wait}{p}m({key.shape.arguments})",
        f"            except {p}Exception as {p}exc:",
        f"                {p}errors = {p}state.recover({p}exc, {p}who, {p}i, {p}errors)",
        "                continue",
        # Not the policy's to handle (KeyboardInterrupt, SystemExit, ...): it propagates at
        # once, with the note any callback's exception carries.
        f"            except {p}BaseException as {p}exc:",
        f"                {p}state.failed_at({p}exc, {p}who, {p}i)",
        "                raise",
    ]
    if key.mode == "emit":
        body.append(f"            {p}results.append({p}r)")
    elif key.mode == "first":
        body += [
            f"            if {_found(key, f'{p}r')}:",
            f"                {p}state.finish({p}errors, [{p}r], {p}who)",
            f"                return {p}r",
        ]
    body.append(f"        {p}state.finish({p}errors, {p}results, {p}who)")
    return body + _ending(key)


def _found(key: CodeKey, value: str) -> str:
    """The condition under which ``first`` returns ``value`` (binding it to ``_pc_r``)."""
    p = PREFIX
    found = f"({p}r := {value}) is not None"
    # Unchecked: a skipped attribute's marker is no result either.
    return f"{found} and {p}r is not {p}SKIPPED" if key.unchecked else found


def _ending(key: CodeKey) -> list[str]:
    p = PREFIX
    if key.mode == "emit":
        if key.unchecked:  # a skipped attribute's marker is no result
            return [
                f"        if {p}who.skips:",
                f"            return {p}state.without_skipped({p}results)",
                f"        return {p}results",
            ]
        return [f"        return {p}results"]
    return ["        return None"]
