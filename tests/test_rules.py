"""Each rule on a tiny vault of its own, plus severities, --select/--ignore, suppression and baseline."""
from __future__ import annotations

import json

from compiler.rules import REGISTRY


def rules_of(data):
    return sorted((f["rule"], f["path"], f["line"]) for f in data["findings"])


def test_registry_has_the_spec_rules_with_default_severities():
    assert {k: v.severity.label for k, v in REGISTRY.items()} == {
        "dangling-link": "error", "missing-heading": "error", "ambiguous-link": "warning",
        "stale-claim": "warning", "overdue-claim": "warning", "frontmatter": "error",
        "duplicate-alias": "warning", "orphan-page": "info", "unreadable-file": "error",
        "unknown-type": "info", "reserved-field": "warning", "query-error": "error"}
    assert all(rule.summary and not rule.summary.startswith(rule.id) for rule in REGISTRY.values())


def test_dangling_and_missing_heading(make_vault, check_json):
    vault = make_vault({"a.md": "[[b#Nope]] [[c]]\n", "b.md": "# B\n"})
    assert rules_of(check_json(vault, "--select", "dangling-link,missing-heading")) == [
        ("dangling-link", "a.md", 1), ("missing-heading", "a.md", 1)]


def test_ambiguous_link(make_vault, check_json):
    vault = make_vault({"a.md": "[[N]]\n", "x/N.md": "", "y/N.md": ""})
    data = check_json(vault, "--select", "ambiguous-link")
    assert rules_of(data) == [("ambiguous-link", "a.md", 1)]
    assert data["exit"] == 0  # a warning does not fail at the default --fail-on error


def test_frontmatter_types(make_vault, check_json):
    vault = make_vault({
        "t.md": "---\ntype: ticker\nname: No ticker key\n---\n",
        "u.md": "---\ntype: widget\n---\n",
        "d.md": "---\ntype: source\npublished: last spring\nupdated: 2026-02-30\n---\n",
        "l.md": "---\ntype: ticker\nticker: X\nlayers: [[L1]]\nsector: Semis\nfiscal_year_end: Smarch\n---\n",
        "y.md": "---\ntype: [broken\n---\n",
        "ok.md": "---\ntype: ticker\nticker: OK\nfiscal_year_end: Jan\nlayers: [\"[[L1]]\"]\nupdated: 2026-01-02\n---\n",
        "L1.md": "---\ntype: layer\ncode: L1\n---\n",
    })
    data = check_json(vault, "--select", "frontmatter")
    messages = {(f["path"], f["line"]): f["message"] for f in data["findings"]}
    assert "needs 'ticker'" in messages[("t.md", 2)]
    assert ("u.md", 2) not in messages  # an unknown type is no frontmatter error: unknown-type says it
    assert "'published' must be a date" in messages[("d.md", 3)]
    assert ("d.md", 4) in messages  # 2026-02-30 is no date
    assert "unquoted" in messages[("l.md", 4)]
    assert "must hold links" in messages[("l.md", 5)]
    assert "must be a month" in messages[("l.md", 6)]
    assert "unparsable YAML" in messages[("y.md", 2)]
    assert not any(path in ("ok.md", "L1.md") for path, _ in messages)


def test_duplicate_alias_and_orphans(make_vault, check_json):
    vault = make_vault({"a.md": "---\naliases: [Same]\n---\n[[b]]\n", "b.md": "---\naliases: [same]\n---\n[[a]]\n",
                        "lonely.md": "nobody links here\n"})
    data = check_json(vault, "--select", "duplicate-alias,orphan-page")
    assert rules_of(data) == [("duplicate-alias", "a.md", 2), ("duplicate-alias", "b.md", 2),
                              ("orphan-page", "lonely.md", 1)]


def test_unreadable_files_do_not_stop_the_run(make_vault, check_json):
    vault = make_vault({"latin1.md": "caf\xe9 [[x]]\n".encode("latin-1"), "bin.md": b"\x00\x01\x02",
                        "ok.md": "[[gone]]\n", "big.md": "x" * 2000})
    (vault / "vaultc.toml").write_text("max_file_bytes = 1000\n")
    data = check_json(vault, "--ignore", "orphan-page")
    assert rules_of(data) == [("dangling-link", "ok.md", 1), ("unreadable-file", "big.md", 1),
                              ("unreadable-file", "bin.md", 1), ("unreadable-file", "latin1.md", 1)]
    messages = " ".join(f["message"] for f in data["findings"])
    assert "UTF-8" in messages and "NUL" in messages and "limit" in messages


