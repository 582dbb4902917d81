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

import html

import nh3
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority

from .extensions import needed

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
GLOBAL_ATTRIBUTES = {"class", "id", "title", "lang", "dir", "style", "role", "aria-label", "aria-hidden"}
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
    """`plugins: [vaultc-sanitize]` in mkdocs.yml. Besides cleaning every page, it renders each page
    with only the Markdown extensions its text can use (extensions.py): the same HTML, sooner."""

    _extensions: list | None = None  # mkdocs.yml's list, while a page renders with its own

    @event_priority(100)  # before Material's tags plugin reads the tags
    def _escape_meta(self, markdown, *, page, config, files):
        meta = page.meta
        if isinstance(meta.get("title"), str):
            meta["title"] = plain_text(meta["title"])
        if isinstance(meta.get("tags"), list):
            meta["tags"] = [plain_text(tag) if isinstance(tag, str) else tag for tag in meta["tags"]]
        return markdown

    @event_priority(-100)  # last: the Markdown as it will be rendered, right before it is
    def _choose_extensions(self, markdown, *, page, config, files):
        if self._extensions is None:
            self._extensions = list(config["markdown_extensions"])
        config["markdown_extensions"] = needed(self._extensions, markdown)
        return markdown

    on_page_markdown = CombinedEvent(_escape_meta, _choose_extensions)

    @event_priority(100)  # first after the render: every other reader sees mkdocs.yml's list
    def _restore_extensions(self, html_content, *, page, config, files):
        if self._extensions is not None:
            config["markdown_extensions"] = self._extensions
            self._extensions = None
        return html_content

    @event_priority(-100)  # last: after any plugin that adds to the content
    def _clean(self, html_content, *, page, config, files):
        return clean_html(html_content)

    on_page_content = CombinedEvent(_restore_extensions, _clean)
