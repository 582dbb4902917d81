"""What users install and copy: the console script, the pre-commit hook, the README's promises."""
from __future__ import annotations

import tomllib
from pathlib import Path

import yaml

from compiler.cli import build_parser

ROOT = Path(__file__).parent.parent


def test_console_script_and_module_entry_point():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["name"] == "vaultc"
    assert project["scripts"]["vaultc"] == "compiler.cli:run"
    assert (ROOT / "compiler" / "__main__.py").is_file()


def test_pre_commit_hooks():
    check, diff = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert check["id"] == "vaultc-check" and check["entry"].startswith("vaultc check")
    assert diff["id"] == "vaultc-diff" and diff["entry"] == "vaultc diff --base HEAD"
    assert diff["stages"] == ["manual"]  # a report to read, run on demand: it never fails a commit
    for hook in (check, diff):
        assert hook["pass_filenames"] is False and hook["always_run"] is True
        build_parser().parse_args([*hook["entry"].split()[1:], "vault"])  # what pre-commit runs parses


def test_readme_workflow_installs_vaultc_from_its_repository():
    readme = (ROOT / "README.md").read_text()
    workflow = yaml.safe_load(readme.split("```yaml\nname: vault\n", 1)[1].split("```", 1)[0])
    steps = [step.get("run", "") for job in workflow["jobs"].values() for step in job["steps"]]
    assert "pip install vaultc" not in "\n".join(steps)  # not on PyPI: that name would fetch another package
    assert workflow["env"]["VAULTC"].startswith("vaultc @ git+https://")
    assert sum('pip install "$VAULTC"' in run for run in steps) == 2
    assert any(run.startswith("vaultc diff vault --base") and "--format markdown" in run for run in steps)
    assert any("gh pr comment" in run for run in steps)


def test_readme_first_screen_gives_the_two_commands():
    first_screen = "\n".join((ROOT / "README.md").read_text().splitlines()[:15])
    assert "make site" in first_screen and "make test" in first_screen


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
