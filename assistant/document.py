"""The notice as loaded: its metadata (corpus/document.toml), its bytes' SHA-256 and its clauses."""

from __future__ import annotations

import difflib
import hashlib
import tomllib
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from .clauses import Clause, split
from .errors import CorpusFormatError, UnknownClauseError


@dataclass(frozen=True, slots=True)
class Document:
    doc_id: str
    title: str
    issuer: str
    effective: date
    expires: date
    sha256: str
    path: Path

    def stamp(self) -> dict:
        return {"doc_id": self.doc_id, "effective": self.effective.isoformat(),
                "expires": self.expires.isoformat(), "sha256": self.sha256}

    def expired(self, today: date | None = None) -> bool:
        return (today or date.today()) > self.expires


def _expiry(effective: date, years: int) -> date:
    end = effective.replace(year=effective.year + years)  # 2022-11-16 + 5y → 2027-11-16
    return date.fromordinal(end.toordinal() - 1)  # the last day in force


@dataclass(frozen=True, slots=True)
class Corpus:
    document: Document
    clauses: tuple[Clause, ...]

    def get(self, clause_id: str) -> Clause:
        for c in self.clauses:
            if c.clause_id == clause_id:
                return c
        ids = [c.clause_id for c in self.clauses]
        close = difflib.get_close_matches(clause_id, ids, n=5, cutoff=0.3) or ids[:5]
        raise UnknownClauseError(
            f"没有条款 {clause_id!r}。相近的有：{', '.join(close)} / no clause {clause_id!r}; close: {', '.join(close)}"
        )

    def __contains__(self, clause_id: str) -> bool:
        return any(c.clause_id == clause_id for c in self.clauses)


@lru_cache(maxsize=4)
def load_corpus(corpus_dir: Path) -> Corpus:
    meta_path = Path(corpus_dir) / "document.toml"
    try:
        meta = tomllib.loads(meta_path.read_text("utf-8"))
        path = Path(corpus_dir) / meta["file"]
        data = path.read_bytes()
    except FileNotFoundError as e:
        raise CorpusFormatError(f"找不到语料文件 {e.filename} / corpus file not found: {e.filename}") from None
    digest = hashlib.sha256(data).hexdigest()
    if meta.get("sha256") and meta["sha256"] != digest:
        raise CorpusFormatError(
            f"{path.name} 的 SHA-256 为 {digest}，与 document.toml 记录的 {meta['sha256']} 不符：文件被改动过 / "
            f"{path.name} does not match the SHA-256 recorded in document.toml"
        )
    doc = Document(meta["doc_id"], meta["title"], meta["issuer"], meta["effective"],
                   _expiry(meta["effective"], int(meta["valid_years"])), digest, path)
    return Corpus(doc, split(data))
