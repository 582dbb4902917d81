"""`vaultc diff`: the knowledge graph before and after, from a git revision or another vault folder."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

VAULT = Path(__file__).resolve().parent.parent / "vault"
TODAY = "2026-12-07"
CLAIM = "Memory-layer gross margins are 35–50% on an HBM pool of ~$55B {} per the agentic primer."


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args], cwd=repo,
                          check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path):
    """A git repository holding the bundled vault in `research/`, and a second commit that moves MU
    to another layer, deletes the cooling constraint and dates one of SK hynix's claims into
    staleness."""
    root = tmp_path / "repo"
    shutil.copytree(VAULT, root / "research")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    vault = root / "research"
    mu = vault / "tickers/MU.md"
    mu.write_text(mu.read_text().replace('layers: ["[[L2-memory-interconnect]]"]', 'layers: ["[[L1-chip-design]]"]'))
    hynix = vault / "tickers/000660.KS.md"
    text = hynix.read_text()
    assert CLAIM.format("in 2026,") in text
    hynix.write_text(text.replace(CLAIM.format("in 2026,"), CLAIM.format("as of 2024,")))
    git(root, "rm", "-q", "research/constraints/cooling.md")
    git(root, "commit", "-qam", "change")
    return vault


def test_diff_from_a_revision_lists_exactly_what_the_commit_did(repo, run):
    status = git(repo.parent, "status", "--porcelain")
    head = git(repo.parent, "rev-parse", "HEAD")
    code, out, err = run("diff", repo, "--base", "HEAD~1", "--format", "json", "--today", TODAY, "--no-cache")
    assert code == 0, err
    data = json.loads(out)
    assert data["changed"] and data["removed"] == ["constraints/cooling.md"] and not data["added"]
    assert data["edges_added"] == [["tickers/MU.md", "layers", "layers/L1-chip-design.md"]]
    assert ["tickers/MU.md", "layers", "layers/L2-memory-interconnect.md"] in data["edges_removed"]
    assert {tuple(e) for e in data["edges_removed"]} - {("tickers/MU.md", "layers", "layers/L2-memory-interconnect.md")} \
        == {(company, "constraints", "constraints/cooling.md")
            for company in ("tickers/2308.md", "tickers/APLD.md", "tickers/Cerebras.md", "tickers/DELL.md",
                            "tickers/SMCI.md", "tickers/VRT.md")}
    # every new dangling link names the deleted page, by its name or one of its aliases
    assert data["dangling_new"] and {t for _, _, t in data["dangling_new"]} == {"cooling", "liquid cooling", "thermal"}
    assert not data["dangling_fixed"]
    assert data["claims_flagged"] == [["tickers/000660.KS.md", 39, "stale", CLAIM.format("as of 2024,")]]
    assert not data["claims_added"]
    assert {path for path, _ in data["claims_removed"]} == {"constraints/cooling.md"}  # the page's own claims
    # nothing of the working tree, the index or HEAD was touched
    assert git(repo.parent, "status", "--porcelain") == status and git(repo.parent, "rev-parse", "HEAD") == head

    code, markdown, _ = run("diff", repo, "--base", "HEAD~1", "--format", "markdown", "--today", TODAY, "--no-cache")
    assert code == 0 and markdown.startswith("### vaultc diff\n")
    assert ("- **Micron Technology (MU)** (`tickers/MU.md`) — layers: **L1: Chip Design** "
            "(`layers/L1-chip-design.md`)") in markdown
    assert "#### Pages removed\n\n- **Cooling** (`constraints/cooling.md`)\n" in markdown
    assert "line 39 (stale): Memory-layer gross margins" in markdown


def test_identical_trees_say_nothing_changed(repo, run, tmp_path):
    code, out, _ = run("diff", repo, "--base", "HEAD", "--today", TODAY, "--no-cache")
    assert (code, out) == (0, "No change in the knowledge graph from HEAD to working tree.\n")
    other = tmp_path / "copy"
    shutil.copytree(repo, other)
    code, out, _ = run("diff", repo, "--against", other, "--format", "markdown", "--today", TODAY, "--no-cache")
    assert code == 0 and "No change in the knowledge graph" in out


def test_a_renamed_page_is_one_move(make_vault, run, tmp_path):
    before = make_vault({"a/Note.md": "# Note\n\nText.\n", "b.md": "[[Note]]\n"}, name="before")
    after = make_vault({"c/Note.md": "# Note\n\nText.\n", "b.md": "[[Note]]\n"}, name="after")
    code, out, _ = run("diff", after, "--against", before, "--format", "json", "--no-cache")
    data = json.loads(out)
    assert data["renamed"] == [["a/Note.md", "c/Note.md"]] and not data["added"] and not data["removed"]


def test_errors_are_one_line_and_exit_2(make_vault, run, tmp_path):
    vault = make_vault({"a.md": "# A\n"})
    code, _, err = run("diff", vault, "--base", "HEAD")
    assert code == 2 and "not in a git repository" in err
    code, _, err = run("diff", vault, "--against", tmp_path / "nowhere")
    assert code == 2 and "vault folder not found" in err
