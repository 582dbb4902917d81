"""Pages made to stall `vaultc site` (the whole build: vaultc's renderer, then MkDocs Material and
its search plugin): equal headings, footnotes, reference definitions, runs of backticks, YAML
that expands a billion times, a 240-character name. Each size is one at which a quadratic stage
takes minutes; the build must finish, strict, in bounded time and memory, and show everything."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from test_hostile_pages import digest

ROOT = Path(__file__).resolve().parents[2]
LAUGHS = ('---\na: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
          + "".join(f"{b}: &{b} [{', '.join(['*' + a] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi"))
          + "---\n# Laughs\n")
PAGES = {
    "headings.md": "# Same\n\n" * 30_000,
    "footnotes.md": "".join(f"Text[^{i}].\n\n" for i in range(20_000)) + "".join(f"[^{i}]: note {i}\n" for i in range(20_000)),
    "references.md": "[x1] and [x99999]\n\n" + "".join(f"[x{i}]: /u{i}\n" for i in range(100_000)),
    "backticks.md": "".join("`" * i + " " for i in range(1, 2_500)),
    "laughs.md": LAUGHS,
    "n" * 236 + ".md": "# A page with a 240-character file name\n",
    "index.md": "# Home\n\n[[headings]] [[footnotes]] [[references]] [[backticks]] [[laughs]]\n",
}
# What the child measures: its children's peak memory (vaultc, and the MkDocs it runs), in KiB.
MEASURE = ("import resource, subprocess, sys; code = subprocess.run(sys.argv[1:]).returncode; "
           "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(code)")


def test_pages_made_to_stall_the_site_build_are_built_in_bounded_time_and_memory(tmp_path):
    vault = tmp_path / "vault"
    vault.mkdir()
    for name, text in PAGES.items():
        (vault / name).write_text(text)
    (tmp_path / "mkdocs.yml").write_text(f"INHERIT: {ROOT / 'mkdocs.yml'}\ndocs_dir: docs\nsite_dir: site\n")
    before = digest(vault)
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", MEASURE, sys.executable, "-m", "compiler", "site", str(vault),
                           "--no-cache", "--mkdocs-config", str(tmp_path / "mkdocs.yml")],
                          capture_output=True, text=True, timeout=600, cwd=tmp_path)
    took = time.monotonic() - started
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert took < 180, took  # about 25 s here; a quadratic stage took over ten minutes
    assert int(proc.stdout.split()[-1]) < 1024 * 1024, proc.stdout  # under 1 GB
    assert digest(vault) == before

    site = tmp_path / "site"
    headings = (site / "headings.html").read_text()
    assert headings.count('<h1 id="same') == 30_000 and 'id="same_29999"' in headings  # every heading, its anchor
    footnotes = (site / "footnotes.html").read_text()
    assert footnotes.count('class="footnote-ref"') == 20_000 and "note 19999" in footnotes
    assert "Missing page: /u99999" in (site / "references.html").read_text()  # the reference was read
    # The search index holds each page's beginning, not 30,000 sections of one page.
    index = json.loads((site / "search" / "search_index.json").read_text())
    sections = [doc for doc in index["docs"] if doc["location"].startswith("headings.html")]
    assert 1_000 <= len(sections) <= 1_010  # the first 1,000 headings, and the sections vaultc adds
