"""IDE autocompletion of hook names, asked of real completion engines.

Two places must complete hook names: ``manager.call.`` (the caller's side, for a generic spec
too) and ``def on_`` in a callback class that subclasses hook Protocols (the implementer's side).
The engines are jedi (the engine of many editors' Python support) and pyright's language server
(the engine behind VS Code's Pylance), spoken to over LSP JSON-RPC on stdin/stdout as an editor does.

A library's ``CallbackOf[Spec]`` parameter cannot make an engine complete hook names in a
callback class: nothing ties the class being written to the parameter it will be passed to, and
``CallbackOf[Spec]`` has no members (it accepts any object). What works is showing the spec where
the callbacks are passed (the signature help of ``Trainer(``), so the user knows which hook
Protocols to subclass, and subclassing them completes ``def on_`` (tested above).
"""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, Final, cast

import jedi
import pytest
from _checkers import script, tool_env

CURSOR: Final = "<|>"

_PREAMBLE: Final = '''\
from collections.abc import Iterable
from typing import Protocol, TypeVar

from protocall import CallbackManager, CallbackOf


class OnTrainStart(Protocol):
    def on_train_start(self, *, epochs: int) -> None: ...


class OnTrainBatchEnd(Protocol):
    def on_train_batch_end(self, *, iteration: int, loss: float) -> None: ...


class OnValidate(Protocol):
    def on_validate(self, *, iteration: int) -> float: ...


class TrainHooks(OnTrainStart, OnTrainBatchEnd, OnValidate, Protocol):
    """Every hook of the training loop."""


class Helper:
    def on_unrelated(self) -> None: ...

'''

CALL_SITE: Final = (
    _PREAMBLE
    + """
manager = CallbackManager(TrainHooks, [])
manager.call.<|>
"""
)

CALL_SITE_PREFIX: Final = (
    _PREAMBLE
    + """
manager = CallbackManager(TrainHooks, [])
manager.call.on_train<|>
"""
)

ANNOTATED_CALL_SITE: Final = (
    _PREAMBLE
    + """
def train(callbacks: CallbackManager[TrainHooks]) -> None:
    callbacks.call.<|>
"""
)

IMPLEMENTER: Final = (
    _PREAMBLE
    + """
class Timer(OnTrainStart, OnTrainBatchEnd):
    def on_<|>
"""
)

GENERIC_CALL_SITE: Final = (
    _PREAMBLE
    + """
X = TypeVar("X", contravariant=True)


class OnStep(Protocol[X]):
    def on_step(self, *, batch: X) -> None: ...


class StepHooks(OnStep[X], OnTrainStart, Protocol[X]):  # a generic spec
    ...


manager = CallbackManager(StepHooks[int], [])
manager.call.<|>
"""
)

GENERIC_HOOKS: Final = frozenset({"on_step", "on_train_start"})

CALLBACK_OF_SITE: Final = (
    _PREAMBLE
    + """
class Trainer:
    def __init__(self, callbacks: Iterable[CallbackOf[TrainHooks]] = ()) -> None:
        self.callbacks = CallbackManager(TrainHooks, callbacks)


Trainer(<|>
"""
)

HOOKS: Final = frozenset({"on_train_start", "on_train_batch_end", "on_validate"})
MANAGER_MEMBERS: Final = frozenset({"register", "emit", "callbacks", "implementers", "call"})


def _split(source: str) -> tuple[str, int, int]:
    """The source without the cursor marker, and the cursor's (1-based line, 0-based column)."""
    before, marker, after = source.partition(CURSOR)
    assert marker, "the source has no cursor"
    line = before.count("\n") + 1
    column = len(before) - (before.rfind("\n") + 1)
    return before + after, line, column


# -- jedi ---------------------------------------------------------------------------------------


def jedi_completions(source: str, tmp_path: Path) -> set[str]:
    text, line, column = _split(source)
    path = tmp_path / "user_code.py"
    path.write_text(text, encoding="utf-8")
    script_ = jedi.Script(text, path=path, project=jedi.Project(tmp_path, sys_path=sys.path))
    return {completion.name for completion in script_.complete(line, column)}


def test_jedi_completes_hook_names_after_manager_call(tmp_path: Path) -> None:
    names = jedi_completions(CALL_SITE, tmp_path)
    assert names >= HOOKS
    assert "on_unrelated" not in names
    assert not names & MANAGER_MEMBERS, "manager.call. suggests the manager's own members"


