"""The clean workers: spawned processes fed over one socket each by the crawler's event loop.

Lighter than ``concurrent.futures.ProcessPoolExecutor`` on the crawler side, where every page costs CPU
that the two cores need for cleaning: a task is pickled (protocol 5) and handed to the event loop's
transport of its worker (buffered, never blocking the reactor), and the result is read by the same
loop (an ``asyncio.Protocol``); no manager or feeder thread, no wake-up pipes, no cross-thread future
hand-offs. Frames are ``multiprocessing.connection``'s (a 4-byte big-endian length, or -1 and 8 bytes),
so the worker side is a plain ``Connection.recv_bytes``/``send_bytes`` loop (cleanworker.serve).

Each worker holds at most ``DEPTH`` tasks (one running, one waiting in its socket, so it never idles
between pages). The timeout clock of a task starts when the task is the oldest its worker holds (the one
it runs): a worker past it is killed and replaced, its task failed as ``normalizer-timeout``; the other
task it held goes back to the queue. A worker that dies (out of memory, a crash in C code) fails nothing
at once: its tasks go back to the queue with one attempt used, and a task that was on a dying worker
twice fails as ``normalizer-crashed``. Workers start before the first page arrives (importing the
normaliser); no task is sent and no clock runs until a worker has said it is ready.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import pickle
import socket
import struct
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

log = logging.getLogger(__name__)

DEPTH = 2
ATTEMPTS = 2
Failed = Callable[[str, str], dict[str, Any]]


@dataclass
class Task:
    name: str  # a function of crawler.pipelines.cleanworker.TASKS
    args: tuple[Any, ...]
    future: asyncio.Future[dict[str, Any]]
    url: str
    attempts: int = 0


@dataclass
class Worker:
    process: Any  # multiprocessing.Process (spawn context)
    conn: Connection  # the crawler's end (kept for ``wait_ready`` and closing)
    sock: socket.socket | None = None  # the crawler's end once the event loop reads it
    transport: asyncio.Transport | None = None
    connecting: asyncio.Task[None] | None = None
    ready: bool = False
    held: deque[Task] = field(default_factory=deque)
    timer: asyncio.TimerHandle | None = None


class WorkerProtocol(asyncio.Protocol):
    """Splits the worker's byte stream into frames and hands each message to the pool."""

    def __init__(self, pool: CleanPool, worker: Worker) -> None:
        self.pool, self.worker = pool, worker
        self.buffer = bytearray()

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while message := take_frame(self.buffer):
            self.pool.received(self.worker, pickle.loads(message))

    def connection_lost(self, exc: Exception | None) -> None:
        self.pool.lost(self.worker)


