"""The outermost ASGI layer of the server: body size, API token and a failed-login limit, enforced before any
route parses a byte of the body.

Order per request: declared Content-Length over the limit → 413; a client locked out after too many failed
logins → 429; a missing or wrong token on /api → 401 (the body is never read); then the body is streamed to
the route and cut at the limit (a chunked upload has no Content-Length to check up front)."""

from __future__ import annotations

import hmac
import json
import time
from collections import defaultdict, deque
from dataclasses import dataclass

from starlette.exceptions import HTTPException

MAX_BODY = 256 * 1024  # bytes; a 100-question batch of 2,000-character questions fits


@dataclass(frozen=True, slots=True)
class LoginLimit:
    failures: int = 10  # failed logins (wrong token, wrong UI password) per client …
    window: float = 60.0  # … within this many seconds, then 429 until the window has passed


class FailureLog:
    """Failed logins per client address, in a sliding window. Memory is bounded by the addresses seen recently."""

    def __init__(self, limit: LoginLimit, clock=time.monotonic):
        self.limit, self.clock = limit, clock
        self._seen: dict[str, deque[float]] = defaultdict(deque)

    def _recent(self, client: str) -> deque[float]:
        q, cutoff = self._seen[client], self.clock() - self.limit.window
        while q and q[0] < cutoff:
            q.popleft()
        if not q:
            del self._seen[client]
            return deque()
        return q

    def blocked(self, client: str) -> float:
        """Seconds until `client` may try again (0: not blocked)."""
        q = self._recent(client)
        if len(q) < self.limit.failures:
            return 0.0
        return max(1.0, q[0] + self.limit.window - self.clock())

    def fail(self, client: str) -> None:
        if len(self._seen) > 10_000:  # a flood of addresses: forget the quiet ones
            for c in list(self._seen)[:5_000]:
                self._recent(c)
        self._seen[client].append(self.clock())


def error_body(zh: str, en: str) -> bytes:
    return json.dumps({"error": {"zh": zh, "en": en}}, ensure_ascii=False).encode("utf-8", "replace")


async def send_error(send, status: int, zh: str, en: str, headers: tuple[tuple[bytes, bytes], ...] = ()) -> None:
    body = error_body(zh, en)
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()), *headers]})
    await send({"type": "http.response.body", "body": body})


def too_large(max_body: int) -> tuple[str, str]:
    return f"请求体过大（上限 {max_body // 1024} KB）", f"request body too large (max {max_body // 1024} KB)"


def bearer(headers: dict[bytes, bytes]) -> str:
    """The token from `Authorization: Bearer …` (scheme case-insensitive, RFC 7235) or `X-API-Token`."""
    auth = headers.get(b"authorization", b"").decode("latin-1").strip()
    scheme, _, value = auth.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return headers.get(b"x-api-token", b"").decode("latin-1").strip()


class Guard:
    """ASGI middleware. `token`: required on /api routes when set. `login_path`: the UI's password form,
    whose failures count towards the same per-client limit."""

    def __init__(self, app, *, token: str = "", max_body: int = MAX_BODY, limit: LoginLimit = LoginLimit(),
                 login_path: str = "/login"):
        self.app, self.token, self.max_body, self.login_path = app, token, max_body, login_path
        self.failures = FailureLog(limit)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope["headers"])
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            return await send_error(send, 413, *too_large(self.max_body))
        path, client = scope.get("path", ""), (scope.get("client") or ("?", 0))[0]
        guarded = self.token and (path.startswith("/api/") or path == self.login_path)
        if guarded and (wait := self.failures.blocked(client)):
            return await send_error(send, 429, f"登录失败次数过多，请 {wait:.0f} 秒后再试",
                                    f"too many failed logins; retry in {wait:.0f} s",
                                    ((b"retry-after", str(int(wait + 0.999)).encode()),))
        if self.token and path.startswith("/api/"):
            if not hmac.compare_digest(bearer(headers).encode(), self.token.encode()):
                self.failures.fail(client)
                return await send_error(send, 401, "缺少或错误的 API 令牌（请求头 Authorization: Bearer <令牌>）",
                                        "missing or wrong API token (Authorization: Bearer <token>)",
                                        ((b"www-authenticate", b"Bearer"),))
        return await self.app(scope, self._limited(receive),
                              self._watch_login(send, client) if guarded and path == self.login_path else send)

    def _limited(self, receive):
        seen = 0

        async def receive_limited():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:  # routes re-raise HTTPException; the API's handler words it
                    raise HTTPException(413, "request body too large")
            return message

        return receive_limited

    def _watch_login(self, send, client: str):
        async def send_watched(message):
            if message["type"] == "http.response.start" and message["status"] in (400, 401, 403):
                self.failures.fail(client)
            await send(message)

        return send_watched
