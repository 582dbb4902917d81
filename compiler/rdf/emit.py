"""Stage 5, emit: the compiled vault as RDF triples (VAULT-SPEC §3), one named graph per page.

Reads only the `CompiledVault` — pages, resolutions and claim verdicts — never the Markdown. Every
page's graph is named by the page's own IRI and holds the triples about the page and its claims, so
a page can be replaced or removed in a store (publish) without touching any other page's triples;
the exception is `vc:backlinkCount`, which other pages' links decide: when links to a page come or
go, its graph changes too, and publish sends it again.

The counts (`vc:backlinkCount`, `vc:staleClaimCount`, `vc:overdueClaimCount`) repeat what the links
and claim verdicts say, for the canned queries that rank pages by them: grouping every link or
claim of a large vault at query time takes Oxigraph several times longer than reading one number
per page.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from rdflib import Literal, URIRef
from rdflib.term import Node

from ..model import Page, Resolution, gc_paused
from ..dates import as_date
from .vocab import DCTERMS, PROV, RDF, SCHEMA, SKOS, VC, XSD, instance_iri

Triple = tuple[Node, Node, Node]
Quad = tuple[Node, Node, Node, URIRef]

# Frontmatter keys whose links become typed edges (VAULT-SPEC §3, "Edges from frontmatter").
FRONTMATTER_EDGES = {"sector": VC.inSector, "layers": VC.inLayer, "constraints": VC.exposedTo,
                     "companies": VC.compares}
# Claim verdicts counted on their page (stated only when not zero).
CLAIM_COUNTS = {"stale": VC.staleClaimCount, "overdue": VC.overdueClaimCount}
# On source pages, an author or publisher written as a link names a page instead of a string.
SOURCE_AGENTS = {"author": DCTERMS.creator, "publisher": DCTERMS.publisher}

TYPE_CLASSES = {
    "sector": (VC.Sector,),
    "ticker": (VC.Ticker, SCHEMA.Corporation),
    "source": (VC.Source, PROV.Entity),
    "layer": (VC.Layer, SKOS.Concept),
    "constraint": (VC.Constraint, SKOS.Concept),
    "compare": (VC.Comparison,),
}


@dataclass(frozen=True)
class PageGraph:
    path: str
    name: URIRef  # the graph name, which is also the page's IRI
    triples: tuple[Triple, ...]


def page_graphs(vault) -> list[PageGraph]:
    """Every page's named graph, sorted by path so that outputs are stable."""
    outgoing: dict[str, list[Resolution]] = defaultdict(list)
    linked_from: dict[str, set[str]] = defaultdict(set)
    for res in vault.resolutions:  # grouped once: `resolutions_from` per page would be quadratic
        outgoing[res.source].append(res)
        if res.target is not None and res.step != "self" and res.target != res.source:
            linked_from[res.target].add(res.source)  # exactly the pages whose vc:linksTo names it
    status = {id(v.claim): v.status for v in vault.verdicts}
    backlinks = {path: len(sources) for path, sources in linked_from.items()}
    emitter = _Emitter(vault.config.base_iri, vault.pages, status, backlinks)
    with gc_paused():
        return [emitter.graph(vault.pages[path], outgoing.get(path, ())) for path in sorted(vault.pages)]


def quads(graphs: Iterable[PageGraph]) -> Iterator[Quad]:
    for graph in graphs:
        for s, p, o in graph.triples:
            yield s, p, o, graph.name


