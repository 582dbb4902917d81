"""The yardstick: markdown-it-py alone parsing every page of a vault on one core."""
import sys
from pathlib import Path

from markdown_it import MarkdownIt

md = MarkdownIt("commonmark").enable("table")
for path in sorted(Path(sys.argv[1]).rglob("*.md")):
    md.parse(path.read_text(encoding="utf-8"))
