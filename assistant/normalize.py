"""Text normalisation and lexicon expansion, shared by retrieval and the checker.

normalize(): 繁→简 (OpenCC t2s), full-width ASCII → half-width, typo fixes from corpus/lexicon.toml, then
homophone typos (pinyin IMEs: 公益一累 → 公益一类) against the notice's own vocabulary (fix_homophones).
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


@dataclass(frozen=True, slots=True, eq=False)  # identity hash: a normalize() cache key costs nothing to hash
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
    return _normalized(text, lexicon or load_lexicon())


# A pure function of its arguments (the homophone vocabulary is loaded once per process), and one question's
# text is normalised several times: once when it is prepared, then each part by reference lookup (twice) and by
# retrieval, where the part is already normal text (normalize(p) == p, so the second call hits as well). About
# 0.3–0.5 ms a call, 4.2 calls a question on the gold set before; 2 after. Bounded: 1,024 texts.
@lru_cache(maxsize=1024)
def _normalized(text: str, lexicon: Lexicon) -> str:
    text = unicodedata.normalize("NFKC", text)  # also maps full-width Latin/digits to ASCII
    # NFKC turns the notice's full-width brackets into ASCII; keep the notice's own （）
    text = text.replace("(", "（").replace(")", "）")
    text = _WS.sub(" ", _t2s().convert(text)).strip()
    for wrong, right in lexicon.typos:
        text = text.replace(wrong, right)
    return fix_homophones(text)


def expand(text: str, lexicon: Lexicon | None = None) -> str:
    """`text` plus the notice's terms for the everyday words it uses."""
    extra = (lexicon or load_lexicon()).expansions(text)
    return f"{text} {' '.join(extra)}" if extra else text


# ---- homophone typos (pinyin IMEs) ------------------------------------------------------------------

_HAN = re.compile(r"[\u4e00-\u9fff]+")
_HAN_RUN = re.compile(r"[\u4e00-\u9fff]{3,6}")
_NUMERALS = frozenset("〇零一二三四五六七八九十百千万亿两壹贰叁肆伍陆柒捌玖拾廿")
_MIN_TERM, _MAX_TERM = 2, 6
# a two-character window is too short to overrule these: 融点资 is not 融垫资, 是行 not 施行
_FUNCTION_CHARS = frozenset("的了是在有和与为点个们这那就都也要会能可以不没很还再又把被给让向从对就吗呢吧啊")
# a two-character window right before one of these is a place name (修山镇 is no 修缮, 施兴村 no 实行)
_PLACE_SUFFIX = frozenset("镇乡村县市区街路巷湾垸冲坪洲")


@dataclass(frozen=True, slots=True)
class Homophones:
    """The notice's vocabulary, indexed for homophone correction. Built without pypinyin: pinyin is looked
    up only for a window that already shares at least half its characters with a term."""
    terms: tuple[str, ...]
    termset: frozenset[str]
    notice: str  # a window that is text of the notice is never a typo
    known: frozenset[str]  # real words (terms, lexicon words, `keep`) are never typos either
    words: frozenset[str]  # known words plus the words of facts.toml: a window may not cut one in two
    by_char: dict  # character → ((term length, position, term index), …)
    lengths: tuple[int, ...]


def _notice_text(corpus_dir: Path) -> str:
    try:
        meta = tomllib.loads((corpus_dir / "document.toml").read_text("utf-8"))
        return unicodedata.normalize("NFKC", (corpus_dir / meta["file"]).read_text("utf-8"))
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return ""


@lru_cache(maxsize=4)
def load_homophones(path: Path = ROOT / "corpus" / "lexicon.toml") -> Homophones:
    """Vocabulary = [homophone].terms and the [[synonym]]/[[typo]] terms of the lexicon, plus the 3–6 character
    words of corpus/facts.toml that occur in the notice — every term 2–6 Chinese characters long."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"同义词表无法读取：{path}（{e}）/ cannot read lexicon {path}") from None
    notice = _notice_text(path.parent)
    h = data.get("homophone", {})
    if not isinstance(h.get("terms", []), list) or not isinstance(h.get("keep", []), list):
        raise ConfigError(f"{path} [homophone] 的 terms 和 keep 应为列表 / [homophone] terms and keep must be lists")
    listed = [*h.get("terms", []), *(s["term"] for s in data.get("synonym", [])), *(t["right"] for t in data.get("typo", []))]
    words = [w for s in data.get("synonym", []) for w in s.get("words", [])]
    try:
        facts = (path.parent / "facts.toml").read_text("utf-8")
    except OSError:
        facts = ""
    # facts.toml lists misspellings too ([typos]): they are not vocabulary
    facts = re.sub(r"(?ms)^\[typos\].*?(?=^\[)", "", facts)
    runs = _HAN.findall(facts)
    found = [w for w in runs if 3 <= len(w) <= _MAX_TERM and w in notice]
    terms = dict.fromkeys(t for t in (*listed, *found) if _HAN.fullmatch(t) and _MIN_TERM <= len(t) <= _MAX_TERM)
    by_char: dict[str, list] = {}
    for k, t in enumerate(terms):
        for i, ch in enumerate(t):
            by_char.setdefault(ch, []).append((len(t), i, k))
    known = frozenset(terms) | frozenset(words) | frozenset(h.get("keep", []))
    return Homophones(tuple(terms), frozenset(terms), notice, known, known | frozenset(r for r in runs if len(r) >= 2),
                      {c: tuple(v) for c, v in by_char.items()}, tuple(sorted({len(t) for t in terms}, reverse=True)))


@lru_cache(maxsize=4096)
def _reading(ch: str) -> str:
    """A character's usual toneless reading — what an IME user typed to get it (有 → you, not its rare wei)."""
    from pypinyin import Style, lazy_pinyin  # lazy: ~0.3 s on first use, only when a candidate window exists

    return "".join(lazy_pinyin(ch, style=Style.NORMAL))


