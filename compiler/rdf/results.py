"""SPARQL 1.1 query results as JSON, XML, CSV and TSV, and as an aligned table for people.

`vaultc query` (rdflib terms) and the endpoint's workers (pyoxigraph terms) both turn their terms
into the small `Term` tuples below and share these writers, so the two answer in the same bytes.
Kept free of rdflib so that a worker process starts quickly.
"""
from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

# ("uri", iri) | ("bnode", id) | ("literal", lexical form, datatype IRI or None, language or None)
Term = tuple
Row = Sequence[Term | None]


def uri(value: str) -> Term:
    return ("uri", value)


def bnode(value: str) -> Term:
    return ("bnode", value)


def literal(value: str, datatype: str | None = None, language: str | None = None) -> Term:
    # Plain strings carry no datatype in the results formats; language-tagged ones carry only the tag.
    if language or datatype in (XSD_STRING, RDF_LANG_STRING):
        datatype = None
    return ("literal", value, datatype, language or None)


@dataclass
class Solutions:
    """The answer to a SELECT (rows) or an ASK (boolean)."""

    variables: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    boolean: bool | None = None  # set for ASK
    truncated: bool = False  # more rows than the cap were found


MEDIA_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
}


def serialise(answer: Solutions, fmt: str) -> str:
    return {"json": to_json, "xml": to_xml, "csv": to_csv, "tsv": to_tsv}[fmt](answer)


def to_json(answer: Solutions) -> str:
    if answer.boolean is not None:
        return json.dumps({"head": {}, "boolean": answer.boolean})
    bindings = [{var: _json_term(term) for var, term in zip(answer.variables, row) if term is not None}
                for row in answer.rows]
    return json.dumps({"head": {"vars": answer.variables}, "results": {"bindings": bindings}},
                      ensure_ascii=False)


def _json_term(term: Term) -> dict[str, str]:
    if term[0] != "literal":
        return {"type": term[0], "value": term[1]}
    out = {"type": "literal", "value": term[1]}
    if term[3]:
        out["xml:lang"] = term[3]
    elif term[2]:
        out["datatype"] = term[2]
    return out


def to_xml(answer: Solutions) -> str:
    out = ['<?xml version="1.0" encoding="utf-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head>']
    out += [f"<variable name={quoteattr(var)}/>" for var in answer.variables]
    out.append("</head>")
    if answer.boolean is not None:
        out.append(f"<boolean>{'true' if answer.boolean else 'false'}</boolean>")
    else:
        out.append("<results>")
        for row in answer.rows:
            out.append("<result>")
            for var, term in zip(answer.variables, row):
                if term is not None:
                    out.append(f"<binding name={quoteattr(var)}>{_xml_term(term)}</binding>")
            out.append("</result>")
        out.append("</results>")
    out.append("</sparql>\n")
    return "\n".join(out)


def _xml_term(term: Term) -> str:
    if term[0] != "literal":
        return f"<{term[0]}>{escape(term[1])}</{term[0]}>"
    attrs = f" xml:lang={quoteattr(term[3])}" if term[3] else f" datatype={quoteattr(term[2])}" if term[2] else ""
    return f"<literal{attrs}>{escape(term[1])}</literal>"


def to_csv(answer: Solutions) -> str:
    """SPARQL 1.1 CSV: plain values, CRLF line ends. The format has no ASK answer: it is the bare
    word `true` or `false`, as Oxigraph (and RDF4J) write it, so a client reads both alike."""
    if answer.boolean is not None:
        return "true\r\n" if answer.boolean else "false\r\n"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(answer.variables)
    for row in answer.rows:
        writer.writerow(["" if t is None else f"_:{t[1]}" if t[0] == "bnode" else t[1] for t in row])
    return buffer.getvalue()


def to_tsv(answer: Solutions) -> str:
    """SPARQL 1.1 TSV: every value in Turtle syntax, so types survive (ASK: as to_csv)."""
    if answer.boolean is not None:
        return "true\n" if answer.boolean else "false\n"
    lines = ["\t".join(f"?{var}" for var in answer.variables)]
    lines += ["\t".join("" if t is None else turtle_term(t) for t in row) for row in answer.rows]
    return "\n".join(lines) + "\n"


_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def turtle_term(term: Term) -> str:
    if term[0] == "uri":
        return f"<{term[1]}>"
    if term[0] == "bnode":
        return f"_:{term[1]}"
    text = f'"{term[1].translate(_ESCAPES)}"'
    return f"{text}@{term[3]}" if term[3] else f"{text}^^<{term[2]}>" if term[2] else text


# --- the table people read -----------------------------------------------------------------------

_LOCAL_NAME = re.compile(r"[A-Za-z_][\w.-]*$")


def to_table(answer: Solutions, prefixes: Mapping[str, str], base: str | None = None,
             max_width: int = 60) -> str:
    """Columns aligned; IRIs shortened to `vc:Ticker`, and the vault's own as `<tickers/NVDA>`,
    which is also how a query may write them (the base IRI is declared)."""
    if answer.boolean is not None:
        return ("true" if answer.boolean else "false") + "\n"
    header = [f"?{var}" for var in answer.variables]
    cells = [[_clip(_show(t, prefixes, base), max_width) for t in row] for row in answer.rows]
    widths = [max([_width(h)] + [_width(row[i]) for row in cells]) for i, h in enumerate(header)]
    lines = [_line(header, widths), "  ".join("-" * w for w in widths)]
    lines += [_line(row, widths) for row in cells]
    count = len(answer.rows)
    note = f"{count} row{'s' if count != 1 else ''}" + (" (truncated)" if answer.truncated else "")
    return "\n".join(lines + [note]) + "\n"


def _show(term: Term | None, prefixes: Mapping[str, str], base: str | None) -> str:
    if term is None:
        return ""
    kind, value = term[0], term[1]
    if kind == "bnode":
        return f"_:{value}"
    if kind == "literal":
        return value.replace("\n", " ")
    for prefix, namespace in prefixes.items():
        if value.startswith(namespace) and _LOCAL_NAME.match(value[len(namespace):]):
            return f"{prefix}:{value[len(namespace):]}"
    if base and value.startswith(base):
        return f"<{value[len(base):]}>"
    return f"<{value}>"


def _clip(text: str, limit: int) -> str:
    return text if _width(text) <= limit else text[: limit - 1] + "…"


def _width(text: str) -> int:
    """Terminal columns: East Asian wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _line(cells: Iterable[str], widths: Sequence[int]) -> str:
    return "  ".join(c + " " * (w - _width(c)) for c, w in zip(cells, widths)).rstrip()
