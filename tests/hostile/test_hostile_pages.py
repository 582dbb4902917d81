"""Pages made to hurt (VAULT-SPEC's size limit respected): each is read in linear time or given up
after the per-page budget as an `unreadable-file`, never a hang, a crash or a silent loss, and the
vault is never written. Sizes are chosen so that a quadratic stage would take minutes."""
from __future__ import annotations

import hashlib
import json
import os
import threading
import time
from pathlib import Path

import pytest

from compiler import parse


def digest(root: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        h.update(str(path.relative_to(root)).encode())
        if path.is_file() and not path.is_symlink() and not path.is_fifo():
            h.update(path.read_bytes())
    return h.hexdigest()


def checked(run, vault: Path, *extra) -> tuple[int, dict, float]:
    before = digest(vault)
    started = time.monotonic()
    code, out, err = run("check", vault, "--format", "json", "--today", "2026-11-22", "--no-cache", *extra)
    seconds = time.monotonic() - started
    assert digest(vault) == before, "the vault was written"
    assert code in (0, 1), err
    return code, json.loads(out), seconds


PAGES = {
    "a million [[": lambda: "[[" * 1_000_000,
    "a million [[ then ]]": lambda: "[[" * 500_000 + "]]",
    "100,000 list markers on one line": lambda: "- " * 100_000 + "x\n",
    "60,000 dated sentences in one paragraph": lambda: " ".join(
        f"As of March 2025 the share was {i}%." for i in range(60_000)),
    "a field and 200,000 spaces": lambda: "key:: x" + " " * 200_000 + "y\n",
    "a key and 200,000 spaces": lambda: "k" + " " * 200_000 + "x\n",
    "300,000 links on one line": lambda: " ".join("[[ok]]" for _ in range(300_000)) + "\n",
    "50,000 fields in one paragraph": lambda: "\n".join(f"k{i}:: v" for i in range(50_000)),
}


@pytest.mark.parametrize("name", list(PAGES))
def test_a_hostile_page_is_read_in_linear_time_or_given_up(make_vault, run, monkeypatch, name):
    monkeypatch.setattr(parse, "PARSE_SECONDS", 3.0)  # the budget, shortened for the test
    vault = make_vault({"hostile.md": PAGES[name](), "ok.md": "# OK\n\n[[hostile]]\n"})
    code, data, seconds = checked(run, vault)
    assert seconds < 30, f"{name}: {seconds:.1f} s"
    assert data["summary"]["pages"] == 2
    rules = {f["rule"] for f in data["findings"] if f["path"] == "hostile.md"}
    assert rules <= {"unreadable-file", "stale-claim", "orphan-page", "dangling-link"}, rules


@pytest.mark.parametrize("name", list(PAGES))
def test_a_hostile_page_is_exported_under_a_gigabyte(tmp_path, name):
    """The peak memory of a fresh `vaultc export` (parse, resolve, claims, RDF) of the page."""
    import subprocess
    import sys

    vault = tmp_path / "vault"
    vault.mkdir()
    (vault / "hostile.md").write_text(PAGES[name]())
    measure = ("import resource, subprocess, sys; code = subprocess.run(sys.argv[1:]).returncode; "
               "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(code)")
    proc = subprocess.run([sys.executable, "-c", measure, sys.executable, "-m", "compiler", "export", str(vault),
                           "--no-cache", "-o", str(tmp_path / "graph.ttl")], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert int(proc.stdout.split()[-1]) < 1024 * 1024, proc.stdout  # KiB


def test_the_budget_turns_a_page_into_an_unreadable_file(make_vault, run, monkeypatch):
    monkeypatch.setattr(parse, "PARSE_SECONDS", 0.5)
    vault = make_vault({"hostile.md": "[[" * 400_000 + "]]", "ok.md": "# OK\n\n[[missing]]\n"})
    code, data, seconds = checked(run, vault)
    found = [(f["rule"], f["path"]) for f in data["findings"] if f["rule"] != "orphan-page"]
    assert ("unreadable-file", "hostile.md") in found and ("dangling-link", "ok.md") in found
    message = next(f["message"] for f in data["findings"] if f["rule"] == "unreadable-file")
    assert "took over 0.5 s to parse" in message and code == 1


def test_a_deep_list_keeps_every_link(make_vault, run):
    page = "".join("  " * i + f"- [[level {i}]]\n" for i in range(60))
    vault = make_vault({"deep.md": page})
    _, data, _ = checked(run, vault)
    dangling = {f["target"] for f in data["findings"] if f["rule"] == "dangling-link"}
    assert dangling == {f"level {i}" for i in range(60)}


def test_a_fifo_is_an_unreadable_file_not_a_hang(make_vault, run):
    vault = make_vault({"ok.md": "[[pipe]]\n"})
    os.mkfifo(vault / "pipe.md")
    _, data, seconds = checked(run, vault)
    found = {(f["rule"], f["path"]) for f in data["findings"]}
    assert ("unreadable-file", "pipe.md") in found and seconds < 30


@pytest.mark.parametrize("where", ["page", "option"])
def test_an_enormous_max_age_is_no_crash(make_vault, run, where):
    page = "---\nmax_age_days: 3000000\n---\n" if where == "page" else ""
    vault = make_vault({"a.md": page + "# A\n\nAs of March 2020 the share was 40%. In 9999 it ends.\n"})
    extra = ("--max-age", "3000000") if where == "option" else ()
    code, data, _ = checked(run, vault, *extra)
    assert not [f for f in data["findings"] if f["rule"] == "stale-claim"]


def test_swapping_a_page_for_an_outside_symlink_never_leaks_it(make_vault, run, tmp_path):
    """A synced folder can swap a vetted file for a symlink between discovery and reading: no
    output of check, export or site may then hold the outside file's text."""
    secret = tmp_path / "outside.md"
    secret.write_text("# Outside\n\n[[OUTSIDE-TOKEN-7f3a]] OUTSIDE-TOKEN-7f3a\n")
    vault = make_vault({f"p{i}.md": f"# Page {i}\n\n[[p{(i + 1) % 20}]]\n" for i in range(20)})
    victim, regular, link = vault / "p7.md", tmp_path / "regular.md", tmp_path / "link.md"
    regular.write_text(victim.read_text())
    stop = threading.Event()

    def swap():
        deadline = time.monotonic() + 20
        flip = False
        while not stop.is_set() and time.monotonic() < deadline:
            if flip:
                os.link(regular, tmp_path / "copy.md")
                os.replace(tmp_path / "copy.md", victim)
            else:
                os.symlink(secret, link)
                os.replace(link, victim)
            flip = not flip
            time.sleep(0.0005)

    thread = threading.Thread(target=swap, daemon=True)
    thread.start()
    mkdocs = tmp_path / "mkdocs.yml"
    root = Path(__file__).resolve().parents[2]
    mkdocs.write_text(f"INHERIT: {root / 'mkdocs.yml'}\ndocs_dir: docs\nsite_dir: site\n")
    outputs = []
    try:
        for _ in range(6):
            code, out, err = run("check", vault, "--format", "json", "--no-cache", "--today", "2026-11-22")
            outputs.append(out + err)
            code, out, err = run("export", vault, "--format", "ntriples", "--no-cache")
            outputs.append(out + err)
            code, out, err = run("site", vault, "--emit-only", "--no-cache", "--mkdocs-config", mkdocs)
            outputs.append(err)
            outputs += [p.read_text(errors="replace") for p in (tmp_path / "docs").rglob("*") if p.is_file()]
    finally:
        stop.set()
        thread.join()
    assert not any("OUTSIDE-TOKEN" in text for text in outputs)


def test_an_embed_fan_out_is_rendered_once_per_page(make_vault, tmp_path):
    """Eight pages each embedding the next ten times would show 10^8 copies of the last: each
    embedded page is shown once per host page, later embeds of it point to it."""
    import datetime as dt

    from compiler.analyse import compile_vault
    from compiler.config import Config
    from compiler.site.emitter import emit_site

    files = {f"p{i}.md": f"# P{i}\n\n" + "".join(f"![[p{i + 1}]]\n\ntext {j}\n\n" for j in range(10)) for i in range(8)}
    vault = make_vault({**files, "p8.md": "# P8\n\nleaf\n"})
    started = time.monotonic()
    emit_site(compile_vault(vault, Config(), dt.date(2026, 11, 22)), tmp_path / "docs")
    assert time.monotonic() - started < 30
    assert max(p.stat().st_size for p in (tmp_path / "docs").rglob("*.md")) < 1_000_000
