"""The yardstick users would pick instead: obsidiantools building a vault's link graph.

`python bench/obsidiantools_graph.py VAULT [OUT.json]` prints (or writes to OUT.json) the notes it
indexed, the edges of its link graph (a networkx MultiDiGraph, which also holds the nonexistent
notes as nodes) and the link targets it found no note for, as JSON.
"""
import json
import sys
from pathlib import Path

from obsidiantools.api import Vault

vault = Vault(Path(sys.argv[1])).connect()
report = json.dumps({
    "notes": len(vault.md_file_index),
    "edges": vault.graph.number_of_edges(),
    "nonexistent_notes": len(vault.nonexistent_notes),
    "nonexistent": sorted(vault.nonexistent_notes),
})
if len(sys.argv) > 2:
    Path(sys.argv[2]).write_text(report + "\n", encoding="utf-8")
else:
    print(report)
