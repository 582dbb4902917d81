"""The endpoint's query workers, seen from the server: a pool of worker processes (worker.py) that
runs one request at a time on each, queues requests first come, first served while all are busy,
stops a request over its time limit by killing its process, and starts a fresh process in its place.

Admission by time: a queue alone lets two slow queries hold every worker while fast ones wait
for the full time limit. So beside the pool's workers stands one express worker, which takes a
request only while every other worker is busy, and only for EXPRESS_SLICE seconds: a query that
answers within the slice is served at once; one that does not is stopped (its express worker
killed and started again) and queued for a regular worker with what is left of its time limit.
No query can tell which worker answered it; a slow one loses at most a slice.
"""
from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import threading
import time
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


EXPRESS_SLICE = 1.0  # seconds a request may run on the express worker before it must queue


class _Turn:
    """A request waiting for a worker: the pool hands one straight to the longest waiting (the
    express worker only to one that may use it)."""

    def __init__(self, express: bool) -> None:
        self.given = threading.Event()
        self.worker: _Process | None = None
        self.express = express  # whether the express worker may take it


class WorkerPool:
    def __init__(self, config: Path, size: int) -> None:
        self._config = config
        self._idle: list[_Process] = []
        self._express: _Process | None = None  # idle express worker (None: busy or starting)
        self._waiting: deque[_Turn] = deque()
        self._lock = threading.Lock()
        self._closed = False
        for _ in range(max(1, size)):
            self._idle.append(_Process(config))
        self._express_worker = self._express = _Process(config)

    def run(self, request: dict, timeout: float, wait: float | None = None) -> tuple[dict, bytes]:
        """Run one request on a free worker, waiting for one first in arrival order for up to `wait`
        seconds (default: `timeout`); the request itself then has `timeout` seconds. Either limit
        passed raises QueryTimeout (WorkersBusy for the wait)."""
        wait = timeout if wait is None else wait
        worker = self._take(wait, express=True)
        if worker is self._express_worker and timeout > EXPRESS_SLICE:
            started = time.monotonic()
            try:
                return self._ask(worker, request, EXPRESS_SLICE)
            except QueryTimeout:  # slow: it queues for a regular worker with the time it has left
                timeout -= time.monotonic() - started
            worker = self._take(wait, express=False)
        return self._ask(worker, request, timeout)

    def _ask(self, worker: _Process, request: dict, timeout: float) -> tuple[dict, bytes]:
        try:
            answer = worker.ask(request, timeout)
        except BaseException:
            # A worker that overran or died is killed; a fresh one is started beside the answer.
            worker.kill()
            express = worker is self._express_worker
            threading.Thread(target=self._replace, args=(express,), name="vaultc-worker-start",
                             daemon=True).start()
            raise
        self._release(worker)
        return answer

    def _take(self, wait: float, express: bool) -> _Process:
        """A free worker. Queueing first come, first served (rather than letting whoever grabs the
        lock first win) keeps the slowest wait close to the average under a burst of clients."""
        with self._lock:
            if self._closed:
                raise WorkersBusy
            if not self._waiting:
                if self._idle:
                    return self._idle.pop()
                if express and self._express is not None:
                    worker, self._express = self._express, None
                    return worker
            turn = _Turn(express)
            self._waiting.append(turn)
        turn.given.wait(wait)
        with self._lock:
            if turn.worker is None:  # out of time (or closed) before a worker came free
                if turn in self._waiting:
                    self._waiting.remove(turn)
                raise WorkersBusy
        return turn.worker

    def _replace(self, express: bool) -> None:
        try:
            worker = _Process(self._config)
        except WorkerGone as exc:
            print(f"vaultc: {exc}", file=sys.stderr)
            return
        if express:
            self._express_worker = worker
        self._release(worker)

    def _release(self, worker: _Process) -> None:
        with self._lock:
            if self._closed:
                worker.kill()
                return
            express = worker is self._express_worker
            turn = next((t for t in self._waiting if t.express or not express), None)
            if turn is not None:
                self._waiting.remove(turn)
                turn.worker = worker
                turn.given.set()
            elif express:
                self._express = worker
            else:
                self._idle.append(worker)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers, self._idle = self._idle, []
            if self._express is not None:
                workers.append(self._express)
                self._express = None
            waiting, self._waiting = list(self._waiting), deque()
        for turn in waiting:  # they find no worker and give up at once
            turn.given.set()
        for worker in workers:
            worker.close()