class CleanPool:
    def __init__(self, workers: int, timeout: float, failed: Failed,
                 start: Callable[[Connection], Any]) -> None:
        self.size, self.timeout, self.failed, self.start_process = workers, timeout, failed, start
        self.queue: deque[Task] = deque()
        self.workers: list[Worker] = []
        self.loop: asyncio.AbstractEventLoop | None = None
        self.closed = False

    def start(self) -> None:
        """Spawn the workers (they import the normaliser while the first pages download)."""
        self.workers = [self.spawn() for _ in range(self.size)]

    def spawn(self) -> Worker:
        ours, theirs = multiprocessing.Pipe(duplex=True)
        process = self.start_process(theirs)
        theirs.close()
        worker = Worker(process, ours)
        if self.loop is not None and not self.loop.is_closed():
            worker.connecting = self.loop.create_task(self.attach(worker))
        return worker

    def wait_ready(self, timeout: float) -> bool:
        """Block until every worker has started (before the pool is first used: for tests)."""
        deadline = time.monotonic() + timeout
        return all(w.conn.poll(max(0.0, deadline - time.monotonic())) for w in self.workers)

    async def run(self, name: str, args: tuple[Any, ...], url: str) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        if self.loop is not loop:  # first use (or a new loop, in tests): read the workers from this one
            self.loop = loop
            await asyncio.gather(*(self.attach(worker) for worker in self.workers))
        task = Task(name, args, loop.create_future(), url)
        self.queue.append(task)
        self.dispatch()
        return await task.future

    async def attach(self, worker: Worker) -> None:
        """Read and write the worker's socket from the running loop (a duplicate of the fd: the
        Connection is closed here, the transport owns the socket)."""
        assert self.loop is not None
        sock = socket.socket(fileno=os.dup(worker.conn.fileno()))
        worker.conn.close()
        worker.sock = sock
        transport, _ = await self.loop.connect_accepted_socket(lambda: WorkerProtocol(self, worker), sock)
        if worker not in self.workers:  # replaced while connecting
            transport.abort()
            return
        worker.transport = transport
        self.dispatch()

    def dispatch(self) -> None:
        """Hand queued tasks to the workers, the least busy first (an idle worker before one that would
        hold the page behind the one it runs)."""
        while self.queue:
            open_ = [w for w in self.workers if w.ready and w.transport is not None and len(w.held) < DEPTH]
            if not open_:
                return
            worker = min(open_, key=lambda w: len(w.held))
            task = self.queue.popleft()
            if task.future.done():  # its caller gave up (cancelled)
                continue
            worker.held.append(task)
            data = pickle.dumps((task.name, task.args), protocol=pickle.HIGHEST_PROTOCOL)
            assert worker.transport is not None
            worker.transport.write(frame(data))
            if len(worker.held) == 1:
                self.arm(worker)

    def arm(self, worker: Worker) -> None:
        """Start the clock of the task the worker runs now (its oldest)."""
        if worker.timer is not None:
            worker.timer.cancel()
            worker.timer = None
        if worker.held and self.loop is not None:
            worker.timer = self.loop.call_later(self.timeout, self.expired, worker, worker.held[0])

    def received(self, worker: Worker, message: Any) -> None:
        if message == "ready":
            worker.ready = True
        else:
            task = worker.held.popleft()
            if not task.future.done():
                task.future.set_result(message)
            self.arm(worker)
        self.dispatch()

    def expired(self, worker: Worker, task: Task) -> None:
        log.warning("cleaning %s took over CLEAN_TIMEOUT = %.0fs; killing its clean worker",
                    task.url, self.timeout)
        worker.held.remove(task)
        if not task.future.done():
            task.future.set_result(self.failed("normalizer-timeout",
                                               f"no result within CLEAN_TIMEOUT = {self.timeout}s"))
        self.replace(worker)

    def lost(self, worker: Worker) -> None:
        """The worker's socket closed: it died (or was killed, or the pool is closing)."""
        if self.closed or worker not in self.workers:
            return
        if worker.held:  # the task it ran used an attempt; the one waiting behind it did not
            task = worker.held.popleft()
            task.attempts += 1
            log.warning("a clean worker died (out of memory?) while cleaning %s (attempt %d)",
                        task.url, task.attempts)
            if task.attempts < ATTEMPTS:
                worker.held.appendleft(task)
            elif not task.future.done():
                task.future.set_result(self.failed("normalizer-crashed",
                                                   "the clean worker process died twice on this page"))
        self.replace(worker)

    def replace(self, worker: Worker) -> None:
        """Kill ``worker`` (a hung one never returns) and start another in its place."""
        if worker not in self.workers:
            return
        self.workers[self.workers.index(worker)] = self.spawn()
        self.queue.extendleft(reversed(worker.held))  # what it held goes to the others, first
        worker.held.clear()
        self.stop(worker, kill=True)
        self.dispatch()

    def stop(self, worker: Worker, kill: bool = False) -> None:
        if worker.timer is not None:
            worker.timer.cancel()
        if worker.connecting is not None:
            worker.connecting.cancel()
        if kill and worker.process.is_alive():
            worker.process.kill()
        if worker.sock is not None:  # the worker reads end-of-file now, not when the loop next runs
            with contextlib.suppress(OSError):
                worker.sock.shutdown(socket.SHUT_RDWR)
        if worker.transport is not None and self.loop is not None and not self.loop.is_closed():
            worker.transport.abort()
        elif worker.sock is not None:
            worker.sock.close()
        worker.conn.close()
        worker.transport = None
        worker.process.join(None if kill else 5)
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join()

    def close(self) -> None:
        """Stop the workers: each exits when its socket closes (pages in hand are finished first by
        Scrapy, which closes the pipeline only when no item is in progress)."""
        self.closed = True
        workers, self.workers = self.workers, []
        for worker in workers:
            self.stop(worker)
        for task in self.queue:
            if not task.future.done():
                task.future.cancel()
        self.queue.clear()


def frame(data: bytes) -> bytes:
    """``data`` framed as multiprocessing.connection frames it.

    >>> frame(b"abc")
    b'\\x00\\x00\\x00\\x03abc'
    """
    if len(data) > 0x7FFFFFFF:
        return struct.pack("!i", -1) + struct.pack("!Q", len(data)) + data
    return struct.pack("!i", len(data)) + data


def take_frame(buffer: bytearray) -> bytes | None:
    """The first whole frame's payload, removed from ``buffer``; None while it is incomplete.

    >>> b = bytearray(frame(b"abc") + frame(b"d")[:3]); take_frame(b), take_frame(b), bytes(b)
    (b'abc', None, b'\\x00\\x00\\x00')
    """
    if len(buffer) < 4:
        return None
    (size,), start = struct.unpack_from("!i", buffer), 4
    if size == -1:
        if len(buffer) < 12:
            return None
        (size,), start = struct.unpack_from("!Q", buffer, 4), 12
    if len(buffer) < start + size:
        return None
    with memoryview(buffer) as view:  # one copy, out of the buffer
        data = bytes(view[start:start + size])
    del buffer[:start + size]
    return data
