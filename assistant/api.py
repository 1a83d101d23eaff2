"""REST API for the help desk (FastAPI). Bad input → 4xx with a Chinese and an English message, never a 500.

Routes: POST /api/ask · POST /api/batch · POST /api/check · GET /api/clauses · GET /api/clauses/{id} · GET /healthz
· GET /docs (Swagger UI served from the swagger-ui-bundle package: no CDN, works offline).
Binding beyond loopback requires ASSISTANT_API_TOKEN; when a token is set every /api route checks it (guard.py)."""

from __future__ import annotations

import asyncio
import html
import json
import logging
import threading
import time
from typing import Any, Callable

import anyio
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from .batch import check_id
from .errors import AssistantError, BusyError, ConfigError, InvalidInputError
from .guard import MAX_BODY, Guard, error_body, too_large
from .inputs import shown, validate_question
from .schema import AnswerModel, AskRequest, BatchItem, BatchRequest, ClauseModel, ErrorModel
from .settings import Settings

log = logging.getLogger("assistant.api")
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def _error(status: int, zh: str, en: str, headers: dict | None = None) -> Response:
    return Response(error_body(zh, en), status_code=status, media_type="application/json", headers=headers)


def json_response(obj: Any) -> Response:
    """UTF-8 JSON (ensure_ascii=False) without a second pydantic pass over an object we built and typed ourselves."""
    return Response(json.dumps(obj, ensure_ascii=False).encode("utf-8", "replace"), media_type="application/json")


async def disconnected(request: Request) -> bool:
    """starlette's Request.is_disconnected (is a message waiting, and is it http.disconnect?) with an asyncio
    task cancelled at once instead of an anyio CancelScope, whose cancel() formats the task's repr (~80 µs)."""
    if getattr(request, "_is_disconnected", False):
        return True
    peek = asyncio.ensure_future(request.receive())
    await asyncio.sleep(0)  # the receive runs up to its first wait; a message already there has been taken
    if not peek.done():
        peek.cancel()
        return False
    if not peek.cancelled() and peek.exception() is None and peek.result().get("type") == "http.disconnect":
        request._is_disconnected = True
    return bool(getattr(request, "_is_disconnected", False))


def require_token_for(host: str, token: str) -> None:
    if host not in LOOPBACK and not token.strip():
        raise ConfigError(f"绑定到 {host} 需要先设置 API 令牌（环境变量 ASSISTANT_API_TOKEN）/ "
                          f"binding to {host} requires an API token (ASSISTANT_API_TOKEN)")


def _where(errors: list[dict]) -> str:
    return "; ".join(".".join(str(x) for x in e.get("loc", ()) if x != "body") + f": {e.get('msg', '')}"
                     for e in errors[:3])


