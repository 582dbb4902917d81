"""The endpoint's query workers, seen from the server: a pool of worker processes (worker.py) that
runs one request at a time on each, stops a request over its time limit by killing its process,
and starts a fresh process in its place.
"""
from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import threading
import time
from pathlib import Path


class QueryTimeout(Exception):
    pass


class WorkerGone(Exception):
    pass


class _Process:
    """One worker process and its pipes."""

    def __init__(self, config: Path, start_timeout: float = 120.0) -> None:
        package_root = str(Path(__file__).resolve().parents[2])  # so `-m compiler.rdf.worker` imports
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")])))
        self.proc = subprocess.Popen([sys.executable, "-m", "compiler.rdf.worker", str(config)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
        if not self._wait(start_timeout) or self.proc.stdout.readline() != b"ready\n":
            self.kill()
            raise WorkerGone("a query worker failed to start")

    def _wait(self, timeout: float) -> bool:
        return bool(select.select([self.proc.stdout], [], [], timeout)[0])

    def ask(self, request: dict, timeout: float) -> tuple[dict, bytes]:
        try:
            self.proc.stdin.write(json.dumps(request).encode() + b"\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError):
            raise WorkerGone("the query worker stopped") from None
        if not self._wait(timeout):
            raise QueryTimeout
        line = self.proc.stdout.readline()
        if not line:
            raise WorkerGone("the query worker stopped")
        header = json.loads(line)
        return header, self.proc.stdout.read(header["length"])

    def close(self) -> None:
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=2)
        except (OSError, subprocess.TimeoutExpired):
            self.kill()

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait()
        for pipe in (self.proc.stdin, self.proc.stdout):
            try:
                pipe.close()
            except OSError:
                pass


class WorkerPool:
    def __init__(self, config: Path, size: int) -> None:
        self._config = config
        self._idle: list[_Process] = []
        self._ready = threading.Condition()
        self._closed = False
        for _ in range(max(1, size)):
            self._idle.append(_Process(config))

    def run(self, request: dict, timeout: float) -> tuple[dict, bytes]:
        """Run one request on a free worker. Waiting for one counts against the same time limit."""
        deadline = time.monotonic() + timeout
        with self._ready:
            while not self._idle:
                remaining = deadline - time.monotonic()
                if self._closed or remaining <= 0 or not self._ready.wait(remaining):
                    raise QueryTimeout
            worker = self._idle.pop()
        try:
            answer = worker.ask(request, max(deadline - time.monotonic(), 0.05))
        except BaseException:
            # A worker that overran or died is killed; a fresh one is started beside the answer.
            worker.kill()
            threading.Thread(target=self._replace, name="vaultc-worker-start", daemon=True).start()
            raise
        self._release(worker)
        return answer

    def _replace(self) -> None:
        try:
            worker = _Process(self._config)
        except WorkerGone as exc:
            print(f"vaultc: {exc}", file=sys.stderr)
            return
        self._release(worker)

    def _release(self, worker: _Process) -> None:
        with self._ready:
            if self._closed:
                worker.kill()
                return
            self._idle.append(worker)
            self._ready.notify()

    def close(self) -> None:
        with self._ready:
            self._closed = True
            workers, self._idle = self._idle, []
            self._ready.notify_all()
        for worker in workers:
            worker.close()
