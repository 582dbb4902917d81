"""`vaultc site` after an edit: only the pages whose HTML changes are rendered again, by vaultc and
by MkDocs (site/keys.py, site/partial.py), and the site comes out byte for byte as a full build of
the same docs makes it. Anything the stamp cannot vouch for is a full build; a warning still fails."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from compiler.cli import main

ROOT = Path(__file__).parent.parent
TODAY = "2026-11-22"
STAMP = ".vaultc-built.json"

PAGES = {
    "tickers/ACME.md": "---\ntype: ticker\nticker: ACME\nlayers: ['[[Chips]]']\n---\n# Acme\n\n"
                       "Acme makes parts for [[Chips]]; see [[Notes#Second]].\n\n- a list\n- of two\n",
    "layers/Chips.md": "---\ntype: layer\n---\n# Chips\n\nThe layer. #semis\n\n![[Notes#Second]]\n",
    "Notes.md": "# Notes\n\n## First\n\nSome prose.\n\n## Second\n\nShared section text.\n",
    "Other.md": "# Other\n\nLinks to [[Notes]] and [[Acme|the company]].\n\n| a | b |\n|---|---|\n| [[Chips]] | 2 |\n",
}


@pytest.fixture
def project(make_vault, tmp_path):
    vault = make_vault(PAGES)
    config = tmp_path / "mkdocs.yml"
    config.write_text(f"INHERIT: {ROOT / 'mkdocs.yml'}\ndocs_dir: docs\nsite_dir: site\n")
    return vault, config


def site(vault: Path, config: Path, capsys) -> tuple[int, str]:
    code = main(["site", str(vault), "--today", TODAY, "--mkdocs-config", str(config)])
    return code, capsys.readouterr().err


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
            if p.is_file() and p.name != STAMP}


def full_build(config: Path, out: Path) -> dict[str, bytes]:
    """What `mkdocs build --strict` makes of the same docs tree."""
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f", str(config), "-d", str(out)],
                   check=True, capture_output=True)
    return files(out)


def mtimes(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in folder.rglob("*.html")}


def test_a_prose_edit_renders_one_page_and_the_site_is_as_a_full_build_makes_it(project, tmp_path, capsys):
    vault, config = project
    assert site(vault, config, capsys)[0] == 0
    before = mtimes(tmp_path / "site")
    page = vault / "Other.md"
    page.write_text(page.read_text() + "\nOne sentence more, and a word: zanzibarite.\n")
    code, err = site(vault, config, capsys)
    assert code == 0 and "rebuilt the 1 changed file(s)" in err
    after = mtimes(tmp_path / "site")
    assert {path for path in after if after[path] != before[path]} == {"Other.html"}
    assert "zanzibarite" in (tmp_path / "site" / "Other.html").read_text()
    assert "zanzibarite" in (tmp_path / "site" / "search" / "search_index.json").read_text()
    assert files(tmp_path / "site") == full_build(config, tmp_path / "full")
    code, err = site(vault, config, capsys)
    assert code == 0 and "the site is up to date" in err  # nothing changed: nothing is built
    assert mtimes(tmp_path / "site") == after


def test_an_edit_to_an_embedded_section_renders_the_page_that_shows_it(project, tmp_path, capsys):
    vault, config = project
    assert site(vault, config, capsys)[0] == 0
    notes = vault / "Notes.md"
    notes.write_text(notes.read_text().replace("Shared section text.", "Shared section, rewritten."))
    code, err = site(vault, config, capsys)
    assert code == 0 and "rebuilt the" in err
    assert "Shared section, rewritten." in (tmp_path / "site" / "layers" / "Chips.html").read_text()
    assert files(tmp_path / "site") == full_build(config, tmp_path / "full")


@pytest.mark.parametrize("edit", ["new page", "renamed heading", "removed page", "configuration"])
def test_pages_that_come_or_go_are_built_and_removed_and_another_configuration_builds_it_whole(
        project, tmp_path, capsys, edit):
    vault, config = project
    assert site(vault, config, capsys)[0] == 0
    if edit == "new page":
        (vault / "New.md").write_text("# New\n\nLinks to [[Notes]].\n")
    elif edit == "renamed heading":
        notes = vault / "Notes.md"
        notes.write_text(notes.read_text().replace("## First", "## Opening"))
    elif edit == "removed page":
        (vault / "Other.md").unlink()
    else:
        config.write_text(config.read_text() + "site_name: Another name\n")
    code, err = site(vault, config, capsys)
    assert code == 0
    if edit == "configuration":
        assert "mkdocs build --strict took" in err
    else:
        assert "rebuilt the" in err
    if edit == "new page":
        assert "Links to" in (tmp_path / "site" / "New.html").read_text()
    if edit == "removed page":
        assert not (tmp_path / "site" / "Other.html").exists()
    assert files(tmp_path / "site") == full_build(config, tmp_path / "full")


def test_a_warning_in_a_partial_rebuild_fails_and_leaves_the_site_as_it_was(project, tmp_path, capsys):
    vault, config = project
    assert site(vault, config, capsys)[0] == 0
    shown = (tmp_path / "site" / "Other.html").read_bytes()
    page = vault / "Other.md"
    page.write_text(page.read_text() + '\nSee <a href="Notes.md#nowhere">this</a>.\n')
    for _ in range(2):  # and again: the failed pages are still to build
        code, err = site(vault, config, capsys)
        assert code == 2 and "WARNING" in err and "nowhere" in err
        assert (tmp_path / "site" / "Other.html").read_bytes() == shown


def test_a_docs_file_changed_by_hand_is_written_again(project, tmp_path, capsys):
    vault, config = project
    assert site(vault, config, capsys)[0] == 0
    doc = tmp_path / "docs" / "Other.md"
    written = doc.read_text()
    doc.write_text(written.replace("the company", "tampered"))
    assert site(vault, config, capsys)[0] == 0
    assert doc.read_text() == written
    assert "tampered" not in (tmp_path / "site" / "Other.html").read_text()


def test_a_site_with_a_plugin_that_gathers_from_every_page_is_built_whole(project, tmp_path, capsys):
    vault, config = project
    config.write_text(config.read_text() + "plugins:\n  - search\n  - offline\n  - vaultc-sanitize\n  - tags\n")
    assert site(vault, config, capsys)[0] == 0
    page = vault / "Other.md"
    page.write_text(page.read_text() + "\nOne sentence more.\n")
    code, err = site(vault, config, capsys)
    assert code == 0 and "mkdocs build --strict took" in err


def test_the_query_pages_graph_is_exported_again_only_when_the_graph_changes(project, tmp_path, capsys):
    vault, config = project
    assert site(vault, config, capsys)[0] == 0
    dataset = tmp_path / "docs" / "vaultc" / "assets" / "vault.trig"
    first = dataset.stat().st_mtime_ns
    page = vault / "Other.md"
    page.write_text(page.read_text() + "\nProse that states nothing the graph holds.\n")
    assert site(vault, config, capsys)[0] == 0
    assert dataset.stat().st_mtime_ns == first
    page.write_text(page.read_text() + "\nRevenue was $5B in Q1 2026, per [[Notes]].\n")
    assert site(vault, config, capsys)[0] == 0
    assert dataset.stat().st_mtime_ns != first and "Revenue was $5B in Q1 2026" in dataset.read_text()
    assert files(tmp_path / "site") == full_build(config, tmp_path / "full")


def test_without_a_navigation_of_its_own_a_new_page_builds_the_whole_site(make_vault, tmp_path, capsys):
    """With no `nav:`, MkDocs lists every page in every page's navigation: a page that comes or
    goes changes them all."""
    vault = make_vault(PAGES)
    text = (ROOT / "mkdocs.yml").read_text()
    start = text.index("\nnav:\n")
    end = text.index("\n\n", start + 1)
    config = tmp_path / "mkdocs.yml"
    config.write_text((text[:start] + text[end:]).replace("docs_dir: build/docs", "docs_dir: docs"))
    assert site(vault, config, capsys)[0] == 0
    (vault / "New.md").write_text("# New\n\nLinks to [[Notes]].\n")
    code, err = site(vault, config, capsys)
    assert code == 0 and "mkdocs build --strict took" in err
    assert files(tmp_path / "site") == full_build(config, tmp_path / "full")
