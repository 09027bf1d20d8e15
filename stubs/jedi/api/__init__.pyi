from os import PathLike

from jedi.api.classes import Completion, Name, Signature
from jedi.api.environment import Environment
from jedi.api.project import Project

class Script:
    path: PathLike[str] | None
    def __init__(
        self,
        code: str | None = None,
        *,
        path: str | PathLike[str] | None = None,
        environment: Environment | None = None,
        project: Project | None = None,
    ) -> None: ...
    def complete(
        self, line: int | None = None, column: int | None = None, *, fuzzy: bool = False
    ) -> list[Completion]: ...
    def infer(
        self,
        line: int | None = None,
        column: int | None = None,
        *,
        only_stubs: bool = False,
        prefer_stubs: bool = False,
    ) -> list[Name]: ...
    def goto(
        self,
        line: int | None = None,
        column: int | None = None,
        *,
        follow_imports: bool = False,
        follow_builtin_imports: bool = False,
        only_stubs: bool = False,
        prefer_stubs: bool = False,
    ) -> list[Name]: ...
    def get_signatures(
        self, line: int | None = None, column: int | None = None
    ) -> list[Signature]: ...
