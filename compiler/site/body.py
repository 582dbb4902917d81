"""One page's Markdown rewritten for MkDocs (emit stage).

Every edit is anchored on what parse recorded: links at their line and column (spans.py), prose
lines from the page's text blocks (tags, block ids), headings by line, findings by line (inline
stale/overdue markers). Lines are rewritten one by one; block-level changes (callouts, embeds) only
replace whole lines, so line numbers stay the key throughout.
"""
from __future__ import annotations

import re

from ..model import Page, Resolution
from ..names import BLOCK_ID, TAG
from .anchors import heading_content
from .callouts import convert_callouts
from .context import CLAIM_RULES, Site
from .embeds import transclude
from .links import anchor_of, attr, is_media, label, media, wikilink
from .headings import COMMENT as _COMMENT
from .spans import Edit, PageText, apply_edits, markdown_span, wiki_span

_CODE_SPAN = re.compile(r"(`+).+?\1")
_STANDALONE = re.compile(r"^[ \t>]*$")
_NOT_ALNUM = re.compile(r"[\W_]+")
_FIELD_LINE = re.compile(r"^([ \t]*)([A-Za-z_][\w \-]*?)[ \t]*::[ \t]*")


class Renderer:
    """Renders line ranges of one page into a host docs file (the page itself, or a page that
    embeds it). `stack` holds the embeds being expanded, to stop cycles."""

    def __init__(self, site: Site, path: str, host_doc: str, stack: tuple = (), own: bool = True,
                 shown: set | None = None) -> None:
        self.site = site
        # What this host page shows embedded already, shared with the renderers of its embeds:
        # each embedded section is rendered once per page (eight pages each embedding the next
        # ten times reached 3.3 GB), later embeds of it link to it.
        self.shown: set = shown if shown is not None else set()
        self.page: Page = site.pages[path]
        self.text: PageText = site.text(path)
        self.host_doc = host_doc
        self.stack = stack or ((path, None),)
        self.own = own  # False inside an embed: no ids (they would repeat), headings demoted
        self.prose = site.prose_lines(self.page)
        self.lines: list[str] = site.body_lines(path)
        self.table_rows = {b.line for b in self.page.blocks if b.kind == "table_row"}
        self.field_lines = {f.line for f in self.page.fields}
        # `%%` comment blocks, which Obsidian never shows (parse recorded where they are)
        self.hidden = {n for start, end in self.page.comments for n in range(start, end)}
        self.busy = self._busy_lines()

    def render(self, first: int, last: int) -> list[str]:
        lines, hidden = self.lines, self.hidden
        edits: dict[int, list[Edit]] = {}
        rows: dict[int, list[str]] = {}
        for n in self.busy:
            if first <= n <= last and n not in hidden:
                for edit in self._line_edits(n, rows):
                    edits.setdefault(edit.line, []).append(edit)
        for n in range(first, last + 1):
            if n in hidden:
                rows[n] = []
            elif n not in rows:
                line_edits = edits.get(n)
                rows[n] = [apply_edits(lines[n], line_edits) if line_edits else lines[n]]
        convert_callouts(self.page, self.lines, rows, first, last)
        if not self.own:
            self._demote_headings(rows, first, last)
        return [line for n in range(first, last + 1) for line in rows[n]]

    def _busy_lines(self) -> list[int]:
        """The lines _line_edits can change, in order: those with a link, a flag, or prose holding
        a tag, a comment, an inline field or a block id. Every other line is copied as it is."""
        page, lines = self.page, self.lines
        busy = set(self.site.link_lines.get(page.path, ()))
        if self.own:
            busy.update(self.site.flagged_lines.get(page.path, ()))
        busy.update(self.field_lines & self.prose)
        tags, blocks = bool(page.tags), bool(page.block_ids)
        for n in self.prose:
            if n < len(lines):
                line = lines[n]
                if (tags and "#" in line) or "%%" in line or (blocks and "^" in line):
                    busy.add(n)
        return sorted(busy)

    # --- one line --------------------------------------------------------------------------------

    def _line_edits(self, n: int, rows: dict[int, list[str]]) -> list[Edit]:
        source = self.lines[n]
        edits: list[Edit] = []
        link_spans: list[tuple[int, int]] = []
        for res in self.site.by_line.get((self.page.path, n), ()):
            if res.link.origin == "markdown":
                edits += self._markdown_link(res)
                continue
            span = wiki_span(self.text, res.link)
            if span is None:
                continue
            link_spans.append((span.start, span.end))
            if res.link.embed and res.target in self.site.pages:
                if _STANDALONE.match(source[:span.start]) and not source[span.end:].strip():
                    rows[n] = self._block_embed(res, source[:span.start])
                    if self.own and n in self.site.flagged_lines.get(self.page.path, ()):
                        # the anchor the health page links to, above what the embed shows
                        rows[n] = [f"{source[:span.start]}<span id='line:{n}'></span>", *rows[n]]
                    return []
                edits.append(Edit(n, span.start, span.end, self._inline_embed(res)))
            elif res.link.embed and is_media(self.site, res):
                edits.append(Edit(n, span.start, span.end, media(self.site, res, self.host_doc)))
            else:
                edits.append(Edit(n, span.start, span.end, wikilink(self.site, res, self.host_doc)))
        if n in self.prose:
            edits += self._prose_edits(n, source, link_spans)
        if self.own and n in self.site.flagged_lines.get(self.page.path, ()):
            edits += self._flag(n, source)
        return edits

    def _markdown_link(self, res: Resolution) -> list[Edit]:
        span = markdown_span(self.text, res.link)
        if span is None:
            return []
        if res.target is None:
            why = f"Missing page: {res.link.text}"
            if span.close is None:
                return [Edit(*span.dest, "#")]
            opening = f"<span class='vaultc-missing' title='{attr(why)}'>"
            return [Edit(*span.open, opening), Edit(*span.close, "</span>")]
        if res.target in self.site.pages:
            anchor, found = anchor_of(self.site, res)
        else:  # an attachment: `#page=3` and the like are for the browser, not for MkDocs
            anchor, found = "#".join(res.link.headings) or None, True
        edits = [Edit(*span.dest, self.site.href(self.host_doc, res.target, anchor))]
        if not found and span.close is not None:
            line, _, end = span.close
            edits.append(Edit(line, end, end, "{ .vaultc-missing-anchor }"))
        return edits

    def _prose_edits(self, n: int, source: str, link_spans: list[tuple[int, int]]) -> list[Edit]:
        edits = []
        code = [(m.start(), m.end()) for m in _CODE_SPAN.finditer(source)] if "`" in source else []
        taken = link_spans + code

        def free(start: int, end: int) -> bool:
            return not any(s < end and start < e for s, e in taken)

        if "#" in source and self.page.tags:
            known = set(self.page.tags)
            for match in TAG.finditer(source):
                if match.group(1) in known and free(match.start(), match.end()):
                    href = self.site.tags.href(self.host_doc, match.group(1))
                    edits.append(Edit(n, match.start(), match.end(), f"[#{label(match.group(1))}]({href})"))
        if "%%" in source:
            edits += [Edit(n, m.start(), m.end(), "") for m in _COMMENT.finditer(source) if free(m.start(), m.end())]
        if n in self.field_lines:
            edits += _field_edits(n, source)
        block = BLOCK_ID.search(source)
        if block and self.page.block_ids:
            heading = n in self.site.heading_lines(self.page)
            anchor = "" if heading or not self.own else f" <span id='block:{block.group(1)}'></span>"
            edits.append(Edit(n, block.start(), block.end(), anchor))
        return edits

    def _flag(self, n: int, source: str) -> list[Edit]:
        """The `line:N` anchor the health page links to; for a stale or overdue claim, a visible
        marker at the end of its sentence (which may run onto the following lines)."""
        if n < self.page.body_line or n in self.site.heading_lines(self.page):
            return []
        anchor = f" id='line:{n}'"
        marks = []
        for finding in self.site.flags[(self.page.path, n)]:
            status = CLAIM_RULES.get(finding.rule)
            if status and status not in (m[0] for m in marks):
                marks.append((status, finding.message))
        if not marks:
            at = _end_point(source, n in self.table_rows)
            return [Edit(n, at, at, f"<span{anchor}></span>")]
        html = "".join(f" <mark class='vaultc-claim vaultc-{status}'{anchor if i == 0 else ''} "
                       f"title='{attr(message)}'>{status}</mark>" for i, (status, message) in enumerate(marks))
        end = self._sentence_end(n)
        at = _end_point(self.lines[end], end in self.table_rows)
        return [Edit(end, at, at, html)]

    def _sentence_end(self, n: int) -> int:
        """The line where the claim starting on line n ends: its text's last letters are found in
        the source lines from n on, within its block."""
        verdict = self.site.flagged_claims.get((self.page.path, n))
        block = max((b for b in self.page.blocks if b.line <= n), key=lambda b: b.line, default=None)
        if verdict is None or block is None:
            return n
        last = block.line + block.text.count("\n")
        tail = _letters(verdict.claim.text)[-12:]
        seen = ""
        for line in range(n, last + 1):
            seen += _letters(self.lines[line])
            if tail and tail in seen:
                return line
        return last

    # --- embeds ----------------------------------------------------------------------------------

    def _block_embed(self, res: Resolution, prefix: str) -> list[str]:
        """`![[Note]]`, `![[Note#Section]]`, `![[Note#^block]]` alone on a line: the content itself,
        in an `embed` admonition titled with a link to where it comes from."""
        lines = transclude(self, res)
        blank = prefix.rstrip()
        return [blank] + [prefix + line if line else blank for line in lines] + [blank]

    def _inline_embed(self, res: Resolution) -> str:
        """An embed inside running text cannot hold blocks: a link marked as an embed."""
        text = wikilink(self.site, res, self.host_doc)
        return "↪ " + text

    def _demote_headings(self, rows: dict[int, list[str]], first: int, last: int) -> None:
        """Inside an embed, headings become bold lines: they would otherwise join the host's table of
        contents and shift the ids of the host's own headings."""
        for h in self.page.headings:
            if not (first <= h.line <= last) or not rows.get(h.line):
                continue
            line = rows[h.line][0]
            prefix = re.match(r"^[ \t>]*", line).group(0)
            content = heading_content(line)
            rows[h.line][0] = f"{prefix}**{content}**" if content else prefix.rstrip()
            underline = h.line + 1
            if not self.lines[h.line].lstrip(" >\t").startswith("#") and underline in rows:
                rows[underline] = []  # a setext heading's `===` / `---` line


def _field_edits(n: int, source: str) -> list[Edit]:
    """`key:: value` on its own line reads as Dataview shows it, `**key**: value`, one per line."""
    match = _FIELD_LINE.match(source)
    if match is None:
        return []
    key = match.group(2).strip()
    return [Edit(n, match.start(2), match.end(), f"**{key}**: "), Edit(n, len(source), len(source), "  ")]


def _letters(text: str) -> str:
    """The letters and digits of a text, casefolded (as str.isalnum: all but `\\W` and `_`)."""
    return _NOT_ALNUM.sub("", text.casefold())


def _end_point(line: str, table_row: bool) -> int:
    """Where to append to a line: before trailing spaces, a hard-break backslash, a block id, or a
    table row's closing pipe."""
    end = len(line.rstrip())
    block = BLOCK_ID.search(line)
    if block:
        end = block.start()
    if line[:end].endswith("\\"):
        end -= 1
    if table_row and line[:end].rstrip().endswith("|"):
        end = len(line[:end].rstrip()) - 1
    return end
