"""Everything the site emitter looks up about the compiled vault, computed once (emit stage):
page texts, resolutions by page and line, heading slugs, findings by line, where anchors go.
"""
from __future__ import annotations

import re
from collections import defaultdict

from ..analyse import CompiledVault
from ..claims import lasting_message
from ..graph import relation_of
from ..model import ClaimVerdict, Finding, Page, Resolution
from ..names import BLOCK_ID
from ..resolve import find_heading
from .anchors import toc_slugs
from .layout import Layout, relative
from .tags import TagIndex

# Findings a reader is sent to the exact line for (the vault-health page links to `#line:N`).
LINE_RULES = ("dangling-link", "missing-heading", "stale-claim", "overdue-claim")
CLAIM_RULES = {"stale-claim": "stale", "overdue-claim": "overdue"}
_FRONTMATTER_ANCHOR = "frontmatter"


class Site:
    def __init__(self, vault: CompiledVault) -> None:
        self.vault = vault
        self.pages = vault.pages
        self.layout = Layout(vault.pages, vault.attachments)
        self.findings: list[Finding] = vault.findings
        self._body_lines: dict[str, list[str]] = {}
        self._slugs: dict[str, list[str]] = {}
        self.by_source: dict[str, list[Resolution]] = defaultdict(list)
        self.by_key: dict[tuple[str, str], list[Resolution]] = defaultdict(list)  # frontmatter values
        # target -> the links reaching it: the graph's in-edges, without building the graph (an
        # edit's render asks a page's backlinks; networkx took 0.27 s to build 10,000 pages' edges)
        self.by_target: dict[str, list[Resolution]] = defaultdict(list)
        for res in vault.resolutions:
            self.by_source[res.source].append(res)
            if res.target is not None:
                self.by_target[res.target].append(res)
            if res.link.origin == "frontmatter":
                self.by_key[(res.source, res.link.key)].append(res)
        self.flags: dict[tuple[str, int], list[Finding]] = defaultdict(list)
        self.flagged_lines: dict[str, set[int]] = defaultdict(set)
        self.claim_counts: dict[str, int] = defaultdict(int)  # stale + overdue claims per page
        for finding in self.findings:
            if finding.rule in LINE_RULES:
                self.flags[(finding.path, finding.line)].append(finding)
                self.flagged_lines[finding.path].add(finding.line)
            if finding.rule in CLAIM_RULES:
                self.claim_counts[finding.path] += 1
        self._block_lines: dict[str, dict[str, int]] = {}
        self._marks: dict[str, dict[int, list[tuple[str, str]]]] = {}
        self._prose: dict[str, set[int]] = {}
        self._headings: dict[str, dict[int, int]] = {}
        # (page, line, status) -> the first claim judged so there: what a claim finding stands for
        self.flagged_claims: dict[tuple[str, int, str], ClaimVerdict] = {}
        for v in vault.verdicts:
            if v.status != "ok":
                self.flagged_claims.setdefault((v.path, v.claim.line, v.status), v)
        self.unreadable = dict(vault.unreadable)
        self.tags = TagIndex(vault.pages)
        # The query blocks' answers, worked out here, before pages are rendered on other cores.
        # (only asked of a vault with query blocks: working them out needs the RDF stage)
        self.answers = getattr(vault, "answers", None) if any(p.queries for p in vault.pages.values()) else None
        self.recent: list[tuple[str, str]] = []  # (page, day) last changed in git, newest first (emit_site)

    def backlinks(self, path: str) -> list[str]:
        """The pages linking to `path` (itself excluded), sorted."""
        return sorted({res.source for res in self.by_target.get(path, ()) if res.source != path})

    def related_by(self, path: str, relation: str) -> list[str]:
        """The pages whose link to `path` is the graph's edge `relation` (graph.relation_of), sorted:
        `related_by("constraints/hbm.md", "constraints")` lists the companies on that constraint."""
        return sorted({res.source for res in self.by_target.get(path, ()) if relation_of(res) == relation})

    def answer(self, path: str, line: int):
        """The answer of the query block at the page's file line, or None (a vault with no graph)."""
        return self.answers.by_block.get((path, line)) if self.answers is not None else None

    # --- page text ---------------------------------------------------------------------------

    def line(self, path: str, n: int) -> str:
        """File line n of a page as Markdown body. With frontmatter, parse's body starts on the
        closing `---` line (its remainder is the body's first line, always empty)."""
        lines = self.body_lines(path)
        return lines[n] if 0 < n < len(lines) else ""

    def body_lines(self, path: str) -> list[str]:
        """`lines[n]` is file line n as Site.line gives it (index 0 unused): one list per page, so
        the renderer indexes it directly instead of calling line() for every line."""
        if path not in self._body_lines:
            lines = ["", *self.pages[path].text.split("\n")]
            body_line = self.pages[path].body_line
            if 1 < body_line < len(lines):
                lines[body_line] = ""
            self._body_lines[path] = lines
        return self._body_lines[path]

    def prose_lines(self, page: Page) -> set[int]:
        """Lines holding prose (not code, not comments): where tags and block ids can stand."""
        if page.path not in self._prose:
            lines: set[int] = set()
            for block in page.blocks:
                lines.update(range(block.line, block.line + block.text.count("\n") + 1))
            self._prose[page.path] = lines
        return self._prose[page.path]

    def heading_lines(self, page: Page) -> dict[int, int]:
        """File line -> index in page.headings."""
        if page.path not in self._headings:
            self._headings[page.path] = {h.line: i for i, h in enumerate(page.headings)}
        return self._headings[page.path]

    # --- anchors -----------------------------------------------------------------------------

    def slugs(self, path: str) -> list[str]:
        """The id of each of the page's headings, in order: toc's slug of the heading's text as
        parse read it (links as the text they show, no markup, comments or block id)."""
        if path not in self._slugs:
            self._slugs[path] = toc_slugs([self.heading_name(path, i) for i in range(len(self.pages[path].headings))])
        return self._slugs[path]

    def heading_name(self, path: str, index: int) -> str:
        return BLOCK_ID.sub("", self.pages[path].headings[index].text).strip()

    # --- links as the renderer meets them ------------------------------------------------------

    def links_as_written(self, path: str) -> dict[tuple[bool, str, bool], Resolution]:
        """(Markdown link?, the text between the brackets or the href, embed?) -> its resolution:
        the same text in one page always resolves the same way, wherever it stands."""
        return {(r.link.origin == "markdown", r.link.raw, r.link.embed): r for r in self.by_source.get(path, ())
                if r.link.origin != "frontmatter"}

    def anchor_of(self, res: Resolution) -> tuple[str | None, bool]:
        """The `#…` of a link into a page, and whether the heading or block exists."""
        link = res.link
        if res.target not in self.pages:
            return None, True
        if link.block:
            found = self.block_anchor(res.target, link.block)
        elif link.headings:
            found = self.heading_anchor(res.target, link.headings)
        else:
            return None, True
        return found, found is not None

    def section(self, res: Resolution) -> tuple[int, int] | None:
        """The file lines an embed shows: a block's lines, a section under its heading, or the body."""
        page, link = self.pages[res.target], res.link
        last = len(self.body_lines(res.target)) - 1
        if link.block:
            line = self.block_line(res.target, link.block)
            if line is None:
                return None
            start = max((b.line for b in page.blocks if b.line <= line and b.kind != "heading"), default=line)
            return start, line
        headings = page.headings
        if link.headings:
            index = find_heading(self.heading_keys(res.target), link.headings)
            if index is None:
                return None
            level = headings[index].level
            end = next((h.line - 1 for h in headings[index + 1:] if h.level <= level), last)
            start = headings[index].line + 1
            if not self.line(res.target, headings[index].line).lstrip(" >\t").startswith("#"):
                start += 1  # past a setext heading's underline
            return start, end
        start = page.body_line
        first = headings[0] if headings else None
        if first is not None and first.level == 1 and not any(
                self.line(res.target, n).strip() for n in range(page.body_line, first.line)):
            start = first.line + 1  # the title is already in the admonition's title
        return start, last

    def claim_marks(self, path: str) -> dict[int, list[tuple[str, str]]]:
        """Line where a flagged claim's sentence ends -> (status, message) of its markers."""
        if path not in self._marks:
            marks: dict[int, list[tuple[str, str]]] = defaultdict(list)
            for line in sorted(self.flagged_lines.get(path, ())):
                seen = set()
                for finding in self.flags[(path, line)]:
                    status = CLAIM_RULES.get(finding.rule)
                    if status and status not in seen:
                        seen.add(status)
                        marks[self._sentence_end(path, line, self.flagged(finding))].append(
                            (status, self.mark_title(finding)))
            self._marks[path] = marks
        return self._marks[path]

    def flagged(self, finding: Finding) -> ClaimVerdict | None:
        """The claim a stale-claim or overdue-claim finding reports."""
        return self.flagged_claims.get((finding.path, finding.line, CLAIM_RULES[finding.rule]))

    def mark_title(self, finding: Finding) -> str:
        """What a claim's marker says on hover: its finding's message without the day count, which
        would change every page with a stale claim every day."""
        verdict = self.flagged(finding)
        if verdict is None:
            return finding.message
        return lasting_message(verdict.claim, verdict.status, verdict.max_age_days)

    def _sentence_end(self, path: str, n: int, verdict: ClaimVerdict | None) -> int:
        """The line where the claim starting on line n ends: its text's last letters are found in
        the lines from n on, within its block."""
        page = self.pages[path]
        block = max((b for b in page.blocks if b.line <= n), key=lambda b: b.line, default=None)
        if verdict is None or block is None:
            return n
        last = block.line + block.text.count("\n")
        tail = letters(verdict.claim.text)[-12:]
        seen = ""
        for line in range(n, last + 1):
            seen += letters(self.line(path, line))
            if tail and tail in seen:
                return line
        return last

    def heading_keys(self, path: str) -> list[tuple[int, str]]:
        """(level, heading_key(text)) of each of the page's headings, as the index holds them."""
        return self.vault.index.headings.get(path, [])

    def heading_anchor(self, path: str, wanted: tuple[str, ...]) -> str | None:
        index = find_heading(self.heading_keys(path), wanted)
        if index is None:
            # `[x](Page.md#already-a-slug)`, as MkDocs users write Markdown links
            slugs = self.slugs(path)
            return wanted[-1] if len(wanted) == 1 and wanted[0] in slugs else None
        return self.slugs(path)[index]

    def block_line(self, path: str, block: str) -> int | None:
        """The file line ending in `^block`."""
        if path not in self._block_lines:
            found: dict[str, int] = {}
            page = self.pages[path]
            if page.block_ids:
                for n in sorted(self.prose_lines(page)):
                    match = BLOCK_ID.search(self.line(path, n))
                    if match:
                        found.setdefault(match.group(1), n)
            self._block_lines[path] = found
        return self._block_lines[path].get(block)

    def block_anchor(self, path: str, block: str) -> str | None:
        line = self.block_line(path, block)
        if line is None:
            return None
        return self.line_anchor(path, line, block=block)

    def line_anchor(self, path: str, line: int, block: str | None = None) -> str:
        """Where `#…` lands for a file line: a heading's own id, the frontmatter panel, or the
        `line:N` / `block:id` span the body renderer puts there."""
        page = self.pages[path]
        if line < page.body_line:
            return _FRONTMATTER_ANCHOR
        headings = self.heading_lines(page)
        if line in headings:
            return self.slugs(path)[headings[line]]
        return f"block:{block}" if block else f"line:{line}"

    # --- urls ----------------------------------------------------------------------------------

    def doc(self, path: str) -> str:
        return self.layout.doc(path)

    def href(self, host_doc: str, target: str, anchor: str | None = None) -> str:
        """A relative link from the docs file being written to a vault page or attachment."""
        target_doc = self.doc(target)
        if anchor and target_doc == host_doc:
            return "#" + anchor
        return relative(host_doc, target_doc) + ("#" + anchor if anchor else "")


def letters(text: str) -> str:
    """The letters and digits of a text, casefolded (as str.isalnum: all but `\\W` and `_`)."""
    return _NOT_ALNUM.sub("", text.casefold())


_NOT_ALNUM = re.compile(r"[\W_]+")
