"""The endpoint's query workers, seen from the server: a pool of worker processes (worker.py) that
runs one request at a time on each, queues requests first come, first served while all are busy,
stops a request over its time limit by killing its process, and starts a fresh process in its place.
"""
from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import threading
from collections import deque
from pathlib import Path


class QueryTimeout(Exception):
    pass


class WorkersBusy(QueryTimeout):
    """No worker came free within the time a request may wait for one."""


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


class _Turn:
    """A request waiting for a worker: the pool hands one straight to the longest waiting."""

    def __init__(self) -> None:
        self.given = threading.Event()
        self.worker: _Process | None = None


class WorkerPool:
    def __init__(self, config: Path, size: int) -> None:
        self._config = config
        self._idle: list[_Process] = []
        self._waiting: deque[_Turn] = deque()
        self._lock = threading.Lock()
        self._closed = False
        for _ in range(max(1, size)):
            self._idle.append(_Process(config))

    def run(self, request: dict, timeout: float, wait: float | None = None) -> tuple[dict, bytes]:
        """Run one request on a free worker, waiting for one first in arrival order for up to `wait`
        seconds (default: `timeout`); the request itself then has `timeout` seconds. Either limit
        passed raises QueryTimeout (WorkersBusy for the wait)."""
        worker = self._take(timeout if wait is None else wait)
        try:
            answer = worker.ask(request, timeout)
        except BaseException:
            # A worker that overran or died is killed; a fresh one is started beside the answer.
            worker.kill()
            threading.Thread(target=self._replace, name="vaultc-worker-start", daemon=True).start()
            raise
        self._release(worker)
        return answer

    def _take(self, wait: float) -> _Process:
        """A free worker. Queueing first come, first served (rather than letting whoever grabs the
        lock first win) keeps the slowest wait close to the average under a burst of clients."""
        with self._lock:
            if self._closed:
                raise WorkersBusy
            if self._idle and not self._waiting:
                return self._idle.pop()
            turn = _Turn()
            self._waiting.append(turn)
        turn.given.wait(wait)
        with self._lock:
            if turn.worker is None:  # out of time (or closed) before a worker came free
                if turn in self._waiting:
                    self._waiting.remove(turn)
                raise WorkersBusy
        return turn.worker

    def _replace(self) -> None:
        try:
            worker = _Process(self._config)
        except WorkerGone as exc:
            print(f"vaultc: {exc}", file=sys.stderr)
            return
        self._release(worker)

    def _release(self, worker: _Process) -> None:
        with self._lock:
            if self._closed:
                worker.kill()
                return
            if self._waiting:
                turn = self._waiting.popleft()
                turn.worker = worker
                turn.given.set()
            else:
                self._idle.append(worker)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers, self._idle = self._idle, []
            waiting, self._waiting = list(self._waiting), deque()
        for turn in waiting:  # they find no worker and give up at once
            turn.given.set()
        for worker in workers:
            worker.close()