@lru_cache(maxsize=1024)
def _term_pinyin(term: str) -> tuple[str, ...]:
    """A term's toneless pinyin, read in context (行政 → xing zheng)."""
    from pypinyin import Style, lazy_pinyin

    return tuple(lazy_pinyin(term, style=Style.NORMAL))


def _fuzzy(py: str) -> str:
    """模糊音 most IMEs offer, and Hunan speakers rely on: n/l, zh/z ch/c sh/s, en/eng, in/ing (内 ≈ 类)."""
    py = re.sub(r"^([zcs])h", r"\1", py)
    py = re.sub(r"^n(?!g)", "l", py)
    return re.sub(r"([ei])ng$", r"\1n", py)


def _sounds_same(term_py: str, ch: str, length: int) -> bool:
    """Two-character terms need the very same toneless pinyin; longer ones also accept 模糊音."""
    got = _reading(ch)
    return got == term_py or length > 2 and _fuzzy(got) == _fuzzy(term_py)


def _candidates(text: str, hp: Homophones):
    """(start, term, changed positions) for each window sharing at least half its characters, in place, with
    a term — found without pinyin, in one pass over the text."""
    hits: dict[tuple[int, int], int] = {}
    for run in _HAN.finditer(text):
        s0, e0 = run.span()
        for p in range(s0, e0):
            for L, i, k in hp.by_char.get(text[p], ()):
                s = p - i
                if s >= s0 and s + L <= e0:
                    hits[s, k] = hits.get((s, k), 0) + 1
    for (s, k), n in hits.items():
        t = hp.terms[k]
        L = len(t)
        if L - L // 2 <= n < L:  # at most half the characters differ, at least one is the same
            yield s, t, tuple(i for i in range(L) if text[s + i] != t[i])


def _cuts_word(text: str, s: int, L: int, hp: Homophones) -> bool:
    """The window starts or ends inside a real word: "检测机构买" holds 构买 but 构 belongs to 机构;
    "用的是行政编制" holds 是行 but 行 belongs to 行政."""
    return s > 0 and text[s - 1:s + 1] in hp.words or s + L < len(text) and text[s + L - 1:s + L + 1] in hp.words


def fix_homophones(text: str, homophones: Homophones | None = None) -> str:
    """Replace windows that sound like a notice term but are written differently (公益一累 → 公益一类,
    购卖 → 购买, 尚未分内 → 尚未分类). A window is left alone when it is text of the notice or a known word,
    when a character to change is a numeral, or when the change would touch a term written correctly.
    pypinyin is imported only when some window shares at least half its characters with a term."""
    hp = homophones or load_homophones()
    cands = [(s, t, d) for s, t, d in _candidates(text, hp)
             if not any(text[s + i] in _NUMERALS or len(t) == 2 and text[s + i] in _FUNCTION_CHARS for i in d)
             and not (len(t) == 2 and text[s + 2:s + 3] in _PLACE_SUFFIX)
             and (w := text[s:s + len(t)]) not in hp.known and w not in hp.notice and not _cuts_word(text, s, len(t), hp)]
    if not cands:
        return text
    exact = [False] * len(text)  # characters inside a correctly written term stay as they are
    for L in hp.lengths:
        for s in range(len(text) - L + 1):
            if text[s:s + L] in hp.termset:
                exact[s:s + L] = [True] * L
    fixes: list[tuple[int, int, str]] = []
    taken = [False] * len(text)
    # longer windows first, then more characters in common, then leftmost
    for s, t, d in sorted(cands, key=lambda c: (-len(c[1]), len(c[2]), c[0])):
        L = len(t)
        if any(taken[s:s + L]) or any(exact[s + i] for i in d):
            continue
        py = _term_pinyin(t)
        if len(py) != L or not all(_sounds_same(py[i], text[s + i], L) for i in d):
            continue
        rivals = [u for s2, u, d2 in cands if s2 == s and len(u) == L and u != t and len(d2) == len(d)
                  and all(_sounds_same(_term_pinyin(u)[i], text[s + i], L) for i in d2)]
        if rivals:
            continue  # two terms sound the same here: ambiguous, leave it
        fixes.append((s, L, t))
        taken[s:s + L] = [True] * L
    for s, L, t in sorted(fixes, reverse=True):
        text = text[:s] + t + text[s + L:]
    return text