def create_api(assistant, *, token: str = "", app: FastAPI | None = None, settings: Settings | None = None,
               pool=None) -> FastAPI:
    """Add the API routes to `app` (a new FastAPI app by default). `assistant` is loaded once by the caller.
    `pool` (assistant.pool.AnswerPool): answer questions and checks in its processes instead of this process's
    threads; `assistant` then needs only .corpus (clauses, /healthz)."""
    if token != token.strip() or (token and not token.isprintable()):
        raise ConfigError("API 令牌不能只有空白或以空白开头、结尾 / the API token must not be blank or padded with whitespace")
    settings = settings or getattr(assistant, "settings", None) or Settings.load()
    doc_id = assistant.corpus.document.doc_id
    app = app or FastAPI(title=f"{doc_id} 问答助手 API", version="1", docs_url=None, redoc_url=None)
    app.add_middleware(Guard, token=token, max_body=MAX_BODY)
    # Answers are CPU-bound Python: more threads than this only add GIL contention; the rest wait their turn.
    # The bound is `slots`, held by the answering thread itself for as long as it runs: anyio gives a
    # CapacityLimiter's token back when it abandons a cancelled thread (time budget, client gone) that is still
    # working, so the limiter alone let abandoned answers pile up beside new ones. The limiter keeps the waiting
    # in the event loop rather than in blocked threads.
    slots = threading.BoundedSemaphore(settings.api_threads)
    limiter = anyio.CapacityLimiter(settings.api_threads)
    responses: dict[int | str, dict[str, Any]] = {
        401: {"model": ErrorModel}, 413: {"model": ErrorModel}, 422: {"model": ErrorModel},
        429: {"model": ErrorModel}, 503: {"model": ErrorModel}}

    def local_check(payload: dict) -> dict:
        from .checkcli import check_payload

        return check_payload(payload)

    local: dict[str, Callable] = {"ask": lambda q: assistant.ask(q).to_dict(), "check": local_check}

    async def in_thread(fn: Callable, *args):
        """fn(*args) in a thread that holds one of `slots` while it runs. Cancelled, the request stops waiting
        at once; a thread that has not begun then never begins, and one that has finishes on its own."""
        cancelled = threading.Event()

        def run():
            with slots:
                if cancelled.is_set():  # its request gave up while it waited for a slot
                    return None
                return fn(*args)

        try:
            return await anyio.to_thread.run_sync(run, limiter=limiter, abandon_on_cancel=True)
        except BaseException:  # anyio's cancellation (budget, client gone, shutdown)
            cancelled.set()
            raise

    async def work(job: str, *args, budget: float | None = None):
        """Run CPU-bound work ("ask" → the answer's dict, "check" → the checker's) off the event loop, within
        the request's time budget: in an answer process when there is a pool, else in one of this process's
        threads. Past the budget the client gets a 503 at once; the question being answered finishes on its own,
        still counted against ASSISTANT_API_THREADS, and one not yet begun is not begun."""
        with anyio.move_on_after(budget or settings.request_budget) as scope:
            if pool is not None:
                return await pool.run(job, *args)
            return await in_thread(local[job], *args)
        if scope.cancelled_caught:
            raise BusyError(f"处理超时（{settings.request_budget:g} 秒），请简化问题或稍后再试",
                            en=f"the request ran past its time budget ({settings.request_budget:g} s)")

    @app.exception_handler(RequestValidationError)
    async def _invalid(request, exc: RequestValidationError):
        return _error(422, "请求格式不正确，需要 JSON 对象，例如 {\"question\": \"…\"}",
                      f"invalid request: {_where(exc.errors())}")

    @app.exception_handler(AssistantError)
    async def _assistant_error(request, exc: AssistantError):
        return _error(exc.http_status, *exc.parts)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request, exc: StarletteHTTPException):
        if exc.status_code == 404:
            return _error(404, "没有这个地址", f"not found: {shown(request.url.path, 200)}")
        if exc.status_code == 405:
            return _error(405, "不支持该请求方法", "method not allowed")
        if exc.status_code == 413:
            return _error(413, *too_large(MAX_BODY))
        if exc.status_code == 400:
            return _error(400, "请求体无法解析，需要 UTF-8 编码的 JSON", "the body could not be parsed as UTF-8 JSON")
        return _error(exc.status_code, "请求失败", str(exc.detail))

    @app.exception_handler(Exception)
    async def _unexpected(request, exc: Exception):  # a bug, not bad input: log it, answer without a traceback
        log.exception("unexpected error on %s", request.url.path)
        return _error(500, "服务内部错误，请稍后重试或联系管理员", "internal error")

    @app.get("/healthz", tags=["ops"])
    def healthz() -> dict:
        return {"status": "ok", "document": assistant.corpus.document.stamp(), "clauses": len(assistant.corpus.clauses)}

    async def unless_gone(request: Request, job: str, *args):
        """`work`, abandoned when the client disconnects: a question whose asker has left is not started,
        and one waiting for a free thread or answer process gives its place up (None = the client is gone).
        Plain asyncio tasks, not an anyio task group: anyio's CancelScope.cancel() formats the task's repr
        (its coroutine, source lines, callbacks), and starlette's is_disconnected cancels one on every poll:
        together ~0.5 ms of the event loop's time a request."""
        if await disconnected(request):
            return None
        worker = asyncio.ensure_future(work(job, *args))
        try:
            while True:
                done, _ = await asyncio.wait((worker,), timeout=0.1)
                if done:
                    return worker.result()  # re-raises what the work raised
                if await disconnected(request):
                    worker.cancel()
                    await asyncio.wait((worker,))
                    return None
        finally:
            if not worker.done():  # this request itself was cancelled (server shutdown)
                worker.cancel()

    @app.post("/api/ask", response_model=AnswerModel, responses=responses, tags=["ask"])
    async def ask(body: AskRequest, request: Request) -> Response:
        answer = await unless_gone(request, "ask", body.question)
        if answer is None:
            return _error(499, "客户端已断开", "client disconnected")
        return json_response(answer)

    @app.post("/api/batch", responses=responses, tags=["ask"])
    async def batch(body: BatchRequest, request: Request) -> Response:
        """Items are answered one by one; a bad item gets an `error` and the rest go on. Work stops when the
        client disconnects, and items left when the time budget runs out get an error instead of an answer."""
        deadline = time.monotonic() + settings.request_budget
        out: list[dict] = []
        seen: set[str] = set()
        for i, item in enumerate(body.questions):
            if await disconnected(request):
                log.info("batch: client gone after %d of %d questions", i, len(body.questions))
                return _error(499, "客户端已断开", "client disconnected")
            rid, error = _batch_id(item, i + 1, seen)
            left = deadline - time.monotonic()
            if error is None and left <= 0:
                error = "处理超时，本条未作答，请单独重试 / not answered: the request's time budget ran out"
            if error is None:
                try:
                    out.append({"id": rid, **(await work("ask", item.question, budget=left))})
                    continue
                except AssistantError as e:
                    error = str(e)
            q = item.question if isinstance(item.question, str) else None
            out.append({"id": rid, "question": q, "error": error})
        return json_response({"answers": out})

    @app.post("/api/check", responses=responses, tags=["check"], openapi_extra=check_request_schema())
    async def check(request: Request) -> Response:
        """The negative-list checker on named facts. Validated by checkcli.check_payload (one validator, with
        messages that list the valid values); the schema here documents the same fields."""
        try:
            payload = json.loads(await request.body())
        except StarletteHTTPException:
            raise
        except Exception:  # bad JSON, bad UTF-8, or nested too deep to parse
            raise InvalidInputError("请求体必须是 JSON 对象", en="the body must be a JSON object") from None
        if not isinstance(payload, dict):
            raise InvalidInputError("请求体必须是 JSON 对象", en="the body must be a JSON object")
        return json_response(await work("check", payload))

    @app.get("/api/clauses", response_model=list[ClauseModel], tags=["clauses"])
    def clauses() -> Response:
        return json_response([c.to_dict() for c in assistant.corpus.clauses])

    @app.get("/api/clauses/{clause_id:path}", response_model=ClauseModel,
             responses={404: {"model": ErrorModel}}, tags=["clauses"])
    def clause(clause_id: str) -> Response:
        return json_response(assistant.corpus.get(clause_id).to_dict())

    _offline_docs(app)
    return app


