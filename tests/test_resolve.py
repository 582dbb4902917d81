"""resolve: the order of preference of VAULT-SPEC §1 and its tie-breaks."""
from __future__ import annotations

from compiler.model import Link
from compiler.parse import parse_page
from compiler.resolve import Index, find_heading


def index(*paths, attachments=(), texts=None):
    texts = texts or {}
    pages = {p: parse_page(p, texts.get(p, "")) for p in paths}
    return Index(pages, attachments), pages


def resolve(idx, pages, source, target, origin="body"):
    return idx.resolve(pages[source], Link(raw=target, target=target, origin=origin))


def test_exact_path_beats_suffix_and_name():
    idx, pages = index("src.md", "notes/T.md", "x/notes/T.md", "T.md")
    assert resolve(idx, pages, "src.md", "notes/T").target == "notes/T.md"
    assert resolve(idx, pages, "src.md", "notes/T").step == "path"


def test_path_suffix_then_name():
    idx, pages = index("src.md", "a/deep/T.md", "b/T.md")
    res = resolve(idx, pages, "src.md", "deep/T")
    assert (res.target, res.step) == ("a/deep/T.md", "suffix")
    res = resolve(idx, pages, "src.md", "T")
    assert res.step == "name" and res.ambiguous and res.target == "b/T.md"  # shorter path wins the tie


def test_name_beats_attachment_beats_alias():
    texts = {"p/Other.md": "---\naliases: [chart.png, Thing]\n---\n"}
    idx, pages = index("src.md", "p/Other.md", "p/Thing.md", attachments=["img/chart.png"], texts=texts)
    assert resolve(idx, pages, "src.md", "chart.png").target == "img/chart.png"
    assert resolve(idx, pages, "src.md", "Thing").target == "p/Thing.md"
    alias = resolve(idx, pages, "src.md", "THING")
    assert alias.step == "name"


def test_alias_resolves_case_insensitively_even_with_a_slash():
    texts = {"s/paper.md": "---\naliases: [Georgia Tech/Intel paper]\n---\n"}
    idx, pages = index("src.md", "s/paper.md", texts=texts)
    res = resolve(idx, pages, "src.md", "georgia tech/intel PAPER")
    assert (res.target, res.step) == ("s/paper.md", "alias")


def test_tie_break_same_folder_then_shortest_then_alphabetical():
    idx, pages = index("z/src.md", "a/x/N.md", "z/long/N.md", "b/N.md", "c/N.md", "z/N.md")
    assert resolve(idx, pages, "z/src.md", "N").target == "z/N.md"
    idx, pages = index("q/src.md", "c/N.md", "b/N.md", "a/x/N.md")
    res = resolve(idx, pages, "q/src.md", "N")
    assert res.target == "b/N.md" and res.candidates == ("b/N.md", "c/N.md", "a/x/N.md")


def test_unicode_normalisation_and_case():
    idx, pages = index("src.md", "Caf\u00e9.md")
    assert resolve(idx, pages, "src.md", "CAFE\u0301").target == "Caf\u00e9.md"


def test_links_never_leave_the_vault():
    idx, pages = index("a/src.md", "b.md")
    assert resolve(idx, pages, "a/src.md", "../b.md").target == "b.md"
    assert resolve(idx, pages, "a/src.md", "../../b.md").target is None
    assert resolve(idx, pages, "a/src.md", "../../etc/passwd").target is None


def test_markdown_links_try_the_linking_folder_first():
    idx, pages = index("a/src.md", "a/T.md", "T.md")
    assert resolve(idx, pages, "a/src.md", "T.md", origin="markdown").target == "a/T.md"
    assert resolve(idx, pages, "a/src.md", "T.md").target == "T.md"  # a wikilink: exact path first


def test_nested_heading_paths():
    heads = [(1, "top"), (2, "a"), (3, "x"), (2, "b"), (3, "y"), (2, "c")]
    assert find_heading(heads, ("a", "x")) == 2
    assert find_heading(heads, ("top", "y")) == 4
    assert find_heading(heads, ("a", "y")) is None
    assert find_heading(heads, ("c", "x")) is None
    assert find_heading(heads, ("top", "b", "y")) == 4


def test_heading_links_ignore_code_and_emphasis_marks():
    text = "## The `KV cache` and *batching*\n"
    idx, pages = index("src.md", "p.md", texts={"p.md": text})
    for written in ("The KV cache and batching", "The `KV cache` and *batching*"):
        link = Link(raw=f"p#{written}", target="p", headings=(written,))
        assert idx.resolve(pages["src.md"], link).missing_heading is None, written


def test_remembered_targets_resolve_as_a_fresh_lookup_would(tmp_path):
    """The index remembers targets whose resolution did not depend on the linking page; every
    resolution must equal the one an index without that memory gives, and patching forgets it."""
    import datetime as dt

    from compiler.analyse import compile_vault
    from compiler.config import Config
    from compiler.resolve import Index
    from synthetic import generate

    class Forgetful(Index):
        @property
        def _memo(self):
            return {}

    vault = compile_vault(generate(tmp_path / "v", 300).root, Config(), dt.date(2026, 11, 22))
    plain = Forgetful(vault.pages, vault.attachments)
    readable = [p for p in vault.pages.values() if p.path not in dict(vault.unreadable)]
    assert vault.resolutions == tuple(plain.resolve(p, link) for p in readable for link in p.links)
    assert vault.index._memo
    some = readable[0]
    vault.index.remove(some.path)
    assert not vault.index._memo
