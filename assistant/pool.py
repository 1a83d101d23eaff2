"""Answer processes behind one HTTP process: `app.py --api-only --workers N`.

Why not N uvicorn processes sharing the listening socket (as before): each process keeps the connections it
accepted, and a burst of new connections goes to whichever process's event loop woke first. Measured with 16
keep-alive clients and 2 workers: the connections split 16/0 (wrk, httpx) or 7/9 (http.client) from run to run,
so one process queued every question while the other idled; p95 moved between 294 and 546 ms.

Here one HTTP process holds every connection and hands each question to the first free answer process: one
queue, first come first served, whatever the connections. An answer process answers one question at a time
(no GIL contention with the event loop or with other questions) and loads the assistant once, before the
server accepts requests. A question still waiting when its request is cancelled (time budget, client gone) is
never sent; one being answered finishes and its answer is dropped, as the threads did. An answer process that
dies is replaced; the question it was answering gets a 503 (one sent to it as it died, too: the pipe cannot tell
whether it was read)."""

from __future__ import annotations

import asyncio
import importlib
import logging
import multiprocessing as mp
import os
import signal
import sys
import traceback
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable

from . import errors
from .errors import AssistantError, BusyError, ConfigError

log = logging.getLogger("assistant.pool")


# ---- in the answer process ---------------------------------------------------------------------------------

def _job_ask(assistant, question: object) -> dict:
    return assistant.ask(question).to_dict()


def _job_check(assistant, payload: dict) -> dict:
    from .checkcli import check_payload

    return check_payload(payload)


JOBS: dict[str, Callable[..., Any]] = {"ask": _job_ask, "check": _job_check}


def _factory(spec: str) -> Callable[[], Any]:
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


