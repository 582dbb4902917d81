"""The site's HTML safety (emit stage, inside `mkdocs build`): every page's rendered content passes
through nh3 (the Ammonia sanitizer) before the theme wraps it, so raw HTML written in a note keeps
working but cannot run script. Registered as the MkDocs plugin `vaultc-sanitize`; build.py refuses
a configuration that does not list it.

Why the rendered page and not the raw HTML tokens of each note: an HTML block may open in one
token and close several later (`<details>` around Markdown), Markdown syntax itself can produce
hazards (`[x](javascript:…)`, attr_list's `{ onclick=… }`), and entity-obfuscated URLs are only
decided reliably by a real HTML parser. One pass over the finished fragment sees all of it.
"""
from __future__ import annotations

import functools
import html
import posixpath
import re
from urllib.parse import unquote

import nh3
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.toc import get_toc
from mkdocs.utils import get_relative_url

from .layout import ASSETS

# Kept: nh3's own safe set, plus what notes and the emitted Markdown legitimately use. Dropped with
# their content: script, style, noscript (parsed differently with script on or off), and the
# foreign SVG/MathML islands (the classic mutation-XSS route). Other unknown tags (form, button,
# embed, base, meta, link…) go, their text stays.
TAGS = nh3.ALLOWED_TAGS | {
    "input", "label",              # task lists: a disabled checkbox in a label
    "audio", "video", "source",    # media embeds
    "object",                      # PDF embeds (only application/pdf, see _attribute)
    "iframe",                      # video and map embeds (only an https:// source, see _attribute)
}
DROP_WITH_CONTENT = {"script", "style", "noscript", "svg", "math", "template", "textarea", "title", "xmp"}

# Attributes on every tag. `id` carries heading, block and footnote anchors; `style` is filtered to
# presentational properties below. No event handlers, no `srcdoc`, no `formaction`: not listed.
GLOBAL_ATTRIBUTES = {"class", "id", "title", "lang", "dir", "style", "role", "aria-label", "aria-hidden",
                     "data-search-exclude"}  # Material's search skips what carries it (vaultc's page chrome)