class _Emitter:
    def __init__(self, base: str, pages: Mapping[str, Page], status: Mapping[int, str],
                 backlinks: Mapping[str, int]) -> None:
        self.base = base
        self.pages = pages
        self.status = status
        self.backlinks = backlinks
        # Link targets, dates, kinds and line numbers repeat across pages; building an rdflib term
        # costs microseconds, so each distinct one is built once.
        self._iris: dict[str, URIRef] = {}
        self._literals: dict[tuple[Any, URIRef | None], Literal] = {}

    def iri(self, path: str) -> URIRef:
        found = self._iris.get(path)
        if found is None:
            found = self._iris[path] = URIRef(instance_iri(self.base, path))
        return found

    def literal(self, value: Any, datatype: URIRef | None = None) -> Literal:
        key = (value, datatype)
        found = self._literals.get(key)
        if found is None:
            found = self._literals[key] = Literal(value, datatype=datatype)
        return found

    def graph(self, page: Page, resolutions: Iterable[Resolution]) -> PageGraph:
        me = self.iri(page.path)
        out: list[Triple] = [(me, RDF.type, VC.Page)]
        add = out.append
        for cls in TYPE_CLASSES.get(page.type, ()):
            add((me, RDF.type, cls))
        add((me, VC.path, Literal(page.path)))
        add((me, DCTERMS.title, Literal(page.title)))
        updated = as_date(page.meta.get("updated"))
        if updated is not None:
            add((me, DCTERMS.modified, self.literal(updated, XSD.date)))
        label = page.title
        if page.type == "ticker":
            label = self._ticker(me, page, add) or label
        elif page.type == "source":
            self._source(me, page, add)
        elif page.type == "layer":
            for code in _scalars(page.meta.get("code")):
                add((me, SKOS.notation, self.literal(code)))
        add((me, SKOS.prefLabel, Literal(label)))
        self._counts(me, page, add)
        sources_by_line: dict[int, list[URIRef]] = defaultdict(list)
        for res in resolutions:
            self._link(me, page, res, add, sources_by_line)
        # Claim nodes come after the page's own triples, so serialisers group them by subject.
        claims = self._claims(me, page, add, sources_by_line)
        # The same edge written twice (two links to one page) is one triple; keep first-seen order.
        return PageGraph(page.path, me, tuple(dict.fromkeys(out + claims)))

    def _counts(self, me: URIRef, page: Page, add) -> None:
        """Each stated only when not zero: a page nobody links to has no vc:backlinkCount."""
        backlinks = self.backlinks.get(page.path, 0)
        if backlinks:
            add((me, VC.backlinkCount, self.literal(backlinks, XSD.integer)))
        verdicts = Counter(self.status.get(id(claim)) for claim in page.claims)
        for status, predicate in CLAIM_COUNTS.items():
            if verdicts[status]:
                add((me, predicate, self.literal(verdicts[status], XSD.integer)))

    def _ticker(self, me: URIRef, page: Page, add) -> str | None:
        for symbol in _scalars(page.meta.get("ticker")):
            add((me, SCHEMA.tickerSymbol, Literal(symbol)))
        names = _scalars(page.meta.get("name"))
        for name in names:
            add((me, SCHEMA.name, Literal(name)))
        for alias in page.aliases:
            add((me, SCHEMA.alternateName, Literal(alias)))
        return names[0] if names else None

    def _source(self, me: URIRef, page: Page, add) -> None:
        for key, predicate in SOURCE_AGENTS.items():
            for value in _scalars(page.meta.get(key)):
                if "[[" not in value:  # a linked author becomes the page's IRI, in `_link`
                    add((me, predicate, self.literal(value)))
        published = as_date(page.meta.get("published"))
        if published is not None:
            add((me, DCTERMS.issued, self.literal(published, XSD.date)))
        for url in _scalars(page.meta.get("url")):
            if _is_absolute_iri(url):
                add((me, SCHEMA.url, URIRef(url)))

    def _link(self, me: URIRef, page: Page, res: Resolution, add, sources_by_line) -> None:
        link = res.link
        if res.step == "self":  # [[#Heading]] points inside the page, at no target
            return
        if res.target is None:
            add((me, VC.danglingLink, self.literal(link.text.strip())))
            return
        target = self.iri(res.target)
        add((me, VC.linksTo, target))
        target_page = self.pages.get(res.target)
        if target_page is not None and target_page.type == "source" and res.target != page.path:
            add((me, VC.cites, target))
            sources_by_line[link.line].append(target)
        if link.origin == "frontmatter" and link.key in FRONTMATTER_EDGES:
            add((me, FRONTMATTER_EDGES[link.key], target))
        elif link.origin == "frontmatter" and page.type == "source" and link.key in SOURCE_AGENTS:
            add((me, SOURCE_AGENTS[link.key], target))
        elif link.origin == "field" and link.key:
            add((me, VC[link.key.replace(" ", "_")], target))

    def _claims(self, me: URIRef, page: Page, add, sources_by_line) -> list[Triple]:
        out: list[Triple] = []
        claim_add = out.append
        per_line: dict[int, int] = defaultdict(int)
        for claim in page.claims:
            per_line[claim.line] += 1
            # Named by line: the same IRI on every run while the page is unchanged, and unique in it.
            suffix = f"-{per_line[claim.line]}" if per_line[claim.line] > 1 else ""
            node = URIRef(f"{me}#claim-{claim.line}{suffix}")
            add((me, VC.hasClaim, node))
            claim_add((node, RDF.type, VC.Claim))
            claim_add((node, VC.text, Literal(claim.text)))
            claim_add((node, VC.line, self.literal(claim.line, XSD.integer)))
            claim_add((node, VC.kind, self.literal(claim.kind)))
            claim_add((node, VC.start, self.literal(claim.start, XSD.date)))
            claim_add((node, VC.end, self.literal(claim.end, XSD.date)))
            status = self.status.get(id(claim))
            if status is not None:
                claim_add((node, VC.status, self.literal(status)))
            for source in sources_by_line.get(claim.line, ()):
                claim_add((node, PROV.wasDerivedFrom, source))
        return out


def _scalars(value: Any) -> list[str]:
    """A frontmatter value as strings: one scalar or a list of them (`ticker: 2308` is a string)."""
    items = value if isinstance(value, list) else [value]
    return [str(v).strip() for v in items
            if isinstance(v, (str, int, float)) and not isinstance(v, bool) and str(v).strip()]


def _is_absolute_iri(text: str) -> bool:
    scheme, sep, rest = text.partition(":")
    return (bool(sep and rest and scheme[:1].isalpha())
            and all(c.isalnum() or c in "+.-" for c in scheme)
            and not any(c in text for c in ' <>"{}|\\^`\t\n'))
