"""`vaultc publish`: an integration test against a real Oxigraph server started on a free loopback
port (publish, query, edit and delete pages, publish again, see exactly the new state), and the
Graph Store client's authentication and failures against a small recording server."""
from __future__ import annotations

import base64
import datetime as dt
import json
import shutil
import subprocess
import sys
import time
import threading
import http.server
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pyoxigraph as ox
import pytest

from compiler.analyse import compile_vault
from compiler.config import load_config
from compiler.rdf.emit import page_graphs, quads
from compiler.rdf.store import to_oxigraph
from conftest import FIXTURES, OxigraphServer, free_port
from test_safety import tree_digest

FIXTURE = FIXTURES / "rdf" / "vault"
TODAY = "2026-11-22"


@pytest.fixture
def oxigraph(tmp_path):
    """A real Oxigraph server on 127.0.0.1; yields its base URL and stops it afterwards."""
    server = OxigraphServer(tmp_path / "oxigraph-data").start()
    try:
        yield server.url
    finally:
        server.stop()


def _store_quads(base: str) -> set[ox.Quad]:
    """Everything the server holds, as N-Quads from its Graph Store endpoint."""
    request = urllib.request.Request(f"{base}/store", headers={"Accept": "application/n-quads"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return set(ox.parse(response.read(), format=ox.RdfFormat.N_QUADS))


def _select(base: str, sparql: str) -> list[dict[str, str]]:
    request = urllib.request.Request(f"{base}/query?" + urlencode({"query": sparql}),
                                     headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        rows = json.loads(response.read())["results"]["bindings"]
    return [{k: v["value"] for k, v in row.items()} for row in rows]


def _local_quads(vault: Path) -> set[ox.Quad]:
    compiled = compile_vault(vault, load_config(vault), dt.date.fromisoformat(TODAY))
    return set(to_oxigraph(quads(page_graphs(compiled))))


L1_COMPANIES = """
    PREFIX vc: <https://w3id.org/vaultc#>
    PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
    PREFIX schema: <http://schema.org/>
    SELECT ?ticker WHERE {
      GRAPH ?g { ?c vc:inLayer ?l ; schema:tickerSymbol ?ticker }
      GRAPH ?h { ?l skos:notation "L1" }
    } ORDER BY ?ticker"""


def test_publish_edit_delete_publish_again(oxigraph, tmp_path, run):
    vault = tmp_path / "vault"
    shutil.copytree(FIXTURE, vault)
    store = f"{oxigraph}/store"
    before = tree_digest(vault)

    code, _, err = run("publish", vault, "--store", store, "--today", TODAY)
    assert code == 0, err
    assert "16 graphs put, 0 unchanged, 0 deleted" in err
    assert tree_digest(vault) == before  # nothing written in the vault
    assert _store_quads(oxigraph) == _local_quads(vault)
    assert [row["ticker"] for row in _select(oxigraph, L1_COMPANIES)] == ["AMD", "NVDA"]

    # The state lives beside the vault, never inside it.
    (state,) = (tmp_path / ".vaultc-cache").glob("publish-*.json")
    assert len(json.loads(state.read_text())["graphs"]) == 16  # the pages and the compilation
    assert not any(p.name.startswith(".vaultc") for p in vault.rglob("*"))

    # Nothing changed: nothing is sent.
    code, _, err = run("publish", vault, "--store", store, "--today", TODAY)
    assert code == 0 and "0 graphs put, 16 unchanged, 0 deleted" in err

    # AMD moves to the memory layer; the reading list goes; a new page arrives.
    amd = vault / "tickers" / "AMD.md"
    amd.write_text(amd.read_text().replace("[[Compute]]", "[[Memory]]"))
    (vault / "notes" / "Reading list.md").unlink()
    (vault / "notes" / "Ideas.md").write_text("# Ideas\n\nWatch [[NVDA]].\n")
    before = tree_digest(vault)
    code, _, err = run("publish", vault, "--store", store, "--today", TODAY)
    assert code == 0, err
    assert tree_digest(vault) == before
    # AMD and Ideas put, Reading list deleted; and the pages whose vc:backlinkCount moved with them:
    # Compute and Memory (AMD's layer), TrendForce HBM report (the reading list's link), NVDA (Ideas')
    assert "6 graphs put" in err and "1 deleted" in err

    assert _store_quads(oxigraph) == _local_quads(vault)  # exactly the new state, nothing left over
    assert [row["ticker"] for row in _select(oxigraph, L1_COMPANIES)] == ["NVDA"]
    graphs = {row["g"] for row in _select(oxigraph, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")}
    assert "https://w3id.org/vaultc/id/notes/Reading%20list" not in graphs
    assert "https://w3id.org/vaultc/id/notes/Ideas" in graphs and len(graphs) == 16


def test_force_sends_everything_again(oxigraph, tmp_path, run):
    vault = tmp_path / "vault"
    shutil.copytree(FIXTURE, vault)
    store = f"{oxigraph}/store"
    assert run("publish", vault, "--store", store, "--today", TODAY)[0] == 0
    code, _, err = run("publish", vault, "--store", store, "--today", TODAY, "--force")
    assert code == 0 and "16 graphs put, 0 unchanged" in err


# --- the client, against a server that records what it is sent ----------------------------------

class _Recorder(BaseHTTPRequestHandler):
    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.server.seen.append((self.command, parse_qs(urlsplit(self.path).query)["graph"][0],
                                 self.headers.get("Authorization"), self.headers.get("Content-Type")))
        status = self.server.status
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_PUT = do_DELETE = _answer

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def recorder():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.seen, server.status = [], 204
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


def _store(server) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}/gsp?x=1"


def test_basic_auth(recorder, tmp_path, run):
    code, _, err = run("publish", FIXTURE, "--store", _store(recorder), "--user", "ann", "--password", "s3cret",
                       "--state", tmp_path / "state.json")
    assert code == 0, err
    expected = "Basic " + base64.b64encode(b"ann:s3cret").decode()
    assert {auth for _, _, auth, _ in recorder.seen} == {expected}
    assert {kind for _, _, _, kind in recorder.seen} == {"text/turtle; charset=utf-8"}
    assert len(recorder.seen) == 16 and {method for method, *_ in recorder.seen} == {"PUT"}


def test_bearer_token_from_the_environment(recorder, tmp_path, run, monkeypatch):
    monkeypatch.setenv("VAULTC_STORE_TOKEN", "t0ken")
    from compiler.cli import main

    code = main(["publish", str(FIXTURE), "--store", _store(recorder), "--state", str(tmp_path / "s.json")])
    assert code == 0
    assert {auth for _, _, auth, _ in recorder.seen} == {"Bearer t0ken"}


def test_refused_credentials_stop_at_once(recorder, tmp_path, run):
    recorder.status = 401
    code, _, err = run("publish", FIXTURE, "--store", _store(recorder), "--token", "wrong",
                       "--state", tmp_path / "state.json")
    assert code == 2 and err.count("\n") == 1 and "401" in err
    assert len(recorder.seen) < 15


def test_an_unreachable_store_is_one_line_and_exit_2(tmp_path, run):
    store = f"http://127.0.0.1:{free_port()}/store"
    code, _, err = run("publish", FIXTURE, "--store", store, "--state", tmp_path / "state.json")
    assert code == 2 and err.count("\n") == 1 and "cannot reach the store" in err


def test_the_state_file_may_not_live_in_the_vault(tmp_path, run):
    vault = tmp_path / "vault"
    shutil.copytree(FIXTURE, vault)
    code, _, err = run("publish", vault, "--store", "http://127.0.0.1:9/store", "--state", vault / "state.json")
    assert code == 2 and "outside the vault" in err


# --- stores that fail, lock or lose graphs -------------------------------------------------------

class _Flaky(http.server.BaseHTTPRequestHandler):
    """A Graph Store that answers 503 (an HTML page) to the first tries of each graph, as a store
    that deadlocked parallel writes does, and remembers what it was sent."""

    failures_left: dict[str, int] = {}
    graphs: dict[str, bytes] = {}

    def do_PUT(self):
        graph = self.path.split("graph=", 1)[1]
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        left = self.failures_left.get(graph, 2)
        if left:
            self.failures_left[graph] = left - 1
            self._answer(503, b"<html><head><title>Deadlock SR172</title></head><body>...</body></html>", "text/html")
            return
        self.graphs[graph] = body
        self._answer(204, b"", "text/plain")

    def do_GET(self):
        graph = self.path.split("graph=", 1)[1]
        if graph in self.graphs:
            self._answer(200, self.graphs[graph], "application/n-triples")
        else:
            self._answer(404, b"no such graph", "text/plain")

    def _answer(self, status, body, kind):
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def flaky():
    _Flaky.failures_left, _Flaky.graphs = {}, {}
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Flaky)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/store", _Flaky
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("concurrency", ["1", "8"])
def test_publish_retries_a_store_that_fails_and_verify_repairs_it(flaky, make_vault, run, tmp_path, concurrency):
    store, handler = flaky
    vault = make_vault({"a.md": "# A\n\n[[b]]\n", "b.md": "# B\n"})
    state = tmp_path / "state.json"
    code, _, err = run("publish", vault, "--store", store, "--state", state, "--concurrency", concurrency,
                       "--today", TODAY, "--no-cache")
    assert code == 0, err
    assert len(handler.graphs) == 3  # two pages and the compilation, each after two 503s
    lost = next(iter(handler.graphs))
    del handler.graphs[lost]  # deleted behind vaultc's back
    code, _, err = run("publish", vault, "--store", store, "--state", state, "--today", TODAY, "--no-cache")
    assert code == 0 and lost not in handler.graphs  # the state file cannot know
    code, _, err = run("publish", vault, "--store", store, "--state", state, "--verify", "--today", TODAY,
                       "--no-cache")
    assert code == 0 and lost in handler.graphs and "1 graph put" in err, err


def test_a_store_error_is_one_readable_line(make_vault, run, tmp_path, flaky):
    store, handler = flaky
    handler.failures_left = {}
    vault = make_vault({"a.md": "# A\n"})

    class Always:  # every graph fails more often than vaultc retries
        def get(self, key, default):
            return 99

        def __setitem__(self, key, value):
            pass
    handler.failures_left = Always()
    code, _, err = run("publish", vault, "--store", store, "--state", tmp_path / "s.json", "--today", TODAY,
                       "--no-cache")
    assert code == 2 and "Deadlock SR172" in err and "<html" not in err and err.count("\n") == 1


# --- a real Oxigraph server killed mid-publish -----------------------------------------------------

def _graph_count(base: str) -> int:
    try:
        rows = _select(base, "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
    except OSError:  # down, or starting
        return -1
    return int(rows[0]["n"])


@pytest.mark.parametrize("concurrency", ["1", "8"])
def test_a_store_killed_mid_publish_and_a_graph_lost_are_repaired_by_verify(tmp_path, run, concurrency):
    """Oxigraph is killed (SIGKILL) while publish is part-way and started again on the same data;
    then a graph is deleted behind vaultc's back. `publish --verify` leaves the store equal,
    quad for quad, to `export --format trig`."""
    from synthetic import generate

    vault = tmp_path / "vault"
    generate(vault, 300)  # about 300 graphs: the kill lands with most of them still to send
    server = OxigraphServer(tmp_path / "oxigraph-data").start()
    state = tmp_path / "state.json"
    common = ["--store", f"{server.url}/store", "--state", str(state), "--today", TODAY, "--no-cache"]
    try:
        publishing = subprocess.Popen([sys.executable, "-m", "compiler", "publish", str(vault), *common,
                                       "--concurrency", concurrency], stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while (landed := _graph_count(server.url)) < 20 and publishing.poll() is None:
            assert time.monotonic() < deadline, "publish sent nothing"
            time.sleep(0.02)
        server.kill()
        assert publishing.poll() is None and 20 <= landed < 250, (landed, publishing.returncode)
        time.sleep(0.3)
        server.start()  # the same port and data folder: publish's retries may reach it again
        _, err = publishing.communicate(timeout=120)
        assert publishing.returncode in (0, 2) and err.count("\n") <= 1, err  # done, or one readable line

        graphs = [row["g"] for row in _select(server.url, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")]
        lost = sorted(graphs)[len(graphs) // 2]
        request = urllib.request.Request(f"{server.url}/store?" + urlencode({"graph": lost}), method="DELETE")
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status in (200, 204)

        code, _, err = run("publish", vault, *common, "--concurrency", concurrency, "--verify")
        assert code == 0, err
        trig = tmp_path / "export.trig"
        code, _, err = run("export", vault, "--format", "trig", "-o", trig, "--today", TODAY, "--no-cache")
        assert code == 0, err
        exported = set(ox.parse(trig.read_bytes(), format=ox.RdfFormat.TRIG))
        assert _store_quads(server.url) == exported
    finally:
        server.stop()