def _serve_jobs(conn, factory: str) -> None:
    """The answer process: load the assistant, say ready, then answer jobs until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group: the HTTP process
    try:                                           # decides, and closing the pipe ends this process
        assistant = _factory(factory)()
    except BaseException as e:  # noqa: BLE001 - reported to the HTTP process, which refuses to start
        conn.send(("failed", str(e) if isinstance(e, AssistantError) else f"{type(e).__name__}: {e}"))
        return
    try:
        conn.send(("ready", os.getpid()))
    except OSError:  # the HTTP process stopped while this one loaded
        return
    while True:
        try:
            job, args = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply = ("ok", JOBS[job](assistant, *args))
        except AssistantError as e:  # the HTTP process raises the same class with the same message
            reply = ("error", (type(e).__name__, str(e), e.parts))
        except Exception as e:  # noqa: BLE001 - a bug: logged here, a 500 there
            traceback.print_exc(file=sys.stderr)
            reply = ("bug", f"{type(e).__name__}: {e}")
        try:
            conn.send(reply)
        except OSError:
            return


def remote_error(name: str, message: str, parts: tuple[str, str]) -> AssistantError:
    """The AssistantError an answer process raised, rebuilt with its class, message and (zh, en)."""
    cls = getattr(errors, name, None)
    if not (isinstance(cls, type) and issubclass(cls, AssistantError)):
        cls = AssistantError
    e = cls.__new__(cls)
    Exception.__init__(e, message)
    e._parts = tuple(parts)
    return e


# ---- in the HTTP process -----------------------------------------------------------------------------------

@dataclass(eq=False)
class _Worker:
    process: Any
    conn: Any
    future: asyncio.Future | None = None
    ready: bool = False


@dataclass(eq=False)
class AnswerPool:
    """`size` answer processes, each running `factory` ("module:function" returning an object with .ask) once.
    start() blocks until all are ready (before serving); run() is called from the server's event loop."""

    size: int
    factory: str
    load_timeout: float = 600.0
    _ctx: Any = field(default_factory=lambda: mp.get_context("spawn"), repr=False)
    _workers: list[_Worker] = field(default_factory=list, repr=False)
    _idle: deque = field(default_factory=deque, repr=False)
    _waiting: deque = field(default_factory=deque, repr=False)
    _loop: asyncio.AbstractEventLoop | None = field(default=None, repr=False)
    _closed: bool = False

    def _spawn(self) -> _Worker:
        ours, theirs = self._ctx.Pipe()
        p = self._ctx.Process(target=_serve_jobs, args=(theirs, self.factory), name="answer", daemon=True)
        p.start()
        theirs.close()
        w = _Worker(p, ours)
        self._workers.append(w)
        return w

    def start(self) -> "AnswerPool":
        """Start every answer process and wait until each has loaded the assistant (ConfigError if one fails)."""
        for w in [self._spawn() for _ in range(self.size)]:
            if not w.conn.poll(self.load_timeout):
                self.close()
                raise ConfigError(f"答题进程 {self.load_timeout:g} 秒内未就绪 / an answer process was not ready "
                                  f"after {self.load_timeout:g} s")
            try:
                kind, detail = w.conn.recv()
            except (EOFError, OSError):
                kind, detail = "failed", f"exit code {w.process.exitcode}"
            if kind != "ready":
                self.close()
                raise ConfigError(f"答题进程启动失败：{detail}", en=f"an answer process failed to start: {detail}")
            w.ready = True
            self._idle.append(w)
        return self

    def _attach(self) -> None:
        self._loop = asyncio.get_running_loop()
        for w in self._workers:
            self._loop.add_reader(w.conn.fileno(), self._readable, w)

    async def run(self, job: str, *args: Any) -> Any:
        """The job's result from the first free answer process; raises what the job raised (AssistantError)."""
        if self._loop is None:
            self._attach()
        if self._closed:
            raise BusyError("服务正在停止", en="the server is shutting down")
        fut = self._loop.create_future()
        self._waiting.append((fut, job, args))
        self._dispatch()
        kind, payload = await fut
        if kind == "ok":
            return payload
        if kind == "error":
            raise remote_error(*payload)
        raise RuntimeError(f"answer process: {payload}")

    def _dispatch(self) -> None:
        while self._idle and self._waiting:
            fut, job, args = self._waiting.popleft()
            if fut.done():  # cancelled while it waited: its place is given up, nothing was sent
                continue
            w = self._idle.popleft()
            try:
                w.conn.send((job, args))
            except (OSError, ValueError):  # it died while idle: the job was not started, another one takes it
                self._waiting.appendleft((fut, job, args))
                self._died(w)
                continue
            w.future = fut

    def _readable(self, w: _Worker) -> None:
        try:
            kind, payload = w.conn.recv()
        except (EOFError, OSError):
            self._died(w)
            return
        if kind in ("ready", "failed"):  # a replacement finished loading
            if kind == "failed":
                log.error("a replacement answer process failed to load: %s", payload)
                self._drop(w)
                return
            w.ready = True
        else:
            fut, w.future = w.future, None
            if fut is not None and not fut.done():
                fut.set_result((kind, payload))
        self._idle.append(w)
        self._dispatch()

    def _drop(self, w: _Worker) -> None:
        if self._loop is not None:
            self._loop.remove_reader(w.conn.fileno())
        w.conn.close()
        if w in self._workers:
            self._workers.remove(w)
        if w in self._idle:
            self._idle.remove(w)

    def _died(self, w: _Worker) -> None:
        fut, w.future = w.future, None
        self._drop(w)
        w.process.join(timeout=1)
        log.error("answer process %s exited (code %s)", w.process.pid, w.process.exitcode)
        if fut is not None and not fut.done():
            fut.set_exception(BusyError("答题进程意外退出，请重试", en="the answer process exited; please retry"))
        if not self._closed:  # replace it; it joins the idle ones when loaded
            nw = self._spawn()
            self._loop.add_reader(nw.conn.fileno(), self._readable, nw)
        if not self._workers:
            while self._waiting:
                f, _, _ = self._waiting.popleft()
                if not f.done():
                    f.set_exception(BusyError("没有可用的答题进程", en="no answer process is available"))

    def close(self) -> None:
        """Close the pipes (each answer process then exits) and wait for the processes."""
        self._closed = True
        processes = [w.process for w in self._workers]
        for w in list(self._workers):
            try:
                self._drop(w)
            except (OSError, ValueError, RuntimeError):  # the event loop is already closed
                w.conn.close()
                self._workers.remove(w)
        for p in processes:
            p.join(timeout=10)
            if p.is_alive():
                p.terminate()
                p.join(timeout=5)

    def processes(self) -> list:
        """The answer processes (multiprocessing.Process), loaded or loading."""
        return [w.process for w in self._workers]

    def pids(self) -> list[int]:
        return [p.pid for p in self.processes()]
