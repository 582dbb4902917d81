"""One vault page as HTML, rendered by vaultc from the tokens its parser reads (emit stage).

The checker and the site read a page the same way: markdown.py's parser (CommonMark, GFM tables,
footnotes, math, strikethrough, wikilinks, embeds, comments) gives the tokens, and this module
turns Obsidian's extras into plain tokens before markdown-it's own HTML renderer writes them out:

- each `[[link]]` and `[text](page.md)` is looked up among the page's resolutions (by what was
  written, so a link is found wherever it stands) and becomes a link to its page, titled with the
  page's title, or visibly missing text;
- `![[page#section]]` alone in a paragraph becomes the section itself, rendered from the embedded
  page's tokens inside an `embed` admonition; an image or other media becomes the element;
- `> [!kind] title` callouts become Material admonitions (`details` when they fold);
- headings get the ids links point at (context.py computes them before any page is rendered);
- `#tags`, `^block-ids`, `key:: value` fields, `==highlights==` and `- [ ]` tasks are marked up;
- a ```` ```sparql ```` query block becomes its answer (compiled with the vault, see rdf/blocks.py):
  a table, yes/no or triples, with the query folded beneath it;
- the lines findings stand on get the `line:N` anchors the health page links to, and stale and
  overdue claims a marker at the end of their sentence.

Links are written to `.md` docs paths, as in any MkDocs page: the vaultc plugin (plugin.py) turns
them into the site's URLs and lets MkDocs validate them, anchors included.
"""
from __future__ import annotations

import posixpath
import re
from functools import lru_cache
from typing import TYPE_CHECKING

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin

from ..markdown import OBSIDIAN_MATH, parse_markdown
from ..model import Resolution
from ..names import BLOCK_ID, TAG, normalise
from .links import attr, display, missing

if TYPE_CHECKING:
    from .context import Site

MAX_DEPTH = 6  # Obsidian stops nested embeds early too; a deep chain is almost always a mistake
# Material's search plugin looks each section up in the whole table of contents, and each closing
# tag up in its section from the start: both quadratic, so a page of 100,000 headings or 50,000
# footnotes stalled the build for minutes. Past these budgets a page's later headings stay out of
# the contents and its later blocks out of the search index (`data-search-exclude`); they are
# still shown, with their anchors. No page a person writes comes near them.
SEARCH_SECTIONS = 1_000
SEARCH_ELEMENTS = 20_000
IMAGES = {"png", "jpg", "jpeg", "gif", "bmp", "svg", "webp", "avif"}
AUDIO = {"mp3", "wav", "m4a", "ogg", "flac", "3gp"}
VIDEO = {"mp4", "webm", "ogv", "mov", "mkv"}
# Callout kinds Material styles (Obsidian's names and aliases are the same set); others are notes.
CALLOUTS = {"note", "abstract", "summary", "tldr", "info", "todo", "tip", "hint", "important", "success",
            "check", "done", "question", "help", "faq", "warning", "caution", "attention", "failure",
            "fail", "missing", "danger", "error", "bug", "example", "quote", "cite"}

_CALLOUT = re.compile(r"^\[!([A-Za-z][\w-]*)\]([+-]?)[ \t]*")
_TASK = re.compile(r"^\[([ xX])\](?:[ \t]+|$)")
_FIELD = re.compile(r"^([A-Za-z_][\w-]*(?:[ \t]+[\w-]+)*)[ \t]*::[ \t]*")
# `==marked==` inside one run of text (the parser has no rule for it: a highlight spanning other
# markup stays as written, as a highlight with no closing `==` does in Obsidian)
_HIGHLIGHT = re.compile(r"==(?=\S)(.+?)(?<=\S)==")
_SIZE = re.compile(r"^\s*(\d+)\s*(?:x\s*(\d+))?\s*$")
_BREAKS = ("softbreak", "hardbreak")
_LOCAL_NAME = re.compile(r"[A-Za-z_][\w.-]*")


@lru_cache(maxsize=1)
def html_renderer() -> MarkdownIt:
    """markdown-it's HTML renderer with the render rules of the parser's plugins. A line break
    inside a paragraph is a space, as CommonMark has it (vaults are often wrapped by hand)."""
    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    md.use(dollarmath_plugin, **OBSIDIAN_MATH).use(footnote_plugin)  # the generated pages' Markdown
    # Footnotes in the markup Material styles (Python-Markdown's)
    md.add_render_rule("footnote_block_open", lambda *args: '<div class="footnote">\n<hr>\n<ol>\n')
    md.add_render_rule("footnote_block_close", lambda *args: "</ol>\n</div>\n")
    md.add_render_rule("obsidian_comment", lambda *args: "")
    md.add_render_rule("obsidian_comment_block", lambda *args: "")
    return md


