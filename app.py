"""Serve the web UI and the REST API on one port: `python app.py [--host H] [--port P] [--api-only]`.

Host and port: flag > environment (ASSISTANT_HOST, ASSISTANT_PORT) > 127.0.0.1:7860. Binding beyond loopback
requires ASSISTANT_API_TOKEN. The model and index load once here, before the server accepts requests."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
import time
from typing import Sequence

from assistant.errors import AssistantError


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python app.py", description="湘财综〔2022〕28号 问答助手：网页界面 + REST API")
    p.add_argument("--host", help="监听地址 / bind address (env ASSISTANT_HOST, default 127.0.0.1)")
    p.add_argument("--port", type=int, help="端口 / port (env ASSISTANT_PORT, default 7860)")
    p.add_argument("--api-only", action="store_true", help="只提供 REST API，不挂载网页界面 / REST API without the web UI")
    return p


def create_app(assistant, *, token: str = "", ui: bool = True):
    """The FastAPI app: REST routes (and /healthz) first, then the Gradio UI mounted at "/"."""
    from assistant.api import create_api

    app = create_api(assistant, token=token)
    if ui:
        from assistant.ui import mount_ui

        app = mount_ui(app, assistant, path="/", token=token)
    return app


WARM_UP = ("公益一类事业单位能承接政府购买服务吗？", "本通知什么时候开始施行？")  # the checker path and the retrieval path


def warm_up(assistant) -> None:
    """Answer two questions in the background once serving, so lazily built parts (the checker's vocabulary,
    the first retrieval) are ready before the first real question."""
    for q in WARM_UP:
        try:
            assistant.ask(q)
        except Exception:  # a warm-up must never take the server down; the real question will report it
            logging.getLogger("app").exception("warm-up question failed: %s", q)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # offline: no telemetry calls
    t0 = time.perf_counter()
    try:
        from assistant.api import require_token_for
        from assistant.chain import Assistant
        from assistant.settings import Settings

        settings = Settings.load(host=args.host, port=args.port)
        require_token_for(settings.host, settings.api_token)
        assistant = Assistant.load(settings, log=lambda m: print(m, file=sys.stderr))
        app = create_app(assistant, token=settings.api_token, ui=not args.api_only)
    except AssistantError as e:
        print(f"错误 / error: {e}", file=sys.stderr)
        return e.exit_code
    what = "REST API" if args.api_only else "网页界面 + REST API"
    print(f"{what} 就绪（加载 {time.perf_counter() - t0:.1f} 秒）: http://{settings.host}:{settings.port}/", file=sys.stderr)

    import uvicorn

    threading.Thread(target=warm_up, args=(assistant,), name="warm-up", daemon=True).start()
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning")
    return 0


if __name__ == "__main__":
    sys.exit(main())
