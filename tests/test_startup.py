"""`review --help` stays fast: the CLI loads no heavy library, and every module imports alone."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import review

HEAVY = ("pandas", "scipy", "matplotlib", "sklearn", "numpy", "bibtexparser", "rapidfuzz")


def test_importing_cli_loads_no_heavy_library():
    code = "import sys, review.cli; print(','.join(m for m in %r if m in sys.modules))" % (HEAVY,)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_help_runs_and_lists_commands():
    out = subprocess.run([sys.executable, "-m", "review", "--help"], capture_output=True, text=True)
    assert out.returncode == 0
    for command in ("init", "check", "import", "convert", "status"):
        assert command in out.stdout


MODULES = sorted(m.name for m in pkgutil.walk_packages(review.__path__, "review.") if not m.name.endswith("__main__"))


@pytest.mark.parametrize("module", MODULES)
def test_each_module_imports_in_a_fresh_interpreter(module):
    """Catches import cycles and modules that only work when imported after others."""
    out = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


def _commands():
    import typer

    from review.cli import app

    def walk(cmd, path):
        subs = getattr(cmd, "commands", None)
        if subs:
            for name, sub in subs.items():
                yield from walk(sub, path + [name])
        else:
            yield path, cmd

    return list(walk(typer.main.get_command(app), []))


@pytest.mark.parametrize("path,cmd", _commands(), ids=[" ".join(p) for p, _ in _commands()])
def test_every_command_has_help_with_an_example(path, cmd):
    assert cmd.help and "Example" in cmd.help, f"review {' '.join(path)} --help has no example"
