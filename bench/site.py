"""Site build benchmark: vaultc's compile and emit, MkDocs' render of the emitted tree with the
project's mkdocs.yml, and the yardstick — a bare mkdocs-material build of the same emitted pages
(links already converted) with a compact navigation and no extra plugins.
`python bench/site.py VAULT` prints a Markdown section."""
from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from compiler.analyse import compile_vault  # noqa: E402
from compiler.config import load_config  # noqa: E402
from compiler.site.emitter import emit_site  # noqa: E402

BARE = {"site_name": "bare", "theme": {"name": "material", "font": False}, "plugins": ["search"],
        "nav": [{"Home": "index.md"}], "use_directory_urls": False,
        "markdown_extensions": ["toc", "tables", "admonition", "attr_list", "md_in_html"],
        "validation": {"omitted_files": "ignore"}}


def mkdocs_build(config: dict, work: Path, name: str) -> float:
    config_file = work / f"{name}.yml"
    config_file.write_text(yaml.safe_dump(config), encoding="utf-8")
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(config_file)], check=True,
                   cwd=ROOT, capture_output=True)
    return time.perf_counter() - started


def main(vault_dir: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="vaultc-site-bench-") as tmp:
        work = Path(tmp)
        started = time.perf_counter()
        vault = compile_vault(vault_dir, load_config(vault_dir))
        compile_s = time.perf_counter() - started
        started = time.perf_counter()
        emit_site(vault, work / "docs")
        emit_s = time.perf_counter() - started
        ours = yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=yaml.Loader)
        ours.update(docs_dir=str(work / "docs"), site_dir=str(work / "site"))
        render_s = mkdocs_build(ours, work, "vaultc")
        bare_s = mkdocs_build({**BARE, "docs_dir": str(work / "docs"), "site_dir": str(work / "bare")}, work, "bare")
    total = compile_s + emit_s + render_s
    print(f"| {len(vault.pages):,} | {compile_s:.1f} | {emit_s:.1f} | {render_s:.1f} | {total:.1f} | "
          f"{bare_s:.1f} | {total / bare_s:.2f}× |")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
