"""What users install and copy: the console script, the pre-commit hook, the README's promises."""
from __future__ import annotations

import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).parent.parent


def test_console_script_and_module_entry_point():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["name"] == "vaultc"
    assert project["scripts"]["vaultc"] == "compiler.cli:run"
    assert (ROOT / "compiler" / "__main__.py").is_file()


def test_pre_commit_hook():
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "vaultc-check" and hook["entry"].startswith("vaultc check")
    assert hook["pass_filenames"] is False and hook["always_run"] is True


def test_readme_first_screen_gives_the_two_commands():
    first_screen = "\n".join((ROOT / "README.md").read_text().splitlines()[:15])
    assert "make site" in first_screen and "make test" in first_screen


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
