"""Per-page Markdown extensions (compiler/site/extensions.py): a page rendered with only the
extensions its text can use comes out exactly as with mkdocs.yml's full list."""
from __future__ import annotations

import random
from pathlib import Path

import markdown
import pytest
import yaml

from compiler.site.extensions import TRIGGERS, needed

ROOT = Path(__file__).parent.parent


def _configured() -> tuple[list[str], dict]:
    """mkdocs.yml's extensions in MkDocs' order (its built-ins first) and their settings."""
    listed = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["markdown_extensions"]
    names, settings = ["toc", "tables", "fenced_code"], {}
    for entry in listed:
        name, config = next(iter(entry.items())) if isinstance(entry, dict) else (entry, None)
        if name not in names:
            names.append(name)
        if config:
            settings[name] = config
    return names, settings


FULL, SETTINGS = _configured()


def render(extensions: list[str], text: str) -> str:
    return markdown.Markdown(extensions=extensions, extension_configs=SETTINGS).convert(text)


SAMPLES = [
    "Plain prose with a [link](Other.md) and `code`.",
    "Footnote[^1] here.\n\n[^1]: The note.",
    "==highlighted== and ~~struck~~ and H~2~O",
    "Escaped \\= and \\~ and an escaped\\ space, and a\\\ttab",
    "- [ ] open task\n- [x] done task",
    "??? note \"Folded\"\n    Inside.\n\n???+ tip\n    Open.",
    "```python\nx = 1\n```\n\n~~~\ny\n~~~",
    "para\n\n    indented code\n\n- item\n\n        code in a list",
    "!!! embed \"[Note](Note.md)\"\n\n    ```\n    fenced inside an admonition\n    ```",
    "| a | b |\n|---|---|\n| 1 | 2 |\n\n<div markdown>\n*in html*\n</div>",
    "> [!quote] not converted\n> text with a\ttab",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_a_page_renders_the_same_with_only_what_it_needs(text):
    assert render(needed(FULL, text), text) == render(FULL, text)


def test_random_mixtures_of_every_trigger_render_the_same():
    pieces = ["~", "~~", "=", "==", "\\", "\\ ", "\\=", "\\~", "\\\t", "\t", "    ", " ", "\n", "\n\n", "[^1]",
              "[^1]: n", "[ ]", "[x]", "- ", "1. ", "???", "???+ note", "!!! note", "> ", "`", "```", "~~~", "word",
              "*", "_", "[a](b)", "<b>", "&", "## h", "|", "---", "{: .c }", "\u00a0", "\r\n"]
    rng = random.Random(6)
    for _ in range(1500):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 30)))
        assert render(needed(FULL, text), text) == render(FULL, text), repr(text)


def test_extensions_are_left_out_only_when_their_syntax_is_absent():
    plain = needed(FULL, "# Title\n\nJust words, a [link](x.md) and a | b table-ish line.")
    assert not set(TRIGGERS) & set(plain)
    assert [e for e in FULL if e not in TRIGGERS] == plain  # the rest kept, in order
    assert needed(FULL, "```\ncode\n```") == [e for e in FULL if e in ("pymdownx.superfences", "pymdownx.highlight")
                                              or e not in TRIGGERS]
    unknown = ["my.extension", *FULL]
    assert needed(unknown, "text")[0] == "my.extension"  # not ours to judge: always kept


def test_the_plugin_gives_each_page_its_list_and_then_restores_mkdocs_yml_s():
    from compiler.site.sanitize import SanitizePlugin

    plugin, config = SanitizePlugin(), {"markdown_extensions": list(FULL)}
    for text in SAMPLES:
        plugin._choose_extensions(text, page=None, config=config, files=None)
        assert config["markdown_extensions"] == needed(FULL, text)
        plugin._restore_extensions("<p></p>", page=None, config=config, files=None)
        assert config["markdown_extensions"] == FULL
