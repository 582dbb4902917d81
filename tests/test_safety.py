"""The promises of the README's Safety section, each shown by a test: the site keeps a note's raw
HTML but nothing that runs script; every output is replaced whole or not at all; and no command
writes anything inside the vault."""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest

from compiler.cli import main
from compiler.emit import renderers
from compiler.site.build import BuildError, require_sanitizer
from compiler.site.sanitize import clean_html
from compiler.site.writer import Writer
from conftest import fetch_text, stop_session, FIXTURES

ROOT = Path(__file__).parent.parent
TODAY = "2026-11-22"


# --- helpers ---------------------------------------------------------------------------------------

def tree_digest(root: Path) -> dict[str, tuple]:
    """Every entry under `root` (hidden ones too) with its kind and content: a file's bytes and
    modification time, a link's target. Two equal digests mean nothing was added, removed,
    rewritten or touched."""
    found: dict[str, tuple] = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder) / name
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                found[rel] = ("link", os.readlink(path))
            elif path.is_dir():
                found[rel] = ("dir",)
            else:
                found[rel] = ("file", hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
    return found


def site_config(folder: Path) -> Path:
    """The repository's mkdocs.yml with the docs tree and the site under `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "mkdocs.yml"
    config.write_text(f"INHERIT: {ROOT / 'mkdocs.yml'}\ndocs_dir: docs\nsite_dir: site\n")
    return config


def leftovers(folder: Path) -> list[str]:
    """Temporary files and staging folders a run left behind."""
    return sorted(p.name for p in folder.iterdir() if "vaultc-" in p.name or p.name.endswith(".tmp"))


_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "poster", "background", "xlink:href", "srcset"}
_NO_SPACE = re.compile(r"[\x00-\x20]+")


class _Scan(HTMLParser):
    """Whatever in a page could run script: script elements, event handlers, script URLs, foreign
    content, refresh/base/embed elements, style sheets, and frames or objects of the wrong kind."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)  # attribute values arrive with entities decoded
        self.found: list[str] = []  # handlers, script URLs, styles loading URLs, wrong frames
        self.elements: list[str] = []  # elements a note has no business adding
        self.script_text: list[str] = []
        self.attributes: list[tuple[str, str]] = []
        self._in: list[str] = []

    def handle_starttag(self, tag, attrs):
        self._in.append(tag)
        if tag in ("script", "style", "noscript", "template", "svg", "math", "embed", "base", "form", "button",
                   "frame", "frameset", "applet", "meta", "link"):
            self.elements.append(f"<{tag}>")
        for name, value in attrs:
            value = value or ""
            self.attributes.append((name, value))
            url = _NO_SPACE.sub("", value).lower()
            if name.startswith("on") or name in ("srcdoc", "formaction"):
                self.found.append(f"<{tag} {name}>")
            elif name in _URL_ATTRIBUTES and url.startswith(("javascript:", "vbscript:", "data:")):
                self.found.append(f"<{tag} {name}={value!r}>")
            elif name == "style" and ("url(" in url or "expression(" in url):
                self.found.append(f"<{tag} style={value!r}>")
            elif name == "id" and value == "__config":
                self.elements.append(f"<{tag} id={value!r}>")  # (the theme's own is fine)
        attributes = dict(attrs)
        if tag == "iframe" and not (attributes.get("src") or "https://").startswith("https://"):
            self.found.append(f"<iframe src={attributes.get('src')!r}>")
        if tag == "object" and attributes.get("data") and not attributes["data"].split("#")[0].endswith(".pdf"):
            self.found.append(f"<object data={attributes['data']!r}>")

    def handle_endtag(self, tag):
        if tag in self._in:
            while self._in.pop() != tag:
                pass

    def handle_data(self, data):
        if self._in and self._in[-1] in ("script", "style"):
            self.script_text.append(data)


def content_dangers(fragment: str) -> list[str]:
    """For a page's content (the part notes write): nothing above, and no script or style at all."""
    scan = _Scan()
    scan.feed(fragment)
    scan.close()
    return scan.found + scan.elements + [f"<script/style>{text[:40]!r}" for text in scan.script_text if text.strip()]


def page_dangers(page: str, marker: str) -> list[str]:
    """For a whole built page (theme included, whose own scripts are fine): no event handler or
    script URL anywhere, and the marker planted in every payload in no script and in no attribute
    but those that only show text. (It may stay as visible text: Markdown that is not valid HTML,
    like `<img src=x OnErRoR=alert(…)>` alone on a line, is shown as written.)"""
    scan = _Scan()
    scan.feed(page)
    scan.close()
    found = list(scan.found)
    found += [f"script text {text[:60]!r}" for text in scan.script_text if marker in text]
    found += [f"{name}={value[:60]!r}" for name, value in scan.attributes
              if marker in value and name not in ("title", "alt", "aria-label")]
    return found


# --- site: raw HTML is kept, script is not -------------------------------------------------------

# Each hazard carries the marker PWN; the sanitizer must take away every trace of it.
HAZARDS = {
    "script": "<script>alert('PWN')</script>",
    "script-upper": "<SCRIPT SRC=//evil.example/PWN.js></SCRIPT>",
    "img-onerror": "<img src=x onerror=\"alert('PWN')\">",
    "img-onerror-mixed-case": "<img src=x OnErRoR=alert('PWN')>",
    "a-javascript": "<a href=\"javascript:alert('PWN')\">a</a>",
    "a-javascript-entity-colon": "<a href=\"JaVaScRiPt&colon;alert('PWN')\">b</a>",
    "a-javascript-numeric-entity": "<a href=\"&#106;avascript:alert('PWN')\">c</a>",
    "a-javascript-tab": "<a href=\"java&#x09;script:alert('PWN')\">d</a>",
    "a-javascript-newline": "<a href=\"jav&#x0A;ascript:alert('PWN')\">e</a>",
    "a-javascript-leading-space": "<a href=\" javascript:alert('PWN')\">f</a>",
    "a-javascript-decimal-colon": "<a href=\"javascript&#58;alert('PWN')\">g</a>",
    "a-vbscript": "<a href=\"vbscript:msgbox('PWN')\">h</a>",
    "a-data-url": "<a href=\"data:text/html,<script>alert('PWN')</script>\">i</a>",
    "img-javascript-src": "<IMG SRC=\"JaVaScRiPt:alert('PWN')\">",
    "svg-onload": "<svg onload=\"alert('PWN')\"></svg>",
    "svg-script": "<svg><script>alert('PWN')</script></svg>",
    "svg-animate": "<svg><a><set attributeName=href to=\"javascript:alert('PWN')\"/><text y=20>x</text></a></svg>",
    "math-mutation": "<math><mtext><table><mglyph><style><img src=x onerror=alert('PWN')></style></mglyph></table></mtext></math>",
    "iframe-javascript": "<iframe src=\"javascript:alert('PWN')\"></iframe>",
    "iframe-srcdoc": "<iframe srcdoc=\"<script>alert('PWN')</script>\"></iframe>",
    "iframe-relative": "<iframe src=\"notes/PWN.html\"></iframe>",
    "object-javascript": "<object data=\"javascript:alert('PWN')\"></object>",
    "object-not-pdf": "<object data=\"assets/PWN.svg\" type=\"application/pdf\"></object>",
    "embed": "<embed src=\"javascript:alert('PWN')\">",
    "form-action": "<form action=\"javascript:alert('PWN')\"><input type=submit></form>",
    "button-formaction": "<button formaction=\"javascript:alert('PWN')\">go</button>",
    "meta-refresh": "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert('PWN')\">",
    "base-href": "<base href=\"javascript:alert('PWN')//\">",
    "link-stylesheet": "<link rel=\"stylesheet\" href=\"https://evil.example/PWN.css\">",
    "style-element": "<style>body { background: url('https://evil.example/PWN') }</style>",
    "style-url": "<div style=\"background:url(javascript:alert('PWN'))\">s</div>",
    "details-ontoggle": "<details open ontoggle=\"alert('PWN')\"><summary>t</summary></details>",
    "input-autofocus": "<input onfocus=\"alert('PWN')\" autofocus>",
    "video-source-onerror": "<video><source onerror=\"alert('PWN')\"></video>",
    "audio-onerror": "<audio src=x onerror=\"alert('PWN')\"></audio>",
    "noscript-mutation": "<noscript><p title=\"</noscript><img src=x onerror=alert('PWN')>\"></noscript>",
    "template": "<template><script>alert('PWN')</script></template>",
    "theme-config-clobber": "<div id=\"__config\"></div>",  # Material reads its settings from #__config
}


@pytest.mark.parametrize("name", sorted(HAZARDS))
def test_the_sanitizer_removes_every_trace_of_a_hazard(name):
    assert content_dangers(HAZARDS[name]) != []  # the scan sees the hazard...
    cleaned = clean_html(f"<p>before</p>{HAZARDS[name]}<p>after</p>")  # ...and then no longer
    assert content_dangers(cleaned) == []
    assert "PWN" not in cleaned and "__config" not in cleaned
    assert "<p>before</p>" in cleaned and "<p>after</p>" in cleaned


BENIGN = {
    "details": "<details><summary>More</summary><p>Inside</p></details>",
    "span-style": "<span style=\"color:red\" class=\"note\">red</span>",
    "kbd": "<kbd>Ctrl</kbd>",
    "sup-sub": "x<sup>2</sup> H<sub>2</sub>O",
    "mark": "<mark>marked</mark>",
    "img-https": "<img src=\"https://example.org/pic.png\" alt=\"pic\" width=\"20\">",
    "img-relative": "<img src=\"../assets/chart.png\" alt=\"chart\">",
    "iframe-https": "<iframe src=\"https://www.youtube-nocookie.com/embed/abc\" width=\"560\" height=\"315\" "
                    "allowfullscreen=\"\"></iframe>",
    "pdf-object": "<object class=\"vaultc-pdf\" data=\"../assets/report.pdf#page=3\" type=\"application/pdf\" "
                  "width=\"400\" height=\"600\"><a href=\"../assets/report.pdf#page=3\">report.pdf</a></object>",
    "task": "<label class=\"task-list-control\"><input type=\"checkbox\" disabled=\"\" checked=\"\">"
            "<span class=\"task-list-indicator\"></span></label>",
    "anchors": "<span id=\"block:b1\"></span><mark class=\"vaultc-claim vaultc-stale\" id=\"line:4\" "
               "title=\"stale\">stale</mark>",
    "graph": "<div class=\"vaultc-graph vaultc-local\" data-root=\"../\" data-page=\"notes/A.html\"></div>",
    "links": "<a href=\"https://example.org/x?y=1\">web</a> <a href=\"mailto:a@example.org\">mail</a> "
             "<a href=\"obsidian://open?vault=v\">app</a> <a href=\"A.html#block:b1\">block</a>",
    "table-align": "<table><thead><tr><th style=\"text-align:left\">h</th></tr></thead>"
                   "<tbody><tr><td style=\"text-align:left\">c</td></tr></tbody></table>",
}


@pytest.mark.parametrize("name", sorted(BENIGN))
def test_legitimate_html_passes_unchanged(name):
    assert clean_html(BENIGN[name]) == BENIGN[name]


def test_a_configuration_without_the_sanitizer_is_refused(tmp_path):
    bare = tmp_path / "bare.yml"
    bare.write_text("site_name: x\nplugins:\n  - search\n")
    with pytest.raises(BuildError, match="vaultc-sanitize"):
        require_sanitizer(bare)
    require_sanitizer(site_config(tmp_path / "ok"))  # the repository's mkdocs.yml lists it


HOSTILE_NOTE = "\n\n".join([
    "---",
    "title: \"T </title><script>alert('PWN-title')</script>\"",
    "tags: [\"x<script>alert('PWN-tag')</script>\"]",
    "---",
    "# Hostile",
    *(f"Line {name}: {html}" if i % 2 else html for i, (name, html) in enumerate(sorted(HAZARDS.items()))),
    "[markdown link](javascript:alert('PWN-md')) and ![markdown image](javascript:alert('PWN-mdimg'))",
    "Click me\n{: onclick=\"alert('PWN-attr-list')\" }",
    "<javascript:alert('PWN-autolink')>",
    "[[javascript:alert('wikilink')]]",  # a missing page: shown as text, never as a link
    "![[Embedded]]",
    *BENIGN.values(),
    "- [x] a done task",
])


def test_the_built_site_keeps_raw_html_and_loses_every_hazard(make_vault, tmp_path):
    vault = make_vault({
        "Hostile.md": HOSTILE_NOTE,
        "Embedded.md": "# Embedded\n\nEmbedded text <img src=x onerror=\"alert('PWN-embed')\">\n",
        "index.md": "# Home\n\n[[Hostile]]\n",
        "assets/chart.png": b"\x89PNG\r\n\x1a\n",
        "assets/report.pdf": b"%PDF-1.4\n",
    })
    config = site_config(tmp_path / "out")
    assert main(["site", str(vault), "--today", TODAY, "--mkdocs-config", str(config)]) == 0
    site = tmp_path / "out" / "site"
    page = (site / "Hostile.html").read_text(encoding="utf-8")
    content = page[page.index('<article class="md-content__inner md-typeset">'):page.index("</article>")]
    content = re.sub(r'<nav class="md-tags"\s*>.*?</nav>', "", content, flags=re.S)  # the theme's tag chips
    assert content_dangers(content) == [] and page_dangers(content, "PWN") == []
    for built in site.rglob("*.html"):
        assert page_dangers(built.read_text(encoding="utf-8"), "PWN") == [], built
    for entry in json.loads((site / "search" / "search_index.json").read_text())["docs"]:
        assert content_dangers(entry["text"]) == [] and page_dangers(entry["text"], "PWN") == []
    # The title and the tag are text: shown as written, never markup.
    assert "<title>T &lt;/title&gt;&lt;script&gt;alert('PWN-title')&lt;/script&gt; - " in page
    assert "x&lt;script&gt;alert('PWN-tag')" in page
    # Legitimate raw HTML, and vaultc's own markup, survive.
    for html in BENIGN.values():
        assert html in content, html
    assert "Embedded text <img src=\"x\">" in content
    assert 'class="vaultc-graph vaultc-local"' in content and 'class="headerlink"' in content
    assert 'class="task-list-item"' in content and 'type="checkbox"' in content


# --- atomic outputs ----------------------------------------------------------------------------------

def _failing(name: str):
    def fail(*args, **kwargs):
        raise OSError(f"simulated failure in {name}")
    return fail


@pytest.mark.parametrize("command", [
    ["check", "--format", "json"],
    ["claims", "--format", "json"],
    ["export", "--format", "turtle"],
])
def test_a_report_or_export_is_replaced_whole_or_not_at_all(tmp_path, monkeypatch, command):
    out = tmp_path / "out" / "result.txt"
    vault = FIXTURES / "rdf" / "vault"
    assert main([*command, str(vault), "--today", TODAY, "--no-cache", "--output", str(out)]) in (0, 1)
    before = out.read_bytes()
    monkeypatch.setattr("compiler.files.os.replace", _failing("os.replace"))
    assert main([*command, str(vault), "--today", "2030-01-01", "--no-cache", "--output", str(out)]) == 2
    assert out.read_bytes() == before
    assert leftovers(out.parent) == []


def test_a_docs_file_is_replaced_whole_or_not_at_all(tmp_path, monkeypatch):
    docs = tmp_path / "docs"
    first = Writer(docs)
    first.text("a.md", "old\n")
    monkeypatch.setattr("compiler.site.writer.os.replace", _failing("os.replace"))
    with pytest.raises(OSError):
        Writer(docs).text("a.md", "new\n" * 1000)
    assert (docs / "a.md").read_text() == "old\n"
    assert sorted(p.name for p in docs.iterdir()) == [".vaultc-docs", "a.md"]  # no temporary file left
    monkeypatch.undo()
    (docs / ".a.md.99999.vaultc-tmp").write_text("half a file from a killed run")
    again = Writer(docs)
    again.text("a.md", "new\n")
    again.prune()
    assert sorted(p.name for p in docs.iterdir()) == [".vaultc-docs", "a.md"]
    assert again.removed == [".a.md.99999.vaultc-tmp"] and (docs / "a.md").read_text() == "new\n"


def _site_vault(tmp_path: Path) -> Path:
    vault = tmp_path / "vault"
    shutil.copytree(FIXTURES / "site" / "features", vault)
    return vault


def _edit(vault: Path) -> None:
    target = vault / "notes" / "Target.md"
    target.write_text(target.read_text().replace("A paragraph", "An edited paragraph"))


def test_a_failed_swap_leaves_the_previous_site_in_place(tmp_path, monkeypatch):
    vault = _site_vault(tmp_path)
    config = site_config(tmp_path / "out")
    site = tmp_path / "out" / "site"
    assert main(["site", str(vault), "--today", TODAY, "--mkdocs-config", str(config)]) == 0
    (site / ".git").mkdir()  # hidden entries (a gh-pages checkout) are kept, as mkdocs build keeps them
    (site / ".git" / "HEAD").write_text("ref: refs/heads/gh-pages\n")
    (site / ".vaultc-built.json").unlink()  # no stamp: the whole site is built (see the partial test below)
    before = tree_digest(site)
    _edit(vault)
    real = os.rename
    monkeypatch.setattr("compiler.site.build.os.rename",
                        lambda src, dst: (_failing("rename")() if "staging" in str(src) else real(src, dst)))
    assert main(["site", str(vault), "--today", TODAY, "--mkdocs-config", str(config)]) == 2
    assert tree_digest(site) == before
    assert leftovers(site.parent) == []
    monkeypatch.undo()
    assert main(["site", str(vault), "--today", TODAY, "--mkdocs-config", str(config)]) == 0
    assert "An edited paragraph" in (site / "notes" / "Target.html").read_text()
    assert (site / ".git" / "HEAD").read_text() == "ref: refs/heads/gh-pages\n"


def test_an_edits_rebuild_stopped_between_two_renames_is_finished_by_the_next_run(tmp_path, monkeypatch):
    """After an edit only the changed pages are built (site/partial.py) and renamed into place one
    by one, the stamp last: stopped half-way, every file is whole, and the next run builds them
    again, to the site a full build makes."""
    vault = _site_vault(tmp_path)
    config = site_config(tmp_path / "out")
    site = tmp_path / "out" / "site"
    assert main(["site", str(vault), "--today", TODAY, "--mkdocs-config", str(config)]) == 0
    stamp = (site / ".vaultc-built.json").read_bytes()
    _edit(vault)
    (vault / "notes" / "Added.md").write_text("# Added\n\nOn [[Target]].\n")  # more files to move
    real, calls = os.replace, []

    def second_fails(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError("disk full")
        return real(src, dst)

    monkeypatch.setattr("compiler.site.partial.os.replace", second_fails)
    assert main(["site", str(vault), "--today", TODAY, "--mkdocs-config", str(config)]) == 2
    assert (site / ".vaultc-built.json").read_bytes() == stamp  # the old stamp: those pages are still to build
    assert leftovers(site.parent) == []
    monkeypatch.undo()
    assert main(["site", str(vault), "--today", TODAY, "--mkdocs-config", str(config)]) == 0
    assert "An edited paragraph" in (site / "notes" / "Target.html").read_text()
    full = tmp_path / "full"
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config), "-d", str(full)], check=True,
                   capture_output=True)
    built = {p.relative_to(site): p.read_bytes() for p in site.rglob("*") if p.is_file() and p.name != ".vaultc-built.json"}
    assert built == {p.relative_to(full): p.read_bytes() for p in full.rglob("*") if p.is_file()}


