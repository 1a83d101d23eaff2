"""Text normalisation and lexicon expansion, shared by retrieval and the checker.

normalize(): 繁→简 (OpenCC t2s), full-width ASCII → half-width, typo fixes from corpus/lexicon.toml.
expand(): append the notice's term for every everyday word found, so BM25 and the rules see it."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .errors import ConfigError
from .settings import ROOT

_WS = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Lexicon:
    typos: tuple[tuple[str, str], ...]  # (wrong, right), longest first
    synonyms: tuple[tuple[str, str], ...]  # (word, term), longest word first

    def expansions(self, text: str) -> tuple[str, ...]:
        """Notice terms implied by everyday words in `text`, in lexicon order, without repeats."""
        seen: dict[str, None] = {}
        for word, term in self.synonyms:
            if word in text and term not in text:
                seen.setdefault(term)
        return tuple(seen)


@lru_cache(maxsize=4)
def load_lexicon(path: Path = ROOT / "corpus" / "lexicon.toml") -> Lexicon:
    try:
        data = tomllib.loads(Path(path).read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"同义词表无法读取：{path}（{e}）/ cannot read lexicon {path}") from None
    typos, syns = [], []
    for i, t in enumerate(data.get("typo", [])):
        if not isinstance(t.get("right"), str) or not isinstance(t.get("wrong"), list):
            raise ConfigError(f"{path} 第 {i + 1} 个 [[typo]] 需要 wrong（列表）和 right（字符串）")
        typos += [(w, t["right"]) for w in t["wrong"]]
    for i, s in enumerate(data.get("synonym", [])):
        if not isinstance(s.get("term"), str) or not isinstance(s.get("words"), list):
            raise ConfigError(f"{path} 第 {i + 1} 个 [[synonym]] 需要 term（字符串）和 words（列表）")
        syns += [(w, s["term"]) for w in s["words"]]
    return Lexicon(tuple(sorted(typos, key=lambda p: -len(p[0]))), tuple(sorted(syns, key=lambda p: -len(p[0]))))


@lru_cache(maxsize=1)
def _t2s():
    import opencc  # opencc-python-reimplemented: pure Python, ~6 ms to load

    return opencc.OpenCC("t2s")


def normalize(text: str, lexicon: Lexicon | None = None) -> str:
    """Canonical form for matching: simplified, half-width ASCII, single spaces, typos fixed."""
    text = unicodedata.normalize("NFKC", text)  # also maps full-width Latin/digits to ASCII
    # NFKC turns the notice's full-width brackets into ASCII; keep the notice's own （）
    text = text.replace("(", "（").replace(")", "）")
    text = _WS.sub(" ", _t2s().convert(text)).strip()
    for wrong, right in (lexicon or load_lexicon()).typos:
        text = text.replace(wrong, right)
    return text


def expand(text: str, lexicon: Lexicon | None = None) -> str:
    """`text` plus the notice's terms for the everyday words it uses."""
    extra = (lexicon or load_lexicon()).expansions(text)
    return f"{text} {' '.join(extra)}" if extra else text
