"""Small vaults written like the public Obsidian vaults vaultc was measured on (the help vault, the
Hub, kepano's): what Obsidian accepts gives no finding, what it cannot resolve still does."""
from __future__ import annotations


def findings(data):
    return sorted((f["rule"], f["path"], f["line"], f.get("target")) for f in data["findings"]
                  if f["rule"] != "orphan-page")


def test_headings_match_as_obsidian_strips_them(make_vault, check_json):
    vault = make_vault({
        "FAQ.md": "# FAQ\n\n### How large can each remote vault be?\n\n## Setup & Vault Consistency\n\n"
                  "### `hasTag()`\n\n## Q&A\n\n## Über Größe (Ärger)\n",
        "links.md": "[[FAQ#How large can each remote vault be]] [[FAQ#Setup Vault Consistency]]\n"
                    "[[FAQ#hasTag]] [[FAQ#Q A]] [[FAQ#über größe ärger]] [[FAQ#how LARGE can each remote vault be?]]\n"
                    "[[FAQ#Setup and Vault Consistency]]\n",
    })
    assert findings(check_json(vault)) == [
        ("missing-heading", "links.md", 3, "FAQ#Setup and Vault Consistency")]


def test_dot_folders_and_dot_files_are_never_pages(make_vault, check_json):
    vault = make_vault({
        "README.md": "# Readme\n\n![[Start#Welcome]]\n",
        "Start.md": "# Start\n\n## Welcome\n",
        ".github/fixtures/broken.md": "---\ntype: [oops\n---\n[[Nowhere]]\n",
        ".hidden.md": "[[Also nowhere]]\n",
        "notes/.draft.md": "[[Nowhere either]]\n",
        ".obsidian/workspace.md": "[[Workspace link]]\n",
        "notes/real.md": "[[Start]] [[.hidden]]\n",
    })
    data = check_json(vault)
    assert findings(data) == [("dangling-link", "notes/real.md", 1, ".hidden")]
    assert data["summary"]["pages"] == 3


def test_a_template_keeps_the_properties_that_parse(make_vault, check_json):
    vault = make_vault({
        "Templates/Daily.md": "---\ncreated: {{date}}\ncategories:\n  - \"[[Daily notes]]\"\n"
                              "people: \"[[Nobody Yet]]\"\n---\n# {{title}}\n",
        "Daily notes.md": "# Daily notes\n",
    })
    assert findings(check_json(vault)) == [
        ("dangling-link", "Templates/Daily.md", 5, "Nobody Yet"),
        ("frontmatter", "Templates/Daily.md", 2, None),
    ]


def test_empty_properties_and_unknown_types_are_not_errors(make_vault, check_json):
    vault = make_vault({
        "a.md": "---\naliases:\ntags:\n  -\ntype: person\n---\n# A\n",
        "b.md": "---\naliases: []\ncssclasses:\ntype:\n  - \"[[Books]]\"\n---\n[[a]]\n",  # kepano's categories
        "Books.md": "# Books\n",
    })
    data = check_json(vault)
    assert findings(data) == [("unknown-type", "a.md", 5, None), ("unknown-type", "b.md", 4, None)]
    assert data["exit"] == 0