def check_request_schema() -> dict:
    """The /api/check body for the OpenAPI docs, from the checker's own names (facts.py, checkcli.KEYS)."""
    from .checkcli import CONTENT_FLAGS, KEYS
    from .facts import ENUMS, FLAGS, Content

    tri = {"type": ["boolean", "null"], "description": "true / false / null（未知）；也接受 是、否、不确定"}
    props: dict[str, dict] = {k: dict(tri, title=FLAGS.get(k, k)) for k in KEYS}
    props |= {name: {"type": "string", "enum": [e.value for e in enum], "maxLength": 100} for name, enum in ENUMS.items()}
    props["service"] = {"type": "string", "maxLength": Settings().max_question_chars, "description": "购买什么（自由文本）",
                        "examples": ["社区居家养老上门服务"]}
    kinds = [c.value for c in Content]
    props["content"] = {"anyOf": [{"type": "string", "enum": kinds},
                                  {"type": "array", "items": {"type": "string", "enum": kinds}, "maxItems": 2 * len(kinds)}]}
    props |= {k: dict(tri, title=f"是否涉及 {CONTENT_FLAGS[k].value}") for k in CONTENT_FLAGS}
    schema = {"type": "object", "properties": props, "additionalProperties": False,
              "example": {"purchaser": "行政机关", "provider": "公益一类事业单位", "service": "社区矫正服务", "budget": True}}
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


def _batch_id(item: BatchItem, position: int, seen: set[str]) -> tuple[object, str | None]:
    """The item's id (its 1-based position when absent) and an error when it is unusable or repeated: the CLI
    batch's rule (batch.check_id), so null, true/false and blank ids are refused and ids compare stripped."""
    raw = item.id if "id" in item.model_fields_set else position  # an explicit null is an error, as in the CLI
    key, error = check_id(raw, position, ("条", "item"))
    if key is None:
        return None, error
    rid = raw if isinstance(raw, int) else key  # an integer id is echoed as an integer
    if key in seen:
        return rid, f"id {shown(rid)} 重复，本条未作答 / duplicate id {shown(rid)}: not answered"
    seen.add(key)
    return rid, None


def _offline_docs(app: FastAPI) -> None:
    """/docs from the swagger-ui-bundle package's own files (FastAPI's default loads them from a CDN)."""
    from fastapi.openapi.docs import get_swagger_ui_html

    try:
        from swagger_ui_bundle import swagger_ui_path
    except ImportError:  # the package is a dependency; without it, a plain server-rendered list of the routes
        swagger_ui_path = None
    if swagger_ui_path is not None:
        from fastapi.staticfiles import StaticFiles

        app.mount("/docs/static", StaticFiles(directory=str(swagger_ui_path)), name="docs-static")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        if swagger_ui_path is not None:
            return get_swagger_ui_html(
                openapi_url=app.openapi_url, title=f"{app.title} · 接口文档",
                swagger_js_url="/docs/static/swagger-ui-bundle.js", swagger_css_url="/docs/static/swagger-ui.css",
                swagger_favicon_url="/docs/static/favicon-32x32.png",
                swagger_ui_parameters={"validatorUrl": None})  # the validator badge would call an outside host
        rows = "".join(f"<li><code>{html.escape(m.upper())} {html.escape(p)}</code> {html.escape(op.get('summary', ''))}</li>"
                       for p, ops in app.openapi()["paths"].items() for m, op in ops.items())
        return HTMLResponse(f"<!doctype html><meta charset=utf-8><title>{html.escape(app.title)}</title>"
                            f"<h1>{html.escape(app.title)}</h1><ul>{rows}</ul>"
                            f"<p><a href='{app.openapi_url}'>OpenAPI (JSON)</a></p>")
