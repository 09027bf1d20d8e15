"""Every code block of the documentation (``docs/*.md``) runs, and prints what the page shows.

The blocks of a page run in order, in one namespace (a module named ``docs_<page>``, so that
pickling and ``typing.get_overloads`` find what the page defines); each block is one test,
``test_doc_block[<page>.md:<line>]``, which first runs the page's earlier blocks if they have not
run yet. What each kind of fenced block means:

* ```` ```python ````: executed. What it prints (standard output, then each warning as
  ``Category: message``, then an exception that escapes it as ``Type: message`` and its notes)
  must be shown by the block right after it, ```` ```text title="Output" ```` (or
  ``title="Raises"`` for a block that must raise). A block with no such block must print
  nothing, warn nothing and raise nothing.
* ```` ```pycon ````: ``>>>`` examples, run by :mod:`doctest` in the page's namespace.
* A ```` ```python ```` block followed by ```` ```text title="mypy" ```` is not run: it is a
  module of its own (it imports what it uses) that mypy checks, strict and with protocall's
  plugin, as ``example.py``; the diagnostics must be those shown. This is how the type-checking
  page shows what the checkers report, on code that registration would refuse to run.
* Any other fence (``sh``, ``ini``, ``toml``, ``text`` without a title): shown, not run.

Outputs are compared as doctest compares them, with ``ELLIPSIS`` (``...`` matches anything:
timings, addresses) and ``NORMALIZE_WHITESPACE`` (a long message may be wrapped at spaces).

A comment ``<!-- requires: NAME -->`` on the line before a fence runs the block only if ``NAME``
can be imported (a module, or an attribute path under one: ``protocall.CallbackManager.x``);
otherwise its test is skipped. The Fabric examples use it (Lightning is installed on one CI
Python only). Lightning's import takes seconds, but ``tests/test_fabric_parity.py`` pays it in
the same session anyway.

When ``mkdocs`` and the ``docs`` extra are installed, ``mkdocs build --strict`` must pass too.
"""

from __future__ import annotations

import contextlib
import doctest
import importlib
import io
import os
import re
import subprocess
import sys
import tempfile
import traceback
import types
import warnings
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal, TextIO

import pytest

ROOT: Final = Path(__file__).resolve().parent.parent
DOCS: Final = ROOT / "docs"
PAGES: Final = tuple(sorted(DOCS.rglob("*.md")))

SHOWN_ONLY: Final = frozenset({"sh", "ini", "toml", "text", "yaml"})
"""Fence languages that are shown and never run."""

_FENCE: Final = re.compile(r"^(?P<indent>[ ]*)```(?P<lang>[\w-]*)(?P<attrs>[^\n`]*)$")
_TITLE: Final = re.compile(r'title="(?P<title>[^"]*)"')
_REQUIRES: Final = re.compile(r"^\s*<!--\s*requires:\s*(?P<name>[\w.]+)\s*-->\s*$")
_OPTIONS: Final = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


@dataclass(frozen=True, slots=True)
class Fence:
    """One fenced block of a page, as written."""

    lang: str
    title: str | None
    line: int
    """The line of its first line of code (1-based)."""
    code: str
    requires: str | None


@dataclass(frozen=True, slots=True)
class Block:
    """A block that runs, with the output the page shows for it."""

    page: Path
    index: int
    """Its place among the page's blocks that run."""
    kind: Literal["python", "pycon", "mypy"]
    line: int
    code: str
    requires: str | None
    expected: str | None = None
    """What the ``Output``/``Raises``/``mypy`` block after it shows (python blocks)."""
    must_raise: bool = False

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(DOCS).as_posix()}:{self.line}"


def fences(page: Path) -> list[Fence]:
    """The fenced blocks of ``page`` in order (indented ones too, as in tabs and admonitions)."""
    lines = page.read_text(encoding="utf-8").splitlines()
    found: list[Fence] = []
    number = 0
    while number < len(lines):
        match = _FENCE.match(lines[number])
        if match is None:
            number += 1
            continue
        indent = match["indent"]
        end = number + 1
        while end < len(lines) and lines[end].rstrip() != f"{indent}```":
            end += 1
        assert end < len(lines), f"{page.name}:{number + 1}: a fence that is never closed"
        body = [line.removeprefix(indent) for line in lines[number + 1 : end]]
        title = _TITLE.search(match["attrs"])
        previous = lines[number - 1] if number else ""
        requires = _REQUIRES.match(previous)
        found.append(
            Fence(
                lang=match["lang"],
                title=None if title is None else title["title"],
                line=number + 2,
                code="\n".join(body) + "\n",
                requires=None if requires is None else requires["name"],
            )
        )
        number = end + 1
    return found


