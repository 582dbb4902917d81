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

import datetime as dt
import functools
import hashlib
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from rdflib import Literal, URIRef
from rdflib.term import Node

from ..model import Page, Resolution, gc_paused
from ..dates import as_date
from ..terms import MAPPED_KEYS, key_term, reserved
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

COMPILATION = "vaultc"  # the compilation node's name under the base IRI (its own named graph)

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
    for res in vault.resolutions:  # grouped once, not looked up per page
        outgoing[res.source].append(res)
        if res.target is not None and res.step != "self" and res.target != res.source:
            linked_from[res.target].add(res.source)  # exactly the pages whose vc:linksTo names it
    status = {id(v.claim): v.status for v in vault.verdicts}
    backlinks = {path: len(sources) for path, sources in linked_from.items()}
    emitter = _Emitter(vault.config.base_iri, vault.pages, status, backlinks)
    with gc_paused():
        graphs = [emitter.graph(vault.pages[path], outgoing.get(path, ())) for path in sorted(vault.pages)]
    max_age = getattr(vault, "max_age", None) or vault.config.max_age_days
    return graphs + [compilation_graph(vault.config.base_iri, vault.today, max_age, len(vault.pages))]


def compilation_graph(base: str, today: dt.date, max_age_days: int, pages: int) -> PageGraph:
    """`<base>vaultc`, a vc:Compilation in a graph of its own: the day the statuses were judged on,
    so a store says when they were true."""
    node = URIRef(base + COMPILATION)
    return PageGraph("", node, (
        (node, RDF.type, VC.Compilation),
        (node, VC.today, Literal(today, datatype=XSD.date)),
        (node, VC.maxAgeDays, Literal(max_age_days, datatype=XSD.integer)),
        (node, VC.pageCount, Literal(pages, datatype=XSD.integer)),
    ))


VOCABULARY = URIRef("https://w3id.org/vaultc")  # the ontology's IRI, and the name of its graph


@functools.lru_cache(maxsize=1)  # the same file every time; the endpoint asks again on every reload
def vocabulary_graph() -> PageGraph:
    """The vocabulary itself (vaultc.ttl) as a graph named by the ontology's IRI. Where SPARQL is
    asked of the vault (`vaultc query`, `vaultc sparql`) it sits beside the page graphs, so that
    `?c a ?k . ?k rdfs:subClassOf schema:Corporation` or a term's label can be asked; exports and
    publish carry the vault's own graphs only."""
    import rdflib

    from .vocab import resource_text

    parsed = rdflib.Graph().parse(data=resource_text("vaultc.ttl"), format="turtle")
    return PageGraph("", VOCABULARY, tuple(sorted(parsed)))


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
        self._values(me, page, add)
        self._counts(me, page, add)
        sources_by_line: dict[int, list[URIRef]] = defaultdict(list)
        for res in resolutions:
            self._link(me, page, res, add, sources_by_line)
        # Claim nodes come after the page's own triples, so serialisers group them by subject.
        claims = self._claims(me, page, add, sources_by_line)
        # The same edge written twice (two links to one page) is one triple; keep first-seen order.
        return PageGraph(page.path, me, tuple(dict.fromkeys(out + claims)))

    def _values(self, me: URIRef, page: Page, add) -> None:
        """Aliases, tags, and every other value as a typed literal (VAULT-SPEC §3 "Values, typed")."""
        for alias in page.aliases:
            add((me, SKOS.altLabel, Literal(alias)))
        for tag in dict.fromkeys(page.tags):
            add((me, VC.tag, Literal(tag.lstrip("#"))))
        if page.type == "ticker":
            for exchange in _scalars(page.meta.get("exchange")):
                add((me, VC.exchange, Literal(exchange)))
            if page.meta.get("fiscal_year_end") is not None:
                add((me, VC.fiscalYearEndMonth, self.literal(page.fiscal_year_end, XSD.integer)))
        for key, value in page.meta.items():
            if key in MAPPED_KEYS or reserved(key, "frontmatter"):
                continue
            for item in value if isinstance(value, list) else [value]:
                if not (isinstance(item, str) and "[[" in item):  # links become edges, in _link
                    literal = _typed(item)
                    if literal is not None:
                        add((me, VC[key_term(key)], literal))
        for field in page.fields:
            if "[[" not in field.value and not reserved(field.key, "field"):
                literal = _typed_text(field.value)
                if literal is not None:
                    add((me, VC[key_term(field.key)], literal))

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
        elif link.origin in ("field", "frontmatter") and link.key and link.key not in MAPPED_KEYS \
                and not reserved(link.key, link.origin):
            add((me, VC[key_term(link.key)], target))

    def _claims(self, me: URIRef, page: Page, add, sources_by_line) -> list[Triple]:
        out: list[Triple] = []
        claim_add = out.append
        seen: dict[str, int] = defaultdict(int)
        for claim in page.claims:
            # Named by its text (VAULT-SPEC §3): the same IRI after edits elsewhere on the page; the
            # second and later claims of one text on a page get -2, -3…
            name = hashlib.sha256(" ".join(claim.text.split()).encode("utf-8")).hexdigest()[:12]
            seen[name] += 1
            suffix = f"-{seen[name]}" if seen[name] > 1 else ""
            node = URIRef(f"{me}#claim-{name}{suffix}")
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
            # its sources: the source pages linked anywhere in its sentence or item, wrapped lines too
            for source in dict.fromkeys(s for line in claim.lines for s in sources_by_line.get(line, ())):
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


def _typed(value: Any) -> Literal | None:
    """A YAML value as the literal VAULT-SPEC §3 asks for: integer, decimal, boolean, date, else a
    string; nothing for an empty value or a mapping."""
    if isinstance(value, bool):
        return Literal(value, datatype=XSD.boolean)
    if isinstance(value, int):
        return Literal(value, datatype=XSD.integer)
    if isinstance(value, float):
        return Literal(repr(value), datatype=XSD.decimal) if math.isfinite(value) else Literal(str(value))
    if isinstance(value, dt.datetime):
        return Literal(value.isoformat())
    if isinstance(value, dt.date):
        return Literal(value, datatype=XSD.date)
    if isinstance(value, str) and value.strip():
        return Literal(value.strip())
    return None


_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(?:\d+\.\d*|\.\d+)")


def _typed_text(text: str) -> Literal | None:
    """An inline field's text, typed as the same YAML scalar would be."""
    text = text.strip()
    if not text:
        return None
    if text in ("true", "false"):
        return Literal(text == "true", datatype=XSD.boolean)
    if _INTEGER.fullmatch(text):
        return Literal(int(text), datatype=XSD.integer)
    if _DECIMAL.fullmatch(text):
        return Literal(text, datatype=XSD.decimal)
    try:
        return Literal(dt.date.fromisoformat(text), datatype=XSD.date) if len(text) == 10 else Literal(text)
    except ValueError:
        return Literal(text)