def test_a_killed_site_build_leaves_the_previous_site_whole(tmp_path):
    vault = _site_vault(tmp_path)
    config = site_config(tmp_path / "out")
    out = tmp_path / "out"
    site = out / "site"
    assert main(["site", str(vault), "--today", TODAY, "--mkdocs-config", str(config)]) == 0
    (site / ".vaultc-built.json").unlink()  # no stamp: the whole site is built
    before = tree_digest(site)
    _edit(vault)
    build = subprocess.Popen([sys.executable, "-m", "compiler", "site", str(vault), "--today", TODAY,
                              "--mkdocs-config", str(config)],
                             cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        # Kill the run, MkDocs with it, as soon as MkDocs has begun writing the new site.
        while not any(p.name.startswith(".site.vaultc-staging-") and any(p.iterdir()) for p in out.iterdir()):
            assert build.poll() is None and time.monotonic() < deadline, "the build ended before it could be killed"
            time.sleep(0.005)
    finally:
        os.killpg(build.pid, signal.SIGKILL)  # the session this test started, nothing else
        build.wait()
    assert tree_digest(site) == before  # the previous site, every file of it, unchanged
    assert leftovers(out) != []  # the staging folder of the killed run
    assert main(["site", str(vault), "--today", TODAY, "--mkdocs-config", str(config)]) == 0
    assert leftovers(out) == []  # cleared by the next run
    assert "An edited paragraph" in (site / "notes" / "Target.html").read_text()


def test_a_site_set_aside_by_a_killed_run_is_put_back(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = int(gone.stdout)  # a process that has ended: its folders are stale
    previous = out / f".site.vaultc-previous-{dead}"
    previous.mkdir()
    (previous / "index.html").write_text("the previous site")
    (out / f".site.vaultc-staging-{dead}").mkdir()
    from compiler.site.build import clear_stale

    clear_stale(out / "site")  # killed between the two renames: the old site comes back
    assert (out / "site" / "index.html").read_text() == "the previous site" and leftovers(out) == []


# --- the vault is never written ------------------------------------------------------------------

def _hostile_copy(tmp_path: Path) -> Path:
    vault = tmp_path / "vault"
    shutil.copytree(FIXTURES / "rdf" / "vault", vault)
    (vault / ".obsidian").mkdir()
    (vault / ".obsidian" / "app.json").write_text("{}\n")
    (vault / "notes" / "Raw.md").write_text("# Raw\n\n<details><summary>s</summary>x</details> [[NVDA]]\n")
    outside = tmp_path / "outside.md"
    outside.write_text("# Outside\n")
    os.symlink(outside, vault / "notes" / "escape.md")
    return vault


def _commands(vault: Path, out: Path) -> list[list[str]]:
    return [[c[0], str(vault), *c[1:], "--today", TODAY] for c in (
        *(["check", "--format", fmt] for fmt in sorted(renderers())),
        ["check", "--output", str(out / "report.txt")],
        ["check", "--write-baseline", str(out / "baseline.json")],
        ["check", "--baseline", str(out / "baseline.json")],
        ["claims"], ["claims", "--format", "json", "--output", str(out / "claims.json")],
        *(["export", "--format", fmt] for fmt in ("turtle", "jsonld", "ntriples", "trig")),
        ["export", "--output", str(out / "graph.ttl"), "--validate"],
        ["query", "--name", "companies-by-layer"],
        ["query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--format", "json"],
        ["query", "--list"],
        ["site", "--mkdocs-config", str(site_config(out / "site"))],
    )]


def test_no_command_writes_inside_the_vault(tmp_path, monkeypatch, capsys):
    vault = _hostile_copy(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.chdir(vault)  # so that a relative default path would land in the vault, and be seen
    before = tree_digest(vault)
    for command in _commands(vault, out):
        assert main(command) in (0, 1), command
        capsys.readouterr()
        assert tree_digest(vault) == before, command
    assert (out / "site" / "site" / "notes" / "Raw.html").is_file()


def _serving(command: list[str], cwd: Path, ready) -> None:
    """Start a long-running command, wait until `ready(its stderr so far)` is true, stop it with SIGTERM."""
    server = subprocess.Popen([sys.executable, "-m", "compiler", *command], cwd=cwd, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True, start_new_session=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(server.stderr), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 60
        while not ready("".join(lines)):
            assert server.poll() is None and time.monotonic() < deadline, "".join(lines)
            time.sleep(0.2)
    finally:
        stop_session(server)
        reader.join(timeout=5)
        server.stderr.close()


def test_the_endpoint_and_serve_do_not_write_inside_the_vault(tmp_path):
    vault = _hostile_copy(tmp_path)
    before = tree_digest(vault)
    answers = []

    def endpoint_ready(stderr):
        found = re.search(r"endpoint at (http://\S+)", stderr)
        if found:
            url = found.group(1).rstrip("/")
            answers.append(fetch_text(f"{url}?query=" + urllib.request.quote("SELECT * WHERE { ?s ?p ?o } LIMIT 3")))
        return bool(found)

    _serving(["sparql", str(vault), "--port", "0", "--quiet", "--today", TODAY], vault, endpoint_ready)
    assert answers and '"bindings"' in answers[0]
    assert tree_digest(vault) == before

    port_probe = subprocess.run([sys.executable, "-c", "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); "
                                 "print(s.getsockname()[1])"], capture_output=True, text=True)
    port = int(port_probe.stdout)
    config = site_config(tmp_path / "serve")
    _serving(["serve", str(vault), "--mkdocs-config", str(config), "--dev-addr", f"127.0.0.1:{port}",
              "--today", TODAY], vault,
             lambda stderr: "Raw" in fetch_text(f"http://127.0.0.1:{port}/notes/Raw.html"))
    assert tree_digest(vault) == before