def blocks(page: Path) -> list[Block]:
    """The blocks of ``page`` that run, each python block with the output shown after it."""
    found: list[Block] = []
    for fence in fences(page):
        if fence.lang in ("python", "pycon"):
            kind: Literal["python", "pycon"] = "python" if fence.lang == "python" else "pycon"
            found.append(Block(page, len(found), kind, fence.line, fence.code, fence.requires))
        elif fence.lang == "text" and fence.title in ("Output", "Raises", "mypy"):
            assert found and found[-1].kind == "python" and found[-1].expected is None, (
                f"{page.name}:{fence.line}: a {fence.title} block follows no python block"
            )
            last = found[-1]
            found[-1] = Block(
                page,
                last.index,
                "mypy" if fence.title == "mypy" else "python",
                last.line,
                last.code,
                last.requires,
                expected=fence.code,
                must_raise=fence.title == "Raises",
            )
    return found


ALL_BLOCKS: Final = tuple(block for page in PAGES for block in blocks(page))


def available(name: str) -> bool:
    """Can ``name`` be imported: a module, or an attribute path under one?"""
    parts = name.split(".")
    for split in range(len(parts), 0, -1):
        try:
            target: object = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for attribute in parts[split:]:
            if not hasattr(target, attribute):
                return False
            target = getattr(target, attribute)
        return True
    return False


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    """Print a warning where a block's output goes, as the pages show it."""
    sys.stdout.write(f"{category.__name__}: {message}\n")


@contextlib.contextmanager
def shown_warnings() -> Generator[None]:
    """Warnings are printed (each time), not raised: pages show them in their output."""
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.showwarning = _show_warning
        yield


def described(error: BaseException) -> str:
    """An exception as a page shows it: the last line of its traceback, then its notes."""
    notes: list[str] = getattr(error, "__notes__", [])
    return "\n".join([f"{type(error).__name__}: {error}", *notes]) + "\n"


@dataclass(slots=True)
class PageRun:
    """The blocks of one page run so far, and the namespace they share."""

    page: Path
    module: types.ModuleType
    done: int = 0
    broken: str | None = None
    """Where an earlier block raised unexpectedly (so the namespace may lack what it defines)."""

    def through(self, block: Block) -> None:
        """Run the page's blocks up to ``block`` (those not run yet), then ``block``.

        A block whose output merely differs from the page's leaves the namespace as the page
        says; one that raised unexpectedly may not have, so the later blocks are skipped.
        """
        page_blocks = blocks(self.page)
        while self.done < block.index:
            earlier = page_blocks[self.done]
            self.done += 1
            try:
                self.run(earlier)
            except (pytest.skip.Exception, pytest.fail.Exception):
                pass
            except BaseException:  # noqa: BLE001 - an earlier block that broke skips this one
                self.broken = earlier.where
        if self.broken is not None:
            pytest.skip(f"an earlier block of the page raised: {self.broken}")
        self.done += 1
        try:
            self.run(block)
        except (pytest.skip.Exception, pytest.fail.Exception):
            raise
        except BaseException:
            self.broken = block.where
            raise

    def run(self, block: Block) -> None:
        if block.requires is not None and not available(block.requires):
            pytest.skip(f"needs {block.requires}")
        if block.kind == "pycon":
            self.run_pycon(block)
        elif block.kind == "mypy":
            run_mypy(block)
        else:
            self.run_python(block)

    def run_python(self, block: Block) -> None:
        source = "\n" * (block.line - 1) + block.code  # tracebacks point at the page's lines
        code = compile(source, str(block.page), "exec")
        output = io.StringIO()
        error: BaseException | None = None
        with shown_warnings(), contextlib.redirect_stdout(output):
            try:
                exec(code, self.module.__dict__)  # noqa: S102 - runs the page's code block
            except Exception as exc:  # noqa: BLE001 - the page may show the error it raises
                error = exc
        printed = output.getvalue() + ("" if error is None else described(error))
        if block.expected is None:
            if error is not None:
                raise error
            assert printed == "", (
                f"{block.where} prints (or warns) but the page shows no Output block after it:\n"
                f"{printed}"
            )
            return
        if block.must_raise and error is None:
            pytest.fail(f"{block.where} should raise (its Raises block shows it) but did not")
        checker = doctest.OutputChecker()
        if not checker.check_output(block.expected, printed, _OPTIONS):
            shown = "".join(traceback.format_exception(error)) if error is not None else ""
            pytest.fail(
                f"{block.where}: the output differs from the page's.\n--- the page shows:\n"
                f"{block.expected}--- the block printed:\n{printed}{shown}",
            )

    def run_pycon(self, block: Block) -> None:
        parser = doctest.DocTestParser()
        test = parser.get_doctest(block.code, {}, block.where, str(block.page), block.line - 1)
        test.globs = self.module.__dict__  # share the page's namespace (get_doctest copies)
        report: list[str] = []
        runner = doctest.DocTestRunner(optionflags=_OPTIONS)
        with shown_warnings():
            result = runner.run(test, out=report.append, clear_globs=False)
        if result.failed:
            pytest.fail("".join(report), pytrace=False)


