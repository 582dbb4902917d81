"""Bad input never crashes a run, and nothing outside the vault is read."""
from __future__ import annotations

import os

from compiler.analyse import compile_vault
from compiler.config import Config


def test_bom_crlf_empty_and_odd_files_parse(make_vault, check_json):
    vault = make_vault({
        "bom.md": "\ufeff---\ntype: note\n---\r\n# Title\r\n\r\n[[crlf]]\r\n".encode("utf-8"),
        "crlf.md": b"---\r\ntype: note\r\n---\r\nSee [[bom]] and [[gone]].\r\n",
        "empty.md": b"",
        "only-dashes.md": "---\n",
        "list-yaml.md": "---\n- a\n- b\n---\n",
    })
    data = check_json(vault, "--select", "dangling-link,frontmatter")
    found = sorted((f["rule"], f["path"], f["line"], f["column"]) for f in data["findings"])
    assert found == [("dangling-link", "crlf.md", 4, 17), ("frontmatter", "list-yaml.md", 2, 1)]


def test_symlinks_out_of_the_vault_and_loops_are_not_followed(make_vault, tmp_path, check_json):
    secret = tmp_path / "outside" / "secret.md"
    secret.parent.mkdir()
    secret.write_text("[[should-never-be-read]]\n")
    vault = make_vault({"a.md": "[[secret]] [[inside-link]]\n", "real/inside.md": "# Inside\n"})
    os.symlink(secret, vault / "secret.md")
    os.symlink(vault / "real" / "inside.md", vault / "inside-link.md")
    os.symlink(vault, vault / "loop")  # a folder symlink back to the root
    os.symlink(tmp_path / "outside", vault / "escape")
    data = check_json(vault)
    rules = sorted((f["rule"], f["path"]) for f in data["findings"] if f["rule"] != "orphan-page")
    assert ("unreadable-file", "secret.md") in rules
    assert not any("should-never-be-read" in f.get("target", "") for f in data["findings"])
    vault_obj = compile_vault(vault, Config())
    assert "inside-link.md" in vault_obj.pages  # a symlink that stays inside is a page
    assert not any(p.startswith(("loop/", "escape/")) for p in vault_obj.pages)


def test_discovery_by_folder_descriptor_lists_what_listing_by_path_lists(make_vault, tmp_path, monkeypatch):
    """Folders are listed through an open descriptor where the platform can (each stat then looks up
    one name), else by path: both give the same files, reasons and absolute paths."""
    from compiler import discover as stage

    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.md").write_text("secret\n")
    vault = make_vault({"a.md": "# A\n", "deep/er/still/b.md": "# B\n", "deep/c.png": b"\x89PNG",
                        "skip/d.md": "# D\n", "real/inside.md": "# Inside\n"})
    os.symlink(tmp_path / "outside" / "secret.md", vault / "deep" / "secret.md")
    os.symlink(vault / "real" / "inside.md", vault / "deep" / "er" / "inside-link.md")
    os.symlink(vault, vault / "deep" / "loop")
    config = Config(exclude=("skip",))
    listed = {}
    for by_descriptor in (True, False):
        monkeypatch.setattr(stage, "_BY_DESCRIPTOR", by_descriptor)
        listed[by_descriptor] = stage.discover(vault, config)
    assert stage._BY_DESCRIPTOR is False and listed[True] == listed[False]
    found = listed[True]
    assert [f.path for f in found.files] == ["a.md", "deep/c.png", "deep/er/inside-link.md", "deep/er/still/b.md",
                                              "real/inside.md"]
    assert [(path, problem.message) for path, problem in found.rejected] == [
        ("deep/secret.md", "symlink points outside the vault; not read")]
    for source in found.files:
        assert os.path.samefile(source.abspath, vault / source.path)
        assert os.path.isabs(source.abspath) and "//" not in source.abspath


def test_nfc_nfd_and_case_colliding_names(make_vault, check_json):
    vault = make_vault({"a/Caf\u00e9.md": "# NFC\n", "notes/cafe\u0301.md": "# NFD\n",
                        "a.md": "[[CAF\u00c9]] [[Readme]]\n", "docs/README.md": "", "x/readme.md": ""})
    data = check_json(vault, "--select", "dangling-link,ambiguous-link")
    assert [(f["rule"], f["target"]) for f in data["findings"]] == [
        ("ambiguous-link", "CAF\u00c9"), ("ambiguous-link", "Readme")]


def test_pathological_inputs_do_not_hang(make_vault, check_json):
    vault = make_vault({
        "brackets.md": "[[" * 8000 + "\n",  # markdown-it-py is quadratic in runs of [: tests/hostile has the rest
        "nesting.md": ">" * 3000 + " deep\n" + "- " * 1000 + "x\n",
        "long.md": "word " * 200000 + "[[a]]\n",
        "a.md": "[[brackets]] [[nesting]] [[long]]\n",
    })
    data = check_json(vault)
    assert data["summary"]["pages"] == 4 and data["exit"] == 0
