"""Vault pages are rendered from the parser's tokens, with the block structure CommonMark gives:
lists after a paragraph, fences in list items, links in table cells, nested lists, HTML blocks,
footnotes, task lists and math, in the page `vaultc site` builds (MkDocs only wraps it)."""
from __future__ import annotations

import re
from html.parser import HTMLParser

from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin

from conftest import FIXTURES
from test_site_build import build_site

VAULT = FIXTURES / "site" / "commonmark"
BLOCKS = {"p", "ul", "ol", "li", "pre", "code", "table", "thead", "tbody", "tr", "th", "td", "blockquote",
          "h1", "h2", "h3", "h4", "h5", "h6", "hr", "div", "a"}


class _Shape(HTMLParser):
    """The sequence of block tags (and links) of an HTML fragment, and its visible text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in BLOCKS:
            self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def shape(html: str) -> _Shape:
    parser = _Shape()
    parser.feed(html)
    return parser


def article(site, rel: str) -> str:
    """The page's content as MkDocs placed it, without the heading permalinks and the site's chrome."""
    page = (site / rel).read_text(encoding="utf-8")
    content = page.split('<article class="md-content__inner md-typeset">', 1)[1].split("</article>", 1)[0]
    content = re.sub(r'<a class="headerlink"[^>]*>.*?</a>', "", content)
    # the site's own chrome around the page's blocks: breadcrumbs, the folded phone contents
    content = re.sub(r'<nav class="vaultc-crumbs".*?</nav>|<details class="vaultc-phone-toc"[^>]*>.*?</details>', "",
                     content, flags=re.S)
    return content.split('<h2 id="linked-from"', 1)[0]


def expected_html(source: str) -> str:
    """markdown-it-py's CommonMark renderer (with GFM tables, footnotes and math) on the page, each wikilink written as
    the Markdown link it becomes, so that the two renderings can be compared."""
    body = source.split("---\n", 2)[2]
    body = re.sub(r"\[\[([^\]|\\]+)(?:\\?\|([^\]]+))?\]\]", lambda m: f"[{m.group(2) or m.group(1)}](x)", body)
    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    return md.use(footnote_plugin).use(dollarmath_plugin).render(body)


def test_page_html_has_commonmark_block_structure(tmp_path_factory):
    site = build_site(tmp_path_factory, "commonmark", VAULT)
    ours = shape(article(site, "Cases.html"))
    theirs = shape(expected_html((VAULT / "Cases.md").read_text()))
    # The frontmatter-less panel adds nothing; the comparison is the page's own blocks.
    assert [t for t in ours.tags if t != "div"] == [t for t in theirs.tags if t != "div"]
    visible = "".join(ours.text)
    assert "[[" not in visible.replace('print("[[NotALink]]")', "")  # only inside the code block
    html = article(site, "Cases.html")
    assert '<td><a href="Other.html">escaped</a></td>' in html and '<td><a href="Other.html">plain</a></td>' in html
    assert '<a href="Other.html">Other page</a> and <a href="Other.html">Other page</a>' in html  # twice in a row
    assert '<a href="Other.html">one</a> <a href="Other.html">two</a>' in html
    assert 'class="task-list-item"' in html and "checked" in html
    assert 'id="fn1"' in html and 'href="#fn1"' in html  # footnotes, linked both ways
    assert '<div class="footnote">' in html
    assert 'class="math inline"' in html and 'class="math block"' in html
    assert "<mark>highlighted</mark>" in html and "<s>struck</s>" in html
    assert '<div class="note-box">' in html


def test_generated_markdown_reads_dollars_as_obsidian_does():
    """The health page quotes claims and the home page a sector's prose: "$8.4B of FY2024, $10.5B"
    is two amounts there, as in the page (Obsidian's math needs no space inside its dollars)."""
    from compiler.site.render import html_renderer

    html = html_renderer().render("Dell ($8.4B of FY2024 originations, $10.5B portfolio) lends cheaper.")
    assert "math" not in html and "$8.4B of FY2024 originations, $10.5B portfolio" in html
    assert 'class="math inline"' in html_renderer().render("Energy: $E = mc^2$.")