esc = attr


class PageHtml:
    """Renders line ranges of one page for a host docs file (the page itself, or a page that embeds
    it). `own` is False inside an embed: no ids (they would repeat), headings demoted."""

    def __init__(self, site: Site, path: str, host_doc: str, stack: tuple = (), own: bool = True,
                 shown: set | None = None) -> None:
        self.site, self.path, self.host = site, path, host_doc
        self.page = site.pages[path]
        self.lines = site.body_lines(path)
        self.stack = stack or ((path, None),)
        self.own = own
        # What this host page shows embedded already, shared with its embeds' renderers: each
        # embedded section is rendered once per page (a fan-out of embeds reached 3.3 GB).
        self.shown: set = shown if shown is not None else set()
        self.links = site.links_as_written(path)
        self.flagged = site.flagged_lines.get(path, set()) if own else set()
        self.anchored: set[int] = set()
        self.toc: list[tuple[int, str, str]] = []  # (level, id, name) of the headings rendered

    def render(self, first: int, last: int) -> str:
        """HTML of file lines first..last (a whole body, a section, a block)."""
        env: dict = {} if self.own else {"docId": f"e{len(self.shown)}"}  # footnote ids stay unique
        tokens = parse_markdown("\n".join(self.lines[first:last + 1]), env)
        tokens = self._blocks(tokens, first)
        if self.own:
            tokens = _within_search_budget(tokens)
        md = html_renderer()
        return md.renderer.render(tokens, md.options, env)

    # --- blocks ----------------------------------------------------------------------------------

    def _blocks(self, tokens: list[Token], first: int) -> list[Token]:
        out: list[Token] = []
        quotes: list[Token | None] = []  # the callout each open blockquote became, or None
        last_cover = self._last_inline_by_line(tokens, first)
        i = 0
        while i < len(tokens):
            token = tokens[i]
            kind = token.type
            if token.map is not None:
                token.map = [token.map[0] + first, token.map[1] + first]
                self._uncovered_anchors(token, out)
            if kind == "blockquote_open":
                callout = self._callout(tokens, i, first)
                quotes.append(callout[0] if callout else None)
                if callout:
                    out += callout
                    i += 4
                    continue
            elif kind == "blockquote_close":
                opened = quotes.pop()
                if opened is not None:
                    token.tag = opened.tag
            elif kind == "heading_open":
                self._heading(token, tokens[i + 1], tokens[i + 2])
            elif kind == "paragraph_open" and tokens[i + 1].children:
                embeds = self._block_embeds(tokens[i + 1])
                if embeds:
                    block = Token("html_block", "", 0, map=token.map, content=embeds)
                    self._uncovered_anchors(block, out, force=True)
                    out.append(block)
                    i += 3
                    continue
            elif kind == "list_item_open":
                _task(tokens, i)
            elif kind == "fence" and token.info.strip().split(maxsplit=1)[:1] == ["sparql"]:
                answer = self.site.answer(self.path, token.map[0])
                if answer is not None:
                    out.append(Token("html_block", "", 0, map=token.map, content=self._answer(answer, token.content)))
                    i += 1
                    continue
            elif kind == "inline" and token.map is not None:
                self._inline(token, last_cover)
            out.append(token)
            i += 1
        return out

    def _last_inline_by_line(self, tokens: list[Token], first: int) -> dict[int, int]:
        """File line -> id of the last inline token covering it (where a claim's marker goes)."""
        found = {}
        for token in tokens:
            if token.type == "inline" and token.map:
                for n in range(token.map[0] + first, max(token.map[1], token.map[0] + 1) + first):
                    found[n] = id(token)
        return found

    def _uncovered_anchors(self, token: Token, out: list[Token], force: bool = False) -> None:
        """`line:N` anchors for flagged lines no inline token holds (code, HTML, embeds), put
        before the block that holds them."""
        if not self.flagged or (token.type == "inline" and not force) or token.nesting < 0:
            return
        start, end = token.map
        if token.type not in ("fence", "code_block", "html_block", "math_block", "hr",
                              "obsidian_comment_block") and not force:
            return
        spans = [f'<span id="line:{n}"></span>' for n in range(start, max(end, start + 1))
                 if n in self.flagged and self._anchor_wanted(n)]
        if spans:
            out.append(Token("html_block", "", 0, content="".join(spans) + "\n"))

    def _anchor_wanted(self, n: int) -> bool:
        if n in self.anchored or n < self.page.body_line or n in self.site.heading_lines(self.page):
            return False
        self.anchored.add(n)
        return True

    def _callout(self, tokens: list[Token], i: int, first: int) -> list[Token] | None:
        """`> [!kind]± title` and its body: an admonition (Material's markup) whose title and first
        paragraph are the blockquote's first paragraph, split at its first line break."""
        if i + 3 >= len(tokens) or tokens[i + 1].type != "paragraph_open" or tokens[i + 2].type != "inline":
            return None
        inline = tokens[i + 2]
        children = inline.children or []
        if not children or children[0].type != "text":
            return None
        match = _CALLOUT.match(children[0].content)
        if match is None:
            return None
        kind, fold = match.group(1).lower(), match.group(2)
        cut = next((j for j, c in enumerate(children) if c.type in _BREAKS), len(children))
        head = [Token("text", "", 0, content=children[0].content[match.end():]), *children[1:cut]]
        rest = children[cut + 1:]
        if not any(c.content.strip() for c in head if c.type == "text") and len(head) == 1:
            head = [Token("text", "", 0, content=kind.capitalize())]
        style = kind if kind in CALLOUTS else "note"
        line = inline.map[0] + first
        if fold:
            box = Token("blockquote_open", "details", 1, attrs={"class": style, **({"open": ""} if fold == "+" else {})})
            title_tag, title_attrs = "summary", {}
        else:
            box = Token("blockquote_open", "div", 1, attrs={"class": f"admonition {style}"})
            title_tag, title_attrs = "p", {"class": "admonition-title"}
        box.map, box.level = tokens[i].map, tokens[i].level
        title = Token("inline", "", 0, map=[line, line + 1], children=head, content="")
        out = [box, Token("paragraph_open", title_tag, 1, attrs=title_attrs),
               title, Token("paragraph_close", title_tag, -1)]
        self._inline(title, {})
        if rest:
            body = Token("inline", "", 0, map=[line + 1, inline.map[1] + first], children=rest, content="")
            self._inline(body, self._last_inline_by_line([body], 0))
            out += [Token("paragraph_open", "p", 1), body, Token("paragraph_close", "p", -1)]
        return out

    def _heading(self, opening: Token, inline: Token, closing: Token) -> None:
        line = opening.map[0]
        index = self.site.heading_lines(self.page).get(line)
        if not self.own:
            # Inside an embed a heading is a bold line: it would otherwise join the host's table of
            # contents and shift the ids of the host's own headings.
            opening.tag = closing.tag = "p"
            opening.attrs = {"class": "vaultc-heading"}
            inline.children = [Token("strong_open", "strong", 1), *(inline.children or []),
                               Token("strong_close", "strong", -1)]
            return
        if index is None:
            return
        slug = self.site.slugs(self.path)[index]
        opening.attrs = {"id": slug}
        inline.children = [*(inline.children or []), _raw(
            f'<a class="headerlink" href="#{esc(slug)}" title="Permanent link">&para;</a>')]
        self.toc.append((int(opening.tag[1]), slug, self.site.heading_name(self.path, index)))

    # --- query blocks ----------------------------------------------------------------------------

    def _answer(self, answer, query: str) -> str:
        if answer.form == "error":
            shown = (f'<div class="admonition failure"><p class="admonition-title">Query error</p>'
                     f'<p>{esc(answer.error)}</p></div>')
        elif answer.form == "ask":
            shown = f'<p class="vaultc-ask">{"Yes" if answer.boolean else "No"}</p>'
        elif not answer.rows:
            shown = '<p class="vaultc-no-rows">No results.</p>'
        else:
            head = "".join(f"<th>{esc(v)}</th>" for v in answer.variables)
            body = "".join("<tr>" + "".join(f"<td>{self._term(t)}</td>" for t in row) + "</tr>\n"
                           for row in answer.rows)
            shown = f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}</tbody>\n</table>\n"
            if answer.truncated:
                shown += f'<p class="vaultc-no-rows">The first {len(answer.rows)} rows are shown.</p>'
        return (f'<div class="vaultc-answer">\n{shown}\n<details class="quote"><summary>SPARQL query</summary>\n'
                f'<pre><code class="language-sparql">{esc(query)}</code></pre>\n</details>\n</div>\n')

    def _term(self, term) -> str:
        """One term of an answer: a page as a link to it (titled), another IRI by its prefixed
        name, a literal as its text."""
        if term is None:
            return ""
        if term[0] == "uri":
            path = self.site.answers.pages.get(term[1])
            if path is not None and path in self.site.pages:
                return f'<a href="{esc(self.site.href(self.host, path))}">{esc(self.site.pages[path].title)}</a>'
            for prefix, namespace in self.site.answers.prefixes.items():
                if term[1].startswith(namespace) and _LOCAL_NAME.fullmatch(term[1][len(namespace):]):
                    return f"<code>{esc(prefix)}:{esc(term[1][len(namespace):])}</code>"
            return f"<code>&lt;{esc(term[1])}&gt;</code>"
        if term[0] == "bnode":
            return f"<code>_:{esc(term[1])}</code>"
        return esc(term[1])

    # --- embeds ----------------------------------------------------------------------------------

    def _block_embeds(self, inline: Token) -> str | None:
        """A paragraph of nothing but embeds of pages (one per line): their content, else None."""
        found = []
        for child in inline.children:
            if child.type == "wikilink" and child.meta["embed"]:
                res = self.links.get((False, child.content, True))
                if res is None or res.target not in self.site.pages:
                    return None
                found.append(res)
            elif not (child.type in _BREAKS or (child.type == "text" and not child.content.strip())):
                return None
        return "".join(self._embed(res) for res in found) or None

    def _embed(self, res: Resolution) -> str:
        """`![[Note]]`, `![[Note#Section]]`, `![[Note#^block]]`: the content itself, in an `embed`
        admonition titled with a link to where it comes from."""
        site, link = self.site, res.link
        key = (res.target, f"^{link.block}" if link.block else "#".join(link.headings) or None)
        page = site.pages[res.target]
        anchor, found = site.anchor_of(res)
        parts = [*link.headings] + ([f"^{link.block}"] if link.block else [])
        title = " › ".join([page.title, *parts])
        head = (f'<div class="admonition embed"><p class="admonition-title">'
                f'<a href="{esc(site.href(self.host, res.target, anchor))}">{esc(title)}</a></p>\n')
        if key in self.stack or len(self.stack) > MAX_DEPTH or key in self.shown:
            return head + (f'<p class="vaultc-cycle">Not shown again: {esc(display(link))} is already '
                           f'embedded above.</p>\n</div>\n')
        readable = res.target not in site.unreadable
        span = site.section(res) if found and readable else None
        if span is None:
            why = "could not be read" if not readable else f"has no {'block' if link.block else 'heading'} {key[1]}"
            return head + f'<p>{missing(page.title + " " + why + ".", why)}</p>\n</div>\n'
        self.shown.add(key)
        inner = PageHtml(site, res.target, self.host, self.stack + (key,), own=False, shown=self.shown)
        return head + inner.render(*span) + "</div>\n"

    # --- inline ----------------------------------------------------------------------------------

    def _inline(self, token: Token, last_cover: dict[int, int]) -> None:
        """Rewrite one inline token's children: links, tags, block ids, fields, highlights, and the
        anchors and claim markers of the lines it covers."""
        line = token.map[0]
        out: list[Token] = []
        closing: Token | None = None  # the link_close of a Markdown link that became a span
        at_line_start = True
        for child in token.children or ():
            kind = child.type
            if at_line_start:
                self._line_anchor(line, out)
                at_line_start = False
            if kind in _BREAKS:
                self._marks(line, token, last_cover, out)
                line += 1
                at_line_start = True
                out.append(child)
            elif kind == "wikilink":
                out.append(_raw(self._wikilink(child)))
            elif kind == "obsidian_comment":
                continue
            elif kind == "text":
                out += self._text(child.content, start_of_line=not out or out[-1].type in _BREAKS)
            elif kind == "link_open":
                closing = self._markdown_link(child)
                out.append(child)
            elif kind == "link_close" and closing is not None:
                child.tag, closing = closing.tag, None
                out.append(child)
            elif kind == "image":
                self._markdown_image(child)
                out.append(child)
            else:
                out.append(child)
        if at_line_start:
            self._line_anchor(line, out)
        self._marks(line, token, last_cover, out)
        token.children = out

    def _line_anchor(self, line: int, out: list[Token]) -> None:
        if line in self.flagged and self._anchor_wanted(line):
            out.append(_raw(f'<span id="line:{line}"></span>'))

    def _marks(self, line: int, token: Token, last_cover: dict[int, int], out: list[Token]) -> None:
        """Markers of the stale and overdue claims whose sentence ends on this line."""
        if not self.flagged or last_cover.get(line) != id(token):
            return
        for status, message in self.site.claim_marks(self.path).get(line, ()):
            out.append(_raw(f' <mark class="vaultc-claim vaultc-{status}" title="{esc(message)}">{status}</mark>'))

    def _text(self, content: str, start_of_line: bool) -> list[Token]:
        """A text run with its tags as links, block ids as anchors, field keys and highlights."""
        edits: list[tuple[int, int, str]] = []
        if start_of_line and "::" in content:
            field = _FIELD.match(content)
            if field:
                edits.append((0, field.end(), f'<span class="vaultc-field">{esc(field.group(1).replace("_", " "))}</span> '))
        if "#" in content and self.page.tags:
            for match in TAG.finditer(content):
                href = self.site.tags.href(self.host, match.group(1))
                edits.append((match.start(), match.end(), f'<a class="vaultc-tag" href="{esc(href)}">'
                                                           f'#{esc(match.group(1))}</a>'))
        if "^" in content and self.page.block_ids:
            for match in BLOCK_ID.finditer(content):
                anchor = f' <span id="block:{esc(match.group(1))}"></span>' if self.own else ""
                edits.append((match.start(), match.end(), anchor))
        if "==" in content:
            edits += [(m.start(), m.end(), f"<mark>{esc(m.group(1))}</mark>") for m in _HIGHLIGHT.finditer(content)]
        if not edits:
            return [Token("text", "", 0, content=content)]
        out, at = [], 0
        for start, end, markup in sorted(edits):
            if start < at:
                continue  # overlaps an earlier edit
            if start > at:
                out.append(Token("text", "", 0, content=content[at:start]))
            out.append(_raw(markup))
            at = end
        if at < len(content):
            out.append(Token("text", "", 0, content=content[at:]))
        return out

    def _wikilink(self, child: Token) -> str:
        meta = child.meta
        res = self.links.get((False, child.content, meta["embed"]))
        site = self.site
        if res is None:  # not among the page's resolutions: shown as written
            return esc(child.markup + child.content + "]]")
        link = res.link
        if res.target is None:
            return missing(display(link), f"Missing page: {link.text}")
        if res.target not in site.pages:
            if link.embed:
                return self._media(res)
            name = link.display or posixpath.basename(res.target)
            return f'<a href="{esc(site.href(self.host, res.target))}">{esc(name)}</a>'
        anchor, found = site.anchor_of(res)
        href = esc(site.href(self.host, res.target, anchor))
        shown = esc(self._shown(res))
        prefix = "↪ " if link.embed else ""  # an embed inside running text: a link marked as one
        if not found:
            return (f'{prefix}<a class="vaultc-missing-anchor" href="{href}" '
                    f'title="{esc("Missing: " + link.text)}">{shown}</a>')
        return f'{prefix}<a href="{href}">{shown}</a>'

    def _shown(self, res: Resolution) -> str:
        """A link's alias; else its page's title and the heading or block it names."""
        link = res.link
        if link.display:
            return link.display
        parts = [*link.headings] + (["^" + link.block] if link.block else [])
        if link.target or not parts:
            # Named by its file name: the page's title. By an alias: the alias, as Obsidian shows it.
            page = self.site.pages[res.target]
            named = link.target.rpartition("/")[2]
            by_name = normalise(named) in (normalise(page.name), normalise(page.path))
            parts.insert(0, page.title if by_name else link.target)
        return " > ".join(parts)

    def _media(self, res: Resolution) -> str:
        """`![[file|300]]` of an attachment: an image with its size, PDF/audio/video players, else a link."""
        link = res.link
        name = posixpath.basename(res.target)
        extension = name.rpartition(".")[2].lower()
        alt, width, height = _alt_and_size(link.display, name)
        url = esc(self.site.href(self.host, res.target))
        size = "".join(f' {k}="{v}"' for k, v in (("width", width), ("height", height)) if v)
        if extension in IMAGES:
            return f'<img src="{url}" alt="{esc(alt)}"{size}>'
        src = url + esc("#" + "#".join(link.headings) if link.headings else "")
        if extension == "pdf":
            return (f'<object class="vaultc-pdf" data="{src}" type="application/pdf" width="{width or "100%"}" '
                    f'height="{height or 600}"><a href="{src}">{esc(alt)}</a></object>')
        if extension in AUDIO:
            return f'<audio class="vaultc-media" controls src="{src}"></audio>'
        if extension in VIDEO:
            return f'<video class="vaultc-media" controls src="{src}"{size}></video>'
        return f'<a href="{url}">{esc(alt)}</a>'

    def _markdown_link(self, token: Token) -> Token | None:
        """`[text](page.md#heading)` to its page's docs file; unresolved, the text marked missing.
        Returns the token when it became a span (its link_close must follow)."""
        res = self.links.get((True, token.attrGet("href") or "", False))
        if res is None:
            return None  # a web link, or one parse did not record: as written
        if res.target is None:
            token.tag, token.attrs = "span", {"class": "vaultc-missing", "title": f"Missing page: {res.link.text}"}
            return token
        if res.target in self.site.pages:
            anchor, found = self.site.anchor_of(res)
        else:  # an attachment: `#page=3` and the like are for the browser
            anchor, found = "#".join(res.link.headings) or None, True
        token.attrSet("href", self.site.href(self.host, res.target, anchor))
        if not found:
            token.attrSet("class", "vaultc-missing-anchor")
        return None

    def _markdown_image(self, token: Token) -> None:
        res = self.links.get((True, token.attrGet("src") or "", True))
        if res is not None and res.target is not None:
            token.attrSet("src", self.site.href(self.host, res.target))