def test_jedi_completes_a_hook_name_prefix(tmp_path: Path) -> None:
    assert jedi_completions(CALL_SITE_PREFIX, tmp_path) == {"on_train_start", "on_train_batch_end"}


def test_jedi_completes_hook_names_on_an_annotated_manager(tmp_path: Path) -> None:
    names = jedi_completions(ANNOTATED_CALL_SITE, tmp_path)
    assert names >= HOOKS
    assert not names & MANAGER_MEMBERS


def test_jedi_completes_def_on_in_a_callback_class(tmp_path: Path) -> None:
    names = jedi_completions(IMPLEMENTER, tmp_path)
    assert names >= {"on_train_start", "on_train_batch_end"}
    assert "on_validate" not in names, (
        "on_validate is a hook of a Protocol the class does not subclass"
    )


def test_jedi_completes_hook_names_of_a_generic_spec(tmp_path: Path) -> None:
    names = jedi_completions(GENERIC_CALL_SITE, tmp_path)
    assert names >= GENERIC_HOOKS
    assert not names & MANAGER_MEMBERS


def test_jedi_shows_the_spec_of_a_callback_of_parameter(tmp_path: Path) -> None:
    text, line, column = _split(CALLBACK_OF_SITE)
    path = tmp_path / "user_code.py"
    path.write_text(text, encoding="utf-8")
    script_ = jedi.Script(text, path=path, project=jedi.Project(tmp_path, sys_path=sys.path))
    signatures = [signature.to_string() for signature in script_.get_signatures(line, column)]
    assert any("callbacks: Iterable[CallbackOf[TrainHooks]]" in label for label in signatures), (
        signatures
    )


# -- pyright's language server --------------------------------------------------------------------


class LanguageServer:
    """A minimal LSP client of ``pyright-langserver --stdio`` (JSON-RPC, Content-Length framed)."""

    TIMEOUT: Final = 60.0

    def __init__(self, root: Path) -> None:
        self.root = root
        self._process = subprocess.Popen(
            [script("pyright-langserver"), "--stdio"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=tool_env(),
        )
        self._messages: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self._next_id = 0

    def _read(self) -> None:
        stream = self._process.stdout
        assert stream is not None
        try:
            while True:
                length = _read_headers(stream)
                if length is None:
                    break
                self._messages.put(json.loads(stream.read(length)))
        finally:
            self._messages.put(None)

    def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        stdin = self._process.stdin
        assert stdin is not None
        stdin.write(f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        stdin.flush()

    def notify(self, method: str, params: object) -> None:
        self._send({"method": method, "params": params})

    def request(self, method: str, params: object) -> Any:
        self._next_id += 1
        request_id = self._next_id
        self._send({"id": request_id, "method": method, "params": params})
        while True:
            try:
                message = self._messages.get(timeout=self.TIMEOUT)
            except queue.Empty:
                raise TimeoutError(
                    f"pyright-langserver did not answer {method} in {self.TIMEOUT}s"
                ) from None
            if message is None:
                raise ConnectionError(f"pyright-langserver exited while answering {method}")
            if "method" in message and "id" in message:
                self._answer(message)
            elif message.get("id") == request_id:
                assert "error" not in message, message
                return message.get("result")

    def _answer(self, message: dict[str, Any]) -> None:
        """Answer a request of the server: its settings, and acknowledgements."""
        result: object = None
        if message["method"] == "workspace/configuration":
            result = [
                {"pythonPath": sys.executable} if item.get("section") == "python" else None
                for item in message["params"]["items"]
            ]
        self._send({"id": message["id"], "result": result})

    def initialize(self) -> None:
        self.request(
            "initialize",
            {
                "processId": None,
                "rootUri": self.root.as_uri(),
                "workspaceFolders": [{"uri": self.root.as_uri(), "name": "user"}],
                "capabilities": {
                    "workspace": {"configuration": True},
                    "textDocument": {"completion": {"completionItem": {"snippetSupport": False}}},
                },
                "initializationOptions": {},
            },
        )
        self.notify("initialized", {})

    def ask(self, method: str, source: str, name: str) -> Any:
        """Open ``source`` as file ``name`` and send ``method`` for the position of its cursor."""
        text, line, column = _split(source)
        path = self.root / name
        path.write_text(text, encoding="utf-8")
        uri = path.as_uri()
        self.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}},
        )
        return self.request(
            method,
            {"textDocument": {"uri": uri}, "position": {"line": line - 1, "character": column}},
        )

    def complete(self, source: str, name: str) -> list[dict[str, Any]]:
        result = self.ask("textDocument/completion", source, name)
        if isinstance(result, dict):  # a CompletionList rather than a plain list of items
            result = cast("dict[str, Any]", result)["items"]
        return cast("list[dict[str, Any]]", result or [])

    def signatures(self, source: str, name: str) -> list[str]:
        """The labels of the signature help at the cursor."""
        result = cast("dict[str, Any] | None", self.ask("textDocument/signatureHelp", source, name))
        found = cast("list[dict[str, Any]]", (result or {}).get("signatures", []))
        return [str(signature["label"]) for signature in found]

    def close(self) -> None:
        try:
            if self._process.poll() is None:
                self.request("shutdown", None)
                self.notify("exit", None)
                self._process.wait(timeout=10)
        except (TimeoutError, ConnectionError, OSError, subprocess.TimeoutExpired):
            pass
        finally:
            if self._process.poll() is None:
                self._process.kill()
                self._process.wait(timeout=10)
            for stream in (self._process.stdin, self._process.stdout):
                if stream is not None:
                    stream.close()