def test_a_page_that_changed_size_after_discovery_is_read_whole_or_refused(tmp_path):
    """read_page reads what discovery saw plus what the file grew by since, up to the limit."""
    from compiler.discover import read_page
    from compiler.model import SourceFile

    page = tmp_path / "p.md"
    page.write_text("one\ntwo [[x]]\n" * 20)
    whole = page.read_text()
    for seen in (0, 5, len(whole) - 1, len(whole), len(whole) + 50):  # grew, unchanged, shrank
        assert read_page(SourceFile("p.md", str(page), seen, True), 1000) == (whole, None)
    text, problem = read_page(SourceFile("p.md", str(page), 10, True), len(whole) - 1)
    assert text is None and "grew over the" in problem.message


def test_severity_overrides_select_ignore_and_fail_on(make_vault, check_json, run):
    vault = make_vault({"a.md": "[[gone]]\n", "b.md": "[[a]]\n"})
    (vault / "vaultc.toml").write_text('[severity]\ndangling-link = "warning"\norphan-page = "off"\n')
    data = check_json(vault)
    assert [(f["rule"], f["severity"]) for f in data["findings"]] == [("dangling-link", "warning")]
    assert data["exit"] == 0
    assert check_json(vault, "--fail-on", "warning")["exit"] == 1
    assert check_json(vault, "--ignore", "dangling-link")["findings"] == []
    code, _, err = run("check", vault, "--select", "no-such-rule")
    assert code == 2 and err.count("\n") == 1 and "unknown rule" in err


def test_inline_suppression(make_vault, check_json):
    vault = make_vault({"a.md": "<!-- vaultc: ignore dangling-link -->\n[[gone]]\n\n[[also-gone]] <!-- vaultc: ignore -->\n\n[[kept]]\n"})
    assert rules_of(check_json(vault, "--select", "dangling-link")) == [("dangling-link", "a.md", 6)]


def test_baseline_excuses_known_findings_but_not_new_ones(make_vault, check_json, run, tmp_path):
    vault = make_vault({"a.md": "[[gone]]\n"})
    baseline = tmp_path / "baseline.json"
    code, _, _ = run("check", vault, "--write-baseline", baseline)
    assert code == 0 and json.loads(baseline.read_text())["findings"]
    assert check_json(vault, "--baseline", baseline)["exit"] == 0
    (vault / "a.md").write_text("moved down\n\n[[gone]]\n")  # lines move: still known
    assert check_json(vault, "--baseline", baseline)["exit"] == 0
    (vault / "a.md").write_text("[[gone]] [[new-gone]]\n")
    data = check_json(vault, "--baseline", baseline)
    assert data["exit"] == 1 and [f["target"] for f in data["findings"]] == ["new-gone"]


def test_usage_and_config_errors_exit_2_with_one_line(make_vault, run):
    code, _, err = run("check", "/no/such/vault")
    assert code == 2 and err.count("\n") == 1
    vault = make_vault({"a.md": ""})
    (vault / "vaultc.toml").write_text("max_age_days = -3\n")
    code, _, err = run("check", vault)
    assert code == 2 and "max_age_days" in err and err.count("\n") == 1
    code, _, err = run("check", vault, "--format", "yaml")
    assert code == 2 and err.count("\n") == 1


def test_vaultc_never_writes_inside_the_vault(make_vault, run, tmp_path):
    import hashlib

    vault = make_vault({"a.md": "[[gone]]\n", "b.md": "---\ntype: note\n---\n"})

    def digest():
        return sorted((str(p.relative_to(vault)), hashlib.sha256(p.read_bytes()).hexdigest())
                      for p in vault.rglob("*"))

    before = digest()
    for fmt in ("text", "json", "sarif", "github", "junit"):
        run("check", vault, "--format", fmt)
    run("claims", vault, "--format", "json")
    run("check", vault, "--write-baseline", tmp_path / "b.json")
    assert digest() == before


def test_unknown_types_are_info_unless_configured(make_vault, check_json):
    vault = make_vault({
        "u.md": "---\ntype: widget\n---\n",
        "p.md": "---\ntype: person\n---\n",
        "vaultc.toml": 'types = ["person"]\n',
    })
    data = check_json(vault, "--select", "unknown-type,frontmatter")
    assert [(f["rule"], f["severity"], f["path"], f["line"]) for f in data["findings"]] == [
        ("unknown-type", "info", "u.md", 2)]
    assert data["exit"] == 0


def test_empty_properties_are_no_values(make_vault, check_json):
    """As Obsidian shows them: `aliases:` with nothing, a list with empty items, an empty date."""
    vault = make_vault({
        "a.md": "---\naliases:\ntags:\n  -\n  - ok\nupdated:\nlayers:\n---\n# A\n",
        "b.md": "---\naliases: []\ntags: [\"\", \"x\"]\npublished: ''\ntype: source\n---\n# B\n",
    })
    data = check_json(vault, "--select", "frontmatter")
    assert data["findings"] == []
