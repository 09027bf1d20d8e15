# Partial stubs for jedi (which ships no py.typed): what protocall's tests use to ask jedi for
# completions. Checked against the installed jedi by tests/test_static_checks.py (stubtest).
from jedi.api import Script as Script
from jedi.api.environment import Environment as Environment
from jedi.api.environment import InvalidPythonEnvironment as InvalidPythonEnvironment
from jedi.api.environment import get_default_environment as get_default_environment
from jedi.api.project import Project as Project
from jedi.api.project import get_default_project as get_default_project

__version__: str