def _within_search_budget(tokens: list[Token]) -> list[Token]:
    """The page's top-level blocks, those past SEARCH_ELEMENTS elements or SEARCH_SECTIONS
    headings marked to stay out of the search index (see SEARCH_SECTIONS)."""
    elements = sum(1 for t in tokens if t.nesting == 1 or t.level == 0)
    if elements <= SEARCH_ELEMENTS and sum(t.type == "heading_open" for t in tokens) <= SEARCH_SECTIONS:
        return tokens  # every page a person writes
    blocks, start, depth = [], 0, 0  # (first token, last token + 1, elements) of each top-level block
    for i, token in enumerate(tokens):
        depth += token.nesting if token.level == 0 else 0
        if token.level == 0 and depth == 0:
            blocks.append((start, i + 1, sum(1 for t in tokens[start:i + 1] if t.nesting == 1 or t.level == 0)))
            start = i + 1
    out, elements, sections, excluding = [], 0, 0, False
    for lo, hi, count in blocks:
        heading = tokens[lo].type == "heading_open"
        elements += count
        sections += heading
        if elements > SEARCH_ELEMENTS or sections > SEARCH_SECTIONS:
            if heading:
                if excluding:
                    out.append(Token("html_block", "", 0, content="</div>\n"))
                    excluding = False
                tokens[lo].attrSet("data-search-exclude", "")
            elif not excluding:
                out.append(Token("html_block", "", 0, content="<div data-search-exclude>\n"))
                excluding = True
        out += tokens[lo:hi]
    if excluding:
        out.append(Token("html_block", "", 0, content="</div>\n"))
    return out


def _raw(markup: str) -> Token:
    return Token("html_inline", "", 0, content=markup)


def _task(tokens: list[Token], i: int) -> None:
    """`- [ ] todo` / `- [x] done`: Material's task list markup on the item."""
    if i + 2 >= len(tokens) or tokens[i + 1].type != "paragraph_open" or not tokens[i + 2].children:
        return
    first = tokens[i + 2].children[0]
    match = _TASK.match(first.content) if first.type == "text" else None
    if match is None:
        return
    tokens[i].attrSet("class", "task-list-item")
    first.content = first.content[match.end():]
    checked = " checked" if match.group(1) != " " else ""
    tokens[i + 2].children.insert(0, _raw(f'<label class="task-list-control"><input type="checkbox" disabled{checked}>'
                                          f'<span class="task-list-indicator"></span></label> '))


def _alt_and_size(shown: str | None, name: str) -> tuple[str, str | None, str | None]:
    """`alt|300`, `300x200` or `alt`: Obsidian puts an optional size after the last `|`."""
    if not shown:
        return name, None, None
    head, _, last = shown.rpartition("|")
    size = _SIZE.match(last)
    if size:
        return head or name, size.group(1), size.group(2)
    return shown, None, None
