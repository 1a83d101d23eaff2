"""Optional LLM fact reader behind an OpenAI-compatible /v1/chat/completions endpoint (ASSISTANT_LLM_URL).

The model only fills the typed Facts (a JSON schema constrains its output to their fields and values); the
rules in corpus/rules.toml decide on them, exactly as on the regex reader's facts. Any failure — endpoint
down, slower than the timeout (5 s), not JSON, a value outside the schema — gives None, and the deterministic
answer stands. Standard library only (urllib), so the default install gains nothing.

Measured with Qwen2.5-Coder-1.5B-Instruct Q4_K_M under `python -m llama_cpp.server`: ~2.5 s a question once
the prompt prefix is cached."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Sequence

from .facts import ENUMS, FLAGS, Content, Facts

_SYSTEM = (
    "你是湖南省政府购买服务负面清单（湘财综〔2022〕28号附件2）的信息抽取器。只从问题中抽取事实，不作结论。"
    "购买主体=出钱购买服务的一方；承接主体=提供服务的一方；参与方=角色未说明的单位。问题没有说明的字段填"
    "“未说明”或 null，不要猜测。content 列出购买内容的类别。只输出符合 JSON schema 的对象。"
)


def facts_schema() -> dict:
    """JSON schema of the fields an LLM may fill: every enum and yes/no fact of assistant.facts.Facts."""
    props: dict = {name: {"type": "string", "enum": [m.value for m in enum]} for name, enum in ENUMS.items()}
    props["content"] = {"type": "array", "items": {"type": "string", "enum": [c.value for c in Content]}}
    props |= {name: {"type": ["boolean", "null"], "description": zh} for name, zh in FLAGS.items()}
    return {"type": "object", "properties": props, "required": sorted(props), "additionalProperties": False}


def parse_facts(data: object) -> Facts | None:
    """Facts from the model's JSON object, or None when anything is outside the schema."""
    if not isinstance(data, dict):
        return None
    try:
        values: dict = {}
        for name, enum in ENUMS.items():
            if name in data:
                values[name] = enum(data[name])
        if "content" in data:
            values["content"] = frozenset(Content(c) for c in data["content"])
        for name in FLAGS:
            v = data.get(name)
            if v is not None and not isinstance(v, bool):
                return None
            values[name] = v
        return Facts(**values)
    except (ValueError, TypeError):
        return None


class LLMReader:
    """Reads a question into Facts with an OpenAI-compatible chat endpoint; None on any failure.

    The schema goes in OpenAI's form (response_format type json_schema: OpenAI, vLLM, llama.cpp's own
    llama-server). llama-cpp-python's server (`python -m llama_cpp.server`, 0.3.x) knows only text/json_object
    and answers that form with an error naming response_format (HTTP 500 from its validation); the reader
    then asks again, within the same time budget, in that server's form ({"type": "json_object", "schema": …})
    and keeps using whichever form the server took."""

    STYLES = ("json_schema", "json_object")

    def __init__(self, url: str, *, model: str = "", timeout: float = 5.0) -> None:
        base = url.rstrip("/")
        self.endpoint = base if base.endswith("/chat/completions") else base + "/chat/completions"
        self.model, self.timeout = model or "local", timeout
        self.style = self.STYLES[0]

    def request_body(self, text: str, style: str | None = None) -> dict:
        schema = facts_schema()
        fmt = ({"type": "json_object", "schema": schema} if (style or self.style) == "json_object" else
               {"type": "json_schema", "json_schema": {"name": "facts", "strict": True, "schema": schema}})
        return {"model": self.model, "temperature": 0, "max_tokens": 400,
                "messages": [{"role": "system", "content": _SYSTEM}, {"role": "user", "content": text}],
                "response_format": fmt}

    def _post(self, text: str, style: str, timeout: float) -> dict:
        req = urllib.request.Request(self.endpoint, data=json.dumps(self.request_body(text, style)).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - a configured URL
            return json.loads(resp.read())

    def read(self, text: str) -> Facts | None:
        deadline = time.monotonic() + self.timeout
        try:
            try:
                body = self._post(text, self.style, self.timeout)
            except urllib.error.HTTPError as e:
                other = next(s for s in self.STYLES if s != self.style)
                if not _rejects_format(e) or (left := deadline - time.monotonic()) <= 0:
                    return None
                body = self._post(text, other, left)
                self.style = other  # this server takes the other form: ask in it from now on
            if time.monotonic() > deadline:
                return None  # a server that trickles its reply past the budget counts as down
            return parse_facts(json.loads(body["choices"][0]["message"]["content"]))
        except (OSError, urllib.error.URLError, ValueError, KeyError, IndexError, TypeError):
            return None  # down, slow, refused, not JSON, not the OpenAI shape: the deterministic answer stands


def _rejects_format(e: urllib.error.HTTPError) -> bool:
    """The server refused the request because of its response_format (not a crash, not overload)."""
    if e.code not in (400, 422, 500):
        return False
    try:
        detail = e.read(4096).decode("utf-8", "replace")
    except OSError:
        return False
    return "response_format" in detail


class LLMOpinion:
    """The LLM reader as a second reader: its facts through the same rules; objects only to a prohibition."""

    def __init__(self, reader: LLMReader, rules: Sequence) -> None:
        self.reader, self.rules = reader, rules

    def objection(self, text: str):
        from .rules import check
        from .second import Objection
        from .verdict import Decision

        facts = self.reader.read(text)
        if facts is None:
            return None
        verdict = check(facts, self.rules)
        if verdict.decision is not Decision.PROHIBITED or not verdict.fired:
            return None
        return Objection("语言模型", verdict.fired[0].clause_id)
