"""Optional LLM fact reader behind an OpenAI-compatible /v1/chat/completions endpoint (ASSISTANT_LLM_URL).

The model only fills the typed Facts (a JSON schema constrains its output to their fields and values); the
rules in corpus/rules.toml decide on them, exactly as on the regex reader's facts. Any failure — endpoint
down, slower than the timeout (5 s), not JSON, a value outside the schema — gives None, and the deterministic
answer stands. Standard library only (urllib), so the default install gains nothing.

Measured 2026-12-04 on this 2-core machine shared with other jobs (load 2–9), Qwen2.5-Coder-1.5B-Instruct
Q4_K_M under `python -m llama_cpp.server --n_threads 1 --n_threads_batch 1 --logits_all false` (llama-cpp-python
0.3.36): the first question after the server starts evaluates the system prompt (20–40 s, so it falls back);
later ones reuse that prefix (the server does this by itself; `--cache true` is not needed and its RAM cache
grew past 22 GB here until the kernel killed it). Then a read takes p50 2.6–3.4 s, p95 4.2–5.9 s depending on
load; at load 3–9 42 % of the reads in a held-out run hit the 5 s timeout. Its facts make answers worse on
the held-out split (README, "LLM reader")."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Sequence

from .facts import ENUMS, FLAGS, Content, Facts

_CONTENT_CUES = {  # what each 购买内容 class covers, in the notice's sense (附件2), for the model
    "服务": "一般公共服务，如保洁、物业、养老、培训、评估、咨询",
    "货物": "购买设备、物资、车辆、电脑等实物",
    "工程": "新建、改建、扩建、修缮、装修楼房、道路、水利等建设工程",
    "工程和服务打包": "把建设工程和服务捆在一起作为一个项目购买",
    "融资": "让承接方垫资、借款、融资，或以购买服务名义举债",
    "人员招聘·劳务派遣·公益性岗位": "招聘人员、劳务派遣、临时工、编外用工、公益性岗位",
    "行政决策·执法·监督": "行政审批、许可、处罚、执法、监督检查、作出决策",
    "履职辅助性服务": "协助机关履职的辅助工作（如文稿起草、数据整理、调研）",
    "不属于政府职责的事项": "单位内部福利、职工活动等不是政府职责的事",
}
_ENTITY_CUES = "行政机关（某局、委、办、厅、乡镇政府、街道办）"

_INSTRUCTIONS = (  # after the opening line, which names the notice (system_prompt)
    "只从问题中抽取明确写出的事实，"
    "不判断能不能买，不要猜测。输出一个 JSON 对象，只写问题明确说到的字段，没说到的字段一律不写；"
    "问题不是在问一项具体购买时输出 {}。\n"
    "字段：\n"
    f"- purchaser 购买主体（出钱购买服务的一方）；provider 承接主体（提供服务的一方）；participant 角色未说明的单位。"
    f"取值如{_ENTITY_CUES}、企业、社会组织、行业协会商会等；事业单位的类别（公益一类、公益二类等）只在问题"
    "写明时才填，只说“单位”“我们单位”时不填。\n"
    "- content 购买内容的类别，可多选，通常只是“服务”；只有问题明确说到下列内容时才选对应类别：\n"
    + "".join(f"  {k}：{v}\n" for k, v in _CONTENT_CUES.items())
    + "示例：\n"
    "问：县民政局想买社区居家养老服务，预算已经安排了，可以吗？\n"
    '答：{"purchaser": "行政机关", "content": ["服务"]}\n'
    "问：县交通局想把修乡村公路当成购买服务来买，可以吗？\n"
    '答：{"purchaser": "行政机关", "content": ["工程"]}\n'
    "问：街道办想请物业公司做办公楼保洁，人手不够。\n"
    '答：{"purchaser": "行政机关", "provider": "企业", "content": ["服务"]}\n'
    "问：政府购买服务的合同一般签几年？\n"
    "答：{}"
)


def system_prompt(doc_id: str) -> str:
    """The system prompt, naming the notice by its number from corpus/document.toml (Document.doc_id)."""
    return f"你是湖南省政府购买服务负面清单（{doc_id}附件2）的信息抽取器。" + _INSTRUCTIONS


# The facts offered to the model. Chosen on split=dev (a 40-case sample, Qwen2.5-Coder-1.5B Q4_K_M): offered
# the yes/no facts too, it set budget/in_catalog false and disguised true where the question said nothing of
# them (7 of its 8 false objections there), so it reads only the parties and the class of what is bought and
# the regex reader keeps the rest. Even so it objects wrongly more often than rightly: see LLM_REPORT / README.
FIELDS = ("purchaser", "provider", "participant", "content")


def facts_schema() -> dict:
    """JSON schema of the fields an LLM may fill (FIELDS of assistant.facts.Facts).

    Every field is optional and "未说明" is not offered: a field the question does not state is left out
    (parse_facts reads it as unknown). Requiring every field made Qwen2.5-1.5B write ~335 tokens of
    "未说明"/null per question, 40–70 s on 2 CPU cores; leaving them out, 5–40 tokens."""
    props: dict = {}
    for name in FIELDS:
        if name == "content":
            props[name] = {"type": "array", "items": {"type": "string", "enum": [c.value for c in Content]}}
        elif name in ENUMS:
            props[name] = {"type": "string", "enum": [m.value for m in ENUMS[name] if m.value != "未说明"]}
        else:
            props[name] = {"type": "boolean", "description": FLAGS[name]}
    return {"type": "object", "properties": props, "additionalProperties": False}


def parse_facts(data: object) -> Facts | None:
    """Facts from the model's JSON object, or None when anything is outside the schema (a field not offered,
    a value not in its enum, a yes/no fact that is not a boolean): a server may not enforce the schema."""
    if not isinstance(data, dict) or not set(data) <= set(FIELDS):
        return None
    try:
        values: dict = {}
        for name, v in data.items():
            if name == "content":
                if not isinstance(v, list):
                    return None
                values[name] = frozenset(Content(c) for c in v)
            elif name in ENUMS:
                values[name] = ENUMS[name](v)
            elif v is None or isinstance(v, bool):
                values[name] = v
            else:
                return None
        return Facts(**values)
    except (ValueError, TypeError):
        return None


# Bounds the server's work on one question: a 1.5B model on 2 CPU cores writes ~10 tokens/s, and a server
# keeps generating after the reader has given up, making the next questions wait behind it.
MAX_TOKENS = 96


class LLMReader:
    """Reads a question into Facts with an OpenAI-compatible chat endpoint; None on any failure.

    The schema goes in OpenAI's form (response_format type json_schema: OpenAI, vLLM, llama.cpp's own
    llama-server). llama-cpp-python's server (`python -m llama_cpp.server`, 0.3.x) knows only text/json_object
    and answers that form with an error naming response_format (HTTP 500 from its validation); the reader
    then asks again, within the same time budget, in that server's form ({"type": "json_object", "schema": …})
    and keeps using whichever form the server took."""

    STYLES = ("json_schema", "json_object")

    def __init__(self, url: str, *, model: str = "", timeout: float = 5.0, doc_id: str | None = None) -> None:
        base = url.rstrip("/")
        self.endpoint = base if base.endswith("/chat/completions") else base + "/chat/completions"
        self.model, self.timeout = model or "local", timeout
        if doc_id is None:  # the shipped notice's number
            from .document import load_corpus
            from .settings import Settings

            doc_id = load_corpus(Settings().corpus_dir).document.doc_id
        self.system = system_prompt(doc_id)
        self.style = self.STYLES[0]

    def request_body(self, text: str, style: str | None = None) -> dict:
        schema = facts_schema()
        fmt = ({"type": "json_object", "schema": schema} if (style or self.style) == "json_object" else
               # not "strict": OpenAI's strict mode requires every field, which is what made the output long
               {"type": "json_schema", "json_schema": {"name": "facts", "schema": schema}})
        return {"model": self.model, "temperature": 0, "max_tokens": MAX_TOKENS,
                "messages": [{"role": "system", "content": self.system}, {"role": "user", "content": text}],
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
