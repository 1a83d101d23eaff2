"""REST API for the help desk (FastAPI). Bad input → 4xx with a Chinese and an English message, never a 500.

Routes: POST /api/ask · POST /api/batch · POST /api/check · GET /api/clauses · GET /api/clauses/{id} · GET /healthz.
Binding beyond loopback requires ASSISTANT_API_TOKEN; when a token is set every /api route checks it."""

from __future__ import annotations

import hmac
import logging
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from .errors import AssistantError, ConfigError, InvalidInputError
from .schema import AnswerModel, AskRequest, BatchRequest, ClauseModel, ErrorModel

log = logging.getLogger("assistant.api")
MAX_BODY = 256 * 1024  # bytes; a 100-question batch of 2,000-character questions fits
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def _error(status: int, zh: str, en: str) -> JSONResponse:
    return JSONResponse({"error": {"zh": zh, "en": en}}, status_code=status)


def _split_message(msg: str) -> tuple[str, str]:
    zh, _, en = msg.partition(" / ")
    return zh, en or zh


def require_token_for(host: str, token: str) -> None:
    if host not in LOOPBACK and not token:
        raise ConfigError(f"绑定到 {host} 需要先设置 API 令牌（环境变量 ASSISTANT_API_TOKEN）/ "
                          f"binding to {host} requires an API token (ASSISTANT_API_TOKEN)")


def create_api(assistant, *, token: str = "", app: FastAPI | None = None) -> FastAPI:
    """Add the API routes to `app` (a new FastAPI app by default). `assistant` is loaded once by the caller."""
    app = app or FastAPI(title="湘财综〔2022〕28号 问答助手 API", version="1", docs_url="/docs")
    responses: dict[int | str, dict[str, Any]] = {
        401: {"model": ErrorModel}, 413: {"model": ErrorModel}, 422: {"model": ErrorModel}}

    async def check_token(request: Request) -> None:
        if not token:
            return
        got = request.headers.get("authorization", "").removeprefix("Bearer ").strip() \
            or request.headers.get("x-api-token", "")
        if not hmac.compare_digest(got.encode(), token.encode()):
            raise _Unauthorized()

    @app.middleware("http")
    async def limit_body(request: Request, call_next):
        length = request.headers.get("content-length")
        if length and (not length.isdigit() or int(length) > MAX_BODY):
            return _error(413, f"请求体过大（上限 {MAX_BODY // 1024} KB）", f"request body too large (max {MAX_BODY // 1024} KB)")
        return await call_next(request)

    @app.exception_handler(_Unauthorized)
    async def _unauth(request, exc):
        return _error(401, "缺少或错误的 API 令牌", "missing or wrong API token")

    @app.exception_handler(RequestValidationError)
    async def _invalid(request, exc: RequestValidationError):
        where = "; ".join(".".join(str(x) for x in e.get("loc", ())) + f": {e.get('msg', '')}" for e in exc.errors()[:3])
        return _error(422, "请求格式不正确，需要 JSON 对象，例如 {\"question\": \"…\"}", f"invalid request: {where}")

    @app.exception_handler(AssistantError)
    async def _assistant_error(request, exc: AssistantError):
        zh, en = _split_message(str(exc))
        return _error(exc.http_status, zh, en)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request, exc: StarletteHTTPException):
        if exc.status_code == 404:
            return _error(404, "没有这个地址", f"not found: {request.url.path}")
        if exc.status_code == 405:
            return _error(405, "不支持该请求方法", "method not allowed")
        return _error(exc.status_code, str(exc.detail), str(exc.detail))

    @app.exception_handler(Exception)
    async def _unexpected(request, exc: Exception):  # a bug, not bad input: log it, answer without a traceback
        log.exception("unexpected error on %s", request.url.path)
        return _error(500, "服务内部错误，请稍后重试或联系管理员", "internal error")

    auth = [Depends(check_token)]

    @app.get("/healthz", tags=["ops"])
    def healthz() -> dict:
        return {"status": "ok", "document": assistant.corpus.document.stamp(), "clauses": len(assistant.corpus.clauses)}

    @app.post("/api/ask", response_model=AnswerModel, dependencies=auth, responses=responses, tags=["ask"])
    def ask(body: AskRequest) -> dict:
        return assistant.ask(body.question).to_dict()

    @app.post("/api/batch", dependencies=auth, responses=responses, tags=["ask"])
    def batch(body: BatchRequest) -> dict:
        out = []
        for i, item in enumerate(body.questions):
            rid = item.id if item.id is not None else i + 1
            try:
                out.append({"id": rid, **assistant.ask(item.question).to_dict()})
            except InvalidInputError as e:
                out.append({"id": rid, "question": item.question, "error": str(e)})
        return {"answers": out}

    @app.post("/api/check", dependencies=auth, responses=responses, tags=["check"])
    async def check(request: Request) -> dict:
        from .checkcli import check_payload

        try:
            payload = await request.json()
        except Exception:
            raise InvalidInputError("请求体必须是 JSON 对象 / the body must be a JSON object") from None
        if not isinstance(payload, dict):
            raise InvalidInputError("请求体必须是 JSON 对象 / the body must be a JSON object")
        return check_payload(payload)

    @app.get("/api/clauses", response_model=list[ClauseModel], dependencies=auth, tags=["clauses"])
    def clauses() -> list[dict]:
        return [c.to_dict() for c in assistant.corpus.clauses]

    @app.get("/api/clauses/{clause_id:path}", response_model=ClauseModel, dependencies=auth,
             responses={404: {"model": ErrorModel}}, tags=["clauses"])
    def clause(clause_id: str) -> dict:
        return assistant.corpus.get(clause_id).to_dict()

    return app


class _Unauthorized(Exception):
    pass
