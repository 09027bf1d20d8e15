from collections.abc import Sequence
from os import PathLike
from pathlib import Path

class Project:
    def __init__(
        self,
        path: str | PathLike[str],
        *,
        environment_path: str | None = None,
        load_unsafe_extensions: bool = False,
        sys_path: list[str] | None = None,
        added_sys_path: Sequence[str] = (),
        smart_sys_path: bool = True,
    ) -> None: ...
    @property
    def path(self) -> Path: ...
    @property
    def sys_path(self) -> list[str] | None: ...

def get_default_project(path: str | PathLike[str] | None = None) -> Project: ...