ATTRIBUTES = {
    "*": GLOBAL_ATTRIBUTES,
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height", "loading"},
    "details": {"open"},
    "input": {"checked", "disabled"},
    "audio": {"src", "controls", "loop", "muted", "preload"},
    "video": {"src", "controls", "loop", "muted", "preload", "poster", "width", "height"},
    "source": {"src", "type"},
    "object": {"data", "width", "height"},
    "iframe": {"src", "width", "height", "allow", "allowfullscreen", "loading", "referrerpolicy"},
    "div": {"data-page", "data-root"},  # the graph views' containers (vaultc.js reads them)
    "ol": {"start", "reversed"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "time": {"datetime"},
}
# Attributes that may only take these values (nh3 drops any other value).
ATTRIBUTE_VALUES = {
    "input": {"type": {"checkbox"}},
    "object": {"type": {"application/pdf"}},
}
# Schemes allowed in href/src: the web, mail, and the apps research notes link into. Relative URLs
# (the site's own links) pass; javascript:, vbscript:, data: and the like are removed, however
# they are spelled (case, whitespace, entities): nh3 parses the URL as a browser would.
URL_SCHEMES = {"http", "https", "mailto", "tel", "obsidian", "zotero"}
# Inline styles: colour, type and box properties. No url() carriers (background, border-image…),
# no position (a note must not lay itself over the site's navigation).
STYLE_PROPERTIES = {
    "color", "background-color", "font-weight", "font-style", "font-size", "font-family", "font-variant",
    "text-align", "text-decoration", "text-transform", "vertical-align", "white-space", "line-height",
    "letter-spacing", "width", "height", "max-width", "min-width", "max-height", "min-height",
    "margin", "margin-top", "margin-right", "margin-bottom", "margin-left",
    "padding", "padding-top", "padding-right", "padding-bottom", "padding-left",
    "border", "border-top", "border-right", "border-bottom", "border-left", "border-color",
    "border-style", "border-width", "border-radius", "border-collapse", "display", "float", "clear",
    "list-style-type", "opacity",
}


# Ids of Material's own elements. A note's element with one of them, placed before the theme's,
# would be what the theme's script finds (its settings are read from #__config).
THEME_IDS = {"__config", "__consent", "__settings", "__analytics", "__drawer", "__search", "__toc"}


def _attribute(tag: str, name: str, value: str) -> str | None:
    """What a per-tag allow list cannot say: an iframe only from https, an object only a PDF, and
    none of the theme's own ids."""
    if tag == "iframe" and name == "src":
        return value if value.strip().lower().startswith("https://") else None
    if tag == "object" and name == "data":
        path = value.split("#", 1)[0].split("?", 1)[0]
        return value if path.lower().endswith(".pdf") else None
    if name == "id" and (value in THEME_IDS or value.startswith("__palette")):
        return None
    return value


_cleaner = nh3.Cleaner(
    tags=TAGS, clean_content_tags=DROP_WITH_CONTENT, attributes=ATTRIBUTES,
    tag_attribute_values=ATTRIBUTE_VALUES, url_schemes=URL_SCHEMES,
    filter_style_properties=STYLE_PROPERTIES, attribute_filter=_attribute,
    link_rel=None,  # no rel added: the site's own links need none, and `target` is not allowed
    strip_comments=True,
)


def clean_html(fragment: str) -> str:
    """A page's rendered content with everything that could run script removed."""
    return _cleaner.clean(fragment)


def plain_text(value: str) -> str:
    """A frontmatter title or tag, which Material prints into the page unescaped (in <title>, the
    header and the tag chips): as text. Quotes stay, as the theme escapes attribute values itself."""
    return html.escape(value, quote=False)


class SanitizePlugin(BasePlugin):
    """`plugins: [vaultc-sanitize]` in mkdocs.yml: cleans every page, and hands MkDocs the HTML
    vaultc rendered for each vault page (render.py) instead of rendering it with Python-Markdown."""

    @event_priority(100)  # before Material's search plugin, whose on_config renders a template
    def on_config(self, config):
        """Material's templates compiled once per machine, not in every build: Jinja keeps their
        bytecode in a folder of the user's own under the system's temporary folder, keyed by each
        template's source. An edit's rebuild (partial.py) spent half its time compiling them. The
        theme makes a new environment each time it is asked (the search plugin asks three times
        while configuring, the build once more), so each one it makes is given the cache."""
        import jinja2

        make = config.theme.get_env

        def get_env():
            env = make()
            if env.bytecode_cache is None:
                env.bytecode_cache = jinja2.FileSystemBytecodeCache()
            return env

        config.theme.get_env = get_env
        return config

    @event_priority(100)  # before Material's tags plugin reads the tags
    def on_page_markdown(self, markdown, *, page, config, files):
        meta = page.meta
        if isinstance(meta.get("title"), str):
            meta["title"] = plain_text(meta["title"])
        if isinstance(meta.get("tags"), list):
            meta["tags"] = [plain_text(tag) if isinstance(tag, str) else tag for tag in meta["tags"]]
        if "vaultc_toc" in meta:
            page.render = functools.partial(render_vault_page, page)
        return markdown

    @event_priority(-100)  # last: after any plugin that adds to the content
    def on_page_content(self, html_content, *, page, config, files):
        return clean_html(html_content)

    def on_post_page(self, output, *, page, config):
        """vaultc's search script goes right before Material's bundle, which creates the search
        worker as it loads (see assets/search.js)."""
        return _BUNDLE.sub(lambda m: f'<script src="{m.group(1)}{ASSETS}/search.js"></script>\n{m.group(0)}', output,
                           count=1)


# A relative link in vaultc's HTML (always double-quoted) to a Markdown docs file or an anchor.
# Attachments need no rewriting: their URLs are their docs paths.
_LOCAL = re.compile(r'\bhref="(?![a-zA-Z][a-zA-Z0-9+.-]*:|/)((?:[^"#?]*\.md)?)(#[^"]*)?"')
_ID = re.compile(r"""\sid=(?:"([^"]*)"|'([^']*)')""")
log = get_plugin_logger("vaultc")
_BUNDLE = re.compile(r'<script src="([^"]*)assets/javascripts/bundle\.[0-9a-f]+\.min\.js"></script>')


def render_vault_page(page, config, files) -> None:
    """Page.render for a page vaultc rendered: what MkDocs does to a Markdown page's links (docs
    paths become URLs, and a missing file or anchor is a warning that fails a strict build), done
    to vaultc's HTML; the table of contents comes from the page's metadata."""
    links: dict = {}

    def url(match: re.Match) -> str:
        target, anchor = match.group(1), match.group(2) or ""
        if not target:
            if anchor:
                links.setdefault(page.file, {})[unquote(anchor[1:])] = anchor
            return match.group(0)
        path = posixpath.normpath(posixpath.join(posixpath.dirname(page.file.src_uri), unquote(target)))
        found = files.get_file_from_path(path)
        if found is None:
            log.warning(f"Doc file '{page.file.src_uri}' contains a link '{target}', but the target "
                        f"'{path}' is not found among documentation files.")
            return match.group(0)
        if anchor and found.page is not None:
            links.setdefault(found, {})[unquote(anchor[1:])] = target + anchor
        return f'href="{html.escape(get_relative_url(found.url, page.file.url), quote=True)}{anchor}"'

    page.content = _LOCAL.sub(url, page.markdown)
    page.toc = get_toc(_nested(page.meta.get("vaultc_toc") or []))
    page.present_anchor_ids = anchor_ids(page.content)
    page.links_to_anchors = links
    page._title_from_render = None


def anchor_ids(html_text: str) -> set[str]:
    """The ids an HTML text holds: where `#…` links into it can land."""
    return {a or b for a, b in _ID.findall(html_text)}


def _nested(flat: list) -> list[dict]:
    """(level, id, name) in page order -> the nested tokens MkDocs' get_toc takes."""
    root: list[dict] = []
    stack: list[dict] = []
    for level, slug, name in flat:
        token = {"level": level, "id": slug, "name": name, "children": []}
        while stack and stack[-1]["level"] >= level:
            stack.pop()
        (stack[-1]["children"] if stack else root).append(token)
        stack.append(token)
    return root