def _read_headers(stream: IO[bytes]) -> int | None:
    length: int | None = None
    while True:
        header = stream.readline()
        if not header:
            return None
        if header in (b"\r\n", b"\n"):
            return length
        key, _, value = header.decode("ascii").partition(":")
        if key.strip().lower() == "content-length":
            length = int(value)


@pytest.fixture(scope="module")
def pyright_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LanguageServer]:
    root = tmp_path_factory.mktemp("lsp-workspace")
    (root / "pyrightconfig.json").write_text(
        json.dumps({"pythonVersion": "3.11"}), encoding="utf-8"
    )
    server = LanguageServer(root)
    try:
        server.initialize()
        yield server
    finally:
        server.close()


_METHOD_KINDS: Final = frozenset({2, 3})  # CompletionItemKind.Method, .Function


def test_pyright_completes_hook_names_after_manager_call(pyright_server: LanguageServer) -> None:
    items = pyright_server.complete(CALL_SITE, "call_site.py")
    labels = {item["label"] for item in items}
    assert labels >= HOOKS
    assert all(item.get("kind") in _METHOD_KINDS for item in items if item["label"] in HOOKS)
    assert "on_unrelated" not in labels
    assert not labels & MANAGER_MEMBERS, "manager.call. suggests the manager's own members"


def test_pyright_completes_hook_names_on_an_annotated_manager(
    pyright_server: LanguageServer,
) -> None:
    labels = {
        item["label"] for item in pyright_server.complete(ANNOTATED_CALL_SITE, "annotated.py")
    }
    assert labels >= HOOKS
    assert not labels & MANAGER_MEMBERS


def test_pyright_completes_hook_names_of_a_generic_spec(pyright_server: LanguageServer) -> None:
    labels = {item["label"] for item in pyright_server.complete(GENERIC_CALL_SITE, "generic.py")}
    assert labels >= GENERIC_HOOKS
    assert not labels & MANAGER_MEMBERS


def test_pyright_shows_the_spec_of_a_callback_of_parameter(pyright_server: LanguageServer) -> None:
    signatures = pyright_server.signatures(CALLBACK_OF_SITE, "callback_of.py")
    assert any("callbacks: Iterable[CallbackOf[TrainHooks]]" in label for label in signatures), (
        signatures
    )


def test_pyright_completes_def_on_in_a_callback_class(pyright_server: LanguageServer) -> None:
    items = pyright_server.complete(IMPLEMENTER, "implementer.py")
    labels = {item["label"] for item in items}
    assert labels >= {"on_train_start", "on_train_batch_end"}
    assert "on_validate" not in labels, (
        "on_validate is a hook of a Protocol the class does not subclass"
    )
    # pyright offers the whole override, with the hook's signature:
    edits = [item.get("textEdit", {}).get("newText", item.get("insertText", "")) for item in items]
    assert any(
        "on_train_batch_end(self, *, iteration: int, loss: float) -> None" in text for text in edits
    ), edits