def run_mypy(block: Block) -> None:
    """Check ``block`` as ``example.py`` with mypy (strict, protocall's plugin)."""
    pytest.importorskip("mypy", reason="mypy is in the dev extra")
    assert block.expected is not None
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "example.py").write_text(block.code, encoding="utf-8")
        Path(folder, "mypy.ini").write_text(
            "[mypy]\nstrict = True\nplugins = protocall.mypy_plugin\n", encoding="utf-8"
        )
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "mypy",
                "--config-file",
                "mypy.ini",
                "--cache-dir",
                str(ROOT / ".cache" / "mypy-docs"),
                "--no-error-summary",
                "--hide-error-context",
                "--no-color-output",
                "--no-pretty",
                "example.py",
            ],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    assert result.returncode in (0, 1), result.stdout + result.stderr
    if not doctest.OutputChecker().check_output(block.expected, result.stdout, _OPTIONS):
        pytest.fail(
            f"{block.where}: mypy's diagnostics differ from the page's.\n--- the page shows:\n"
            f"{block.expected}--- mypy reported:\n{result.stdout}",
        )


_RUNS: dict[Path, PageRun] = {}


@pytest.fixture(scope="module", autouse=True)
def _forget_pages() -> Iterator[None]:
    """Drop the pages' modules at the end, so that nothing they define outlives this module."""
    yield
    for run in _RUNS.values():
        sys.modules.pop(run.module.__name__, None)
    _RUNS.clear()


def page_run(page: Path) -> PageRun:
    run = _RUNS.get(page)
    if run is None:
        name = "docs_" + re.sub(r"\W", "_", page.relative_to(DOCS).with_suffix("").as_posix())
        module = types.ModuleType(name)
        sys.modules[name] = module
        run = _RUNS[page] = PageRun(page, module)
    return run


@pytest.mark.parametrize("block", ALL_BLOCKS, ids=[block.where for block in ALL_BLOCKS])
def test_doc_block(block: Block) -> None:
    page_run(block.page).through(block)


def test_the_docs_have_pages_and_blocks() -> None:
    assert len(PAGES) >= 10
    assert len(ALL_BLOCKS) >= 50


@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_every_fence_is_run_or_declared_shown_only(page: Path) -> None:
    """A fence in another language (``py``, ``python3``, none) would silently escape the tests."""
    for fence in fences(page):
        assert fence.lang in ("python", "pycon") or fence.lang in SHOWN_ONLY, (
            f"{page.name}:{fence.line}: fence language {fence.lang!r}: use python or pycon (run), "
            f"or one of {sorted(SHOWN_ONLY)} (shown only)"
        )
        assert fence.requires is None or fence.lang in ("python", "pycon")


def test_every_page_is_in_the_navigation() -> None:
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for page in PAGES:
        assert page.relative_to(DOCS).as_posix() in config, (
            f"{page.name} is not in mkdocs.yml's nav"
        )


def test_the_site_builds_strictly(tmp_path: Path) -> None:
    """``mkdocs build --strict``: no broken link or anchor, every API reference resolves."""
    for module in ("mkdocs", "material", "mkdocstrings_handlers.python"):
        pytest.importorskip(module, reason="the docs extra is not installed")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
