"""`vaultc diff` (VAULT-SPEC §2): compile the vault and the one to compare it with — a git revision
of it (`--base REV`) or another folder (`--against DIR`) — and print what changed in the knowledge
graph (emit/diff.py).

A revision is written by git into a temporary folder through a temporary index, so the working
tree, the index and HEAD are never touched. Both sides are compiled with the vault's configuration and judged on the same
day. The working tree is compiled with the vault's store, as `check` would; the other side only
reads from it (it holds parsed pages by the digest of their text, so the pages a revision shares
with the working tree are parsed once) and writes nothing there.
"""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import tempfile
from pathlib import Path

from ..analyse import stderr_progress
from ..cache import cache_for
from ..compile import compile
from ..config import load_config
from ..files import emit
from ..model import gc_paused
from . import UsageError


def add_commands(subparsers, common) -> None:
    diff = subparsers.add_parser("diff", help="what changed in the knowledge graph since a git revision or "
                                              "against another vault")
    common(diff)
    base = diff.add_mutually_exclusive_group(required=True)
    base.add_argument("--base", metavar="GIT_REV", help="compare with this git revision of the vault")
    base.add_argument("--against", metavar="OTHER_VAULT", type=Path, help="compare with this vault folder")
    diff.add_argument("--format", choices=["text", "markdown", "json"], default="text")
    diff.add_argument("-o", "--output", type=Path, help="write to a file instead of stdout")


def run_diff(args) -> int:
    from ..emit.diff import diff, render

    config = load_config(args.vault, args.config)
    day = args.today or dt.date.today()
    store = cache_for(args, config)
    scratch_parent = _memory_folder(args.vault, args.base) if args.base is not None else None
    with gc_paused(), tempfile.TemporaryDirectory(prefix="vaultc-diff-", dir=scratch_parent) as scratch:
        after = compile(args.vault, config, day, max_age=args.max_age, store=store, progress=stderr_progress())
        after.pages, after.findings  # worked out (its pages kept by the store) before the other side
        if args.base is not None:
            old_root, label = _revision(args.vault, args.base, Path(scratch)), args.base
        else:
            if not args.against.is_dir():
                raise UsageError(f"vault folder not found: {args.against}")
            old_root, label = args.against, str(args.against)
        if store is None:
            before = compile(old_root, config, day, max_age=args.max_age, store=None)
        else:
            store.next_run()
            with store.read_only():  # pages it shares with the working tree come from the store
                before = compile(old_root, config, day, max_age=args.max_age, store=store)
                before.pages, before.findings
        text = render(diff(before, after), args.format, label, str(args.vault) if args.base is None else "working tree")
    emit(text, args.output)
    return 0


def _memory_folder(vault: Path, rev: str) -> str | None:
    """/dev/shm when the revision's files fit in a small share of it: writing 10,000 files there
    takes 0.4 s where some disks take 9 s (each file's creation a synchronous metadata write)."""
    shm = Path("/dev/shm")
    if not shm.is_dir() or not os.access(shm, os.W_OK):
        return None
    try:
        listing = subprocess.run(["git", "ls-tree", "-r", "-l", "--", rev, "."], cwd=vault, capture_output=True,
                                 text=True, check=False)
        needed = sum(int(line.split()[3]) for line in listing.stdout.splitlines() if line.split()[3].isdigit())
        space = os.statvfs(shm)
        free = space.f_bavail * space.f_frsize
    except (OSError, IndexError, ValueError):
        return None
    return str(shm) if listing.returncode == 0 and needed < min(free // 4, 1 << 30) else None


def _revision(vault: Path, rev: str, scratch: Path) -> Path:
    """The vault folder as it was at `rev`, extracted under `scratch`."""
    def git(*argv: str, cwd: Path = vault, **options) -> subprocess.CompletedProcess:
        try:
            return subprocess.run(["git", *argv], cwd=cwd, capture_output=True, check=False, **options)
        except OSError as exc:
            raise UsageError(f"cannot run git: {exc}") from None

    if rev.startswith("-"):
        raise UsageError(f"not a git revision: {rev}")
    top = git("rev-parse", "--show-toplevel", text=True)
    if top.returncode:
        raise UsageError(f"{vault} is not in a git repository")
    top = Path(top.stdout.strip()).resolve()
    prefix = vault.resolve().relative_to(top).as_posix()
    commit = git("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}", text=True)
    if commit.returncode:
        raise UsageError(f"unknown git revision: {rev}")
    tree = commit.stdout.strip() + ("" if prefix == "." else f":{prefix}")
    root = scratch / "vault"
    root.mkdir()
    # git writes the files itself, through an index of our own: the repository's index, HEAD and
    # working tree are not touched (`git archive` piped through tarfile took three times as long).
    env = {**os.environ, "GIT_INDEX_FILE": str(scratch / "index")}
    for step in (("read-tree", tree), ("--work-tree", str(root), "checkout-index", "--all")):
        done = git(*step, cwd=top, env=env)
        if done.returncode:
            message = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise UsageError(f"cannot read {rev} of {vault}: {message[0] if message else 'git failed'}")
    return root


RUNNERS = {"diff": run_diff}
