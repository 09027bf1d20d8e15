"""The distributions: what ``pip install protocall`` would get, built and installed as a user would.

The sdist and the wheel are built once for the module (``python -m build``), checked with
``twine check``, and the wheel is installed, with its dependencies from the index, into a fresh
virtual environment that sees nothing of this checkout. There the package must import, carry its
``py.typed`` marker, and serve as a mypy plugin. Set ``PROTOCALL_SKIP_PACKAGING=1`` to skip these
tests (they build and install, which takes some seconds); they run by default and in CI.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import venv
import zipfile
from collections.abc import Mapping, Sequence
from importlib.metadata import version
from pathlib import Path
from typing import NamedTuple

import pytest
from _tools import REPO_ROOT

pytestmark = pytest.mark.skipif(
    os.environ.get("PROTOCALL_SKIP_PACKAGING") == "1",
    reason="PROTOCALL_SKIP_PACKAGING=1 skips building and installing the distributions",
)


class Dists(NamedTuple):
    sdist: Path
    wheel: Path


def run(
    args: Sequence[str | Path], *, cwd: Path, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a command to completion, capturing its output (the caller checks the status)."""
    return subprocess.run(
        [str(arg) for arg in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def run_ok(
    args: Sequence[str | Path], *, cwd: Path, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a command that must succeed; on failure the assertion shows its output."""
    result = run(args, cwd=cwd, env=env)
    assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result


def outside_env() -> dict[str, str]:
    """The environment without what would let a subprocess see this checkout or its venv."""
    hidden = {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"}
    return {key: value for key, value in os.environ.items() if key not in hidden}


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> Dists:
    """The sdist and the wheel, built once (the wheel from the sdist, as ``build`` does)."""
    out = tmp_path_factory.mktemp("dist")
    run_ok([sys.executable, "-m", "build", "--outdir", out, REPO_ROOT], cwd=out)
    (sdist,) = out.glob("protocall-*.tar.gz")
    (wheel,) = out.glob("protocall-*.whl")
    return Dists(sdist, wheel)


@pytest.fixture(scope="module")
def installed(dists: Dists, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``bin`` directory of a fresh venv with the wheel (and its dependencies) and the mypy
    of this test run installed."""
    root = tmp_path_factory.mktemp("venv")
    venv.EnvBuilder(with_pip=True).create(root)
    bin_dir = root / "bin"
    pip: list[str | Path] = [bin_dir / "python", "-m", "pip", "install", "--quiet"]
    run_ok([*pip, dists.wheel, f"mypy=={version('mypy')}"], cwd=root, env=outside_env())
    return bin_dir


def test_twine_check_passes_on_the_sdist_and_the_wheel(dists: Dists) -> None:
    result = run_ok([sys.executable, "-m", "twine", "check", "--strict", *dists], cwd=REPO_ROOT)
    assert result.stdout.count("PASSED") == 2, result.stdout


def test_the_wheel_carries_the_package_its_marker_and_the_license(dists: Dists) -> None:
    with zipfile.ZipFile(dists.wheel) as wheel:
        names = set(wheel.namelist())
    assert {"protocall/__init__.py", "protocall/__main__.py", "protocall/py.typed"} <= names
    assert any(name.endswith(".dist-info/licenses/LICENSE") for name in names), sorted(names)
    assert not any(name.startswith("tests/") for name in names)


def test_the_wheel_requires_typing_extensions_only(dists: Dists) -> None:
    with zipfile.ZipFile(dists.wheel) as wheel:
        (metadata,) = (name for name in wheel.namelist() if name.endswith(".dist-info/METADATA"))
        lines = wheel.read(metadata).decode().splitlines()
    requires = [line for line in lines if line.startswith("Requires-Dist:")]
    assert [line for line in requires if "extra ==" not in line] == [
        "Requires-Dist: typing-extensions>=4.10"
    ]


def test_the_sdist_carries_the_license_and_the_marker(dists: Dists) -> None:
    with tarfile.open(dists.sdist) as sdist:
        names = {name.partition("/")[2] for name in sdist.getnames()}
    assert {"LICENSE", "README.md", "pyproject.toml", "src/protocall/py.typed"} <= names


def test_the_installed_wheel_imports_from_the_venv(installed: Path, tmp_path: Path) -> None:
    code = "import protocall; print(protocall.__file__); print(protocall.__version__)"
    result = run_ok([installed / "python", "-c", code], cwd=tmp_path, env=outside_env())
    location, _ = result.stdout.splitlines()
    assert Path(location).is_relative_to(installed.parent), location
    assert (Path(location).parent / "py.typed").is_file()


MYPY_CASE = """\
from typing import Protocol

from protocall import CallbackManager


class Hooks(Protocol):
    def on_step(self, *, loss: float) -> None: ...


class Logger:
    def on_step(self, *, loss: float) -> None:
        print(loss)


manager = CallbackManager(Hooks, [Logger()])
manager.call.on_step(loss=1.0)
manager.emit("on_stpe", loss=1.0)
"""


def test_mypy_runs_with_the_plugin_of_the_installed_wheel(installed: Path, tmp_path: Path) -> None:
    """``plugins = protocall.mypy_plugin`` loads, and reports the misspelled hook name and
    nothing else (so the installed package is also typed, through ``py.typed``)."""
    (tmp_path / "case.py").write_text(MYPY_CASE)
    config = "[mypy]\nstrict = True\nplugins = protocall.mypy_plugin\n"
    (tmp_path / "mypy.ini").write_text(config)
    mypy: list[str | Path] = [installed / "python", "-m", "mypy", "--config-file", "mypy.ini"]
    result = run([*mypy, "case.py"], cwd=tmp_path, env=outside_env())
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    assert result.returncode == 1, result.stdout + result.stderr
    assert len(errors) == 1, result.stdout
    assert errors[0].startswith("case.py:17: error: ")
    assert errors[0].endswith("[protocall-unknown-hook]")
