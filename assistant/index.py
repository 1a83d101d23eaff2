"""The persistent index: a Chroma collection (a vector per clause, with its headings, plus one per sentence
of longer clauses; metadata clause_id) and a BM25 index, and the manifest that says what built them.

Layout under settings.index_dir:
    manifest.json          what the live build is and what made it (model, corpus, splitter, lexicon)
    build-<stamp>/chroma/  the embedded Chroma store (absent in server mode: the collection is on the server)
    build-<stamp>/lexical/ BM25 (bm25s) + each clause's tokens
    build-<stamp>/learned/ the learned second reader (assistant/learned.py), trained on the dev gold cases
A rebuild writes a new build-<stamp>/ (and, in server mode, a new collection) and commits by replacing
manifest.json atomically; only then are older builds removed. A crash midway leaves the old manifest
pointing at the old, complete build. (The folder itself is not renamed: POSIX cannot rename over a
non-empty folder, and index/README.md is tracked.)"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import sys
import time
import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime, timezone
from math import log as ln
from pathlib import Path
from typing import Callable, Sequence

from .clauses import SPLITTER_VERSION, Clause
from .document import Corpus, load_corpus
from .errors import IndexError_, IndexMismatchError
from .normalize import Lexicon, load_lexicon, normalize
from .settings import Settings

INDEX_VERSION = "4"  # bump when the stored layout or the tokenizer changes: old indexes then rebuild
MANIFEST = "manifest.json"
LEARNED = "learned"  # build subfolder of the learned reader
BATCH = 8  # clauses per embedding call: small enough for a smooth progress bar


@dataclass(frozen=True, slots=True)
class Manifest:
    count: int  # clauses
    documents: int  # vectors in the collection: one per clause + one per sentence of longer clauses
    model_id: str
    dimensions: int
    corpus_sha256: str
    splitter_version: str
    lexicon_sha256: str
    index_version: str
    store: str  # "embedded" | "http://host:port" | "client" (an injected chroma client)
    collection: str
    build: str  # folder under index_dir holding this build's files
    built_at: str
    learned: str = ""  # the learned reader's version and dev-gold hash (assistant/learn.py); "" = none trained

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2)


def read_manifest(index_dir: Path) -> Manifest | None:
    try:
        data = json.loads((Path(index_dir) / MANIFEST).read_text("utf-8"))
        return Manifest(**{f.name: data[f.name] for f in fields(Manifest) if f.name in data})
    except (OSError, ValueError, KeyError, TypeError):
        return None  # missing or from an older layout: treated as no index


# ---- lexical side -----------------------------------------------------------------------------

def lexicon_for(settings: Settings) -> Lexicon:
    path = Path(settings.corpus_dir) / "lexicon.toml"
    return load_lexicon(path) if path.exists() else load_lexicon()


# Question words and fillers: a bigram with one of these that the notice never uses is scaffolding
_SCAFFOLD = re.compile(r"[哪吗呢吧啥么嘛呀啊哦呗]|^(?:这个|那个|这些|那些|我们|你们|咱们|请问|是不|不是|可不|能不|会不|"
                       r"怎么|什么|为啥|一下|时候|多少|几个|是否|能否|可否|到底|究竟|还是|是个|个文|件是|的话|了吗)$")


def tokens(text: str) -> list[str]:
    """Character unigrams + bigrams of already-normalised text, within runs of letters/digits/CJK.

    NOTES.md: char n-grams beat jieba on this notice, and need no dictionary load."""
    out: list[str] = []
    run: list[str] = []
    for ch in text + " ":
        if unicodedata.category(ch)[0] in "LN":
            run.append(ch)
            continue
        out += run
        out += [run[i] + run[i + 1] for i in range(len(run) - 1)]
        run = []
    return out


class Lexical:
    """BM25 over each clause's context, plus how much of a question's wording a clause covers — as a
    whole and in its best sentence."""

    def __init__(self, clause_ids: Sequence[str], docs: Sequence[Sequence[str]], bm25=None,
                 sentences: Sequence[Sequence[Sequence[str]]] = ()) -> None:
        self.clause_ids = tuple(clause_ids)
        self.docs = tuple(frozenset(d) for d in docs)
        # per clause, the bigrams of each sentence of its text (none stored: the whole clause is one sentence)
        self.sentences = tuple(tuple(frozenset(s) for s in ss) for ss in sentences) or \
            tuple((frozenset(t for t in d if len(t) == 2),) for d in self.docs)
        self._bm25 = bm25 if bm25 is not None else self._index(docs)
        df = Counter(t for d in self.docs for t in d if len(t) == 2)
        n = len(self.docs)
        self._idf = {t: ln(1 + (n - c + 0.5) / (c + 0.5)) for t, c in df.items()}
        self._idf_unseen = ln(1 + (n + 0.5) / 0.5)  # a bigram the notice never uses weighs the most

    @staticmethod
    def _index(docs):
        import bm25s  # lazy: 0.5 s

        bm25 = bm25s.BM25()
        bm25.index([list(d) or [""] for d in docs], show_progress=False)
        return bm25

    @classmethod
    def build(cls, clauses: Sequence[Clause], lexicon: Lexicon) -> "Lexical":
        def bigrams(text: str) -> list[str]:
            return [t for t in tokens(normalize(text, lexicon)) if len(t) == 2]

        return cls([c.clause_id for c in clauses], [tokens(normalize(c.context, lexicon)) for c in clauses],
                   sentences=[[bigrams(s) for s in sentences(c.text)] or [bigrams(c.text)] for c in clauses])

    def save(self, path: Path) -> None:
        path.mkdir(parents=True)
        self._bm25.save(str(path / "bm25"), show_progress=False)
        data = {"clause_ids": self.clause_ids, "tokens": [sorted(d) for d in self.docs],
                "sentences": [[sorted(s) for s in ss] for ss in self.sentences]}
        (path / "docs.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")

    @classmethod
    def load(cls, path: Path) -> "Lexical":
        import bm25s

        data = json.loads((path / "docs.json").read_text("utf-8"))
        return cls(data["clause_ids"], data["tokens"], bm25s.BM25.load(str(path / "bm25"), show_progress=False),
                   data.get("sentences", ()))

    def scores(self, text: str):
        """BM25 score of every clause (index order) for normalised, expanded query text."""
        import numpy as np

        toks = [t for t in tokens(text) if t in self._bm25.vocab_dict]
        return self._bm25.get_scores(toks) if toks else np.zeros(len(self.clause_ids), dtype="float32")

    def coverage(self, text: str):
        """Per clause, the idf-weighted share of the query's distinct bigrams it contains (0..1).

        Comparable across questions, unlike raw BM25: words the notice never uses (税率, 天气) count
        against every clause, words in every clause (政府购买服务) count for almost nothing."""
        import numpy as np

        grams, total = self._content_grams(text)
        if not total:
            return np.zeros(len(self.docs))
        return np.array([sum(self._idf[t] for t in grams & d) / total for d in self.docs])

    def _content_grams(self, text: str) -> tuple[set[str], float]:
        """The question's bigrams and their idf total (the coverage denominator), without the scaffolding of
        a question that the notice never uses ("这个文件是哪天开始施行的" → 是哪, 哪天, 这个 …): they are not a
        topic the notice lacks, so they must not count against every clause the way 税率 or 天气 do."""
        grams = {t for t in tokens(text) if len(t) == 2 and (t in self._idf or not _SCAFFOLD.search(t))}
        return grams, sum(self._idf.get(t, self._idf_unseen) for t in grams)

    def sentence_coverage(self, text: str) -> list[float]:
        """Per clause, coverage (as above) by its best single sentence, 0..1. A long clause (正文二、（二）
        covers budgets, eligibility and exceptions) matches many questions a little as a whole; the
        sentence that answers matches the one question well. Dev: as a fusion bonus, r@1 .815 → .84."""
        grams, total = self._content_grams(text)
        if not total:
            return [0.0] * len(self.sentences)
        return [max((sum(self._idf[t] for t in grams & s) / total for s in ss), default=0.0)
                for ss in self.sentences]


# ---- dense side -------------------------------------------------------------------------------

_SENTENCE = re.compile(r"[^。；！？\n]+[。；！？]?")


def sentences(text: str) -> list[str]:
    """A clause's sentences of at least 4 characters (shorter pieces are list debris, not statements)."""
    return [s for m in _SENTENCE.finditer(text) if len(s := m.group(0).strip()) >= 4]


def passages(clauses: Sequence[Clause]) -> list[tuple[str, str, str]]:
    """(document id, clause_id, text to embed): each clause with its headings, plus each sentence of a
    multi-sentence clause with the same headings. A long clause's single vector blurs its topics
    (正文三、（三） covers needs review, eligibility and idle staff); on the dev split the best of
    clause-or-sentence lifted dense recall@3 from .70 to .80."""
    out = []
    for c in clauses:
        out.append((c.clause_id, c.clause_id, c.context))
        sents = sentences(c.text)
        if len(sents) > 1:
            out += [(f"{c.clause_id}#{i}", c.clause_id, " > ".join((*c.heading, s))) for i, s in enumerate(sents, 1)]
    return out


class ChromaStore:
    """The narrow store the retriever needs: cosine top-k over clause vectors, and what built them."""

    def __init__(self, collection) -> None:
        self.collection = collection
        meta = collection.metadata or {}
        self.model_id = meta.get("model_id", "")
        self.dimensions = int(meta.get("dimensions", 0))
        self._docs = 0

    def count(self) -> int:
        return self.collection.count()

    def query(self, vector: Sequence[float], k: int) -> list[tuple[str, float]]:
        """Top k clauses as (clause_id, best cosine over the clause's vectors), best first."""
        if self.dimensions and len(vector) != self.dimensions:
            raise IndexMismatchError(
                f"查询向量为 {len(vector)} 维，索引为 {self.dimensions} 维（{self.model_id}）：请重建索引 / "
                f"query vector has {len(vector)} dims, index has {self.dimensions} ({self.model_id}); rebuild it"
            )
        self._docs = self._docs or self.count()  # all vectors: the collection is small (~150)
        r = self.collection.query(query_embeddings=[list(vector)], n_results=self._docs, include=["distances"])
        best: dict[str, float] = {}
        for doc_id, dist in zip(r["ids"][0], r["distances"][0]):  # best first, so the first per clause wins
            best.setdefault(doc_id.split("#", 1)[0], 1.0 - dist)
        return list(best.items())[:k]


SNAPSHOT = "vectors.npz"


class SnapshotStore:
    """The vectors of an embedded Chroma collection, exported by the build that wrote them, searched with
    numpy. Same answers as ChromaStore (exact cosine over ~150 vectors), but a cold `ask` skips importing
    chromadb (~1–4 s here). ASSISTANT_DENSE_STORE=chroma queries the collection itself."""

    def __init__(self, path: Path, model_id: str) -> None:
        import numpy as np

        with np.load(path, allow_pickle=False) as z:
            self.ids = tuple(str(i) for i in z["ids"])
            m = z["vectors"].astype("float32")
        self.matrix = m / np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-12)
        self.model_id, self.dimensions = model_id, int(m.shape[1])

    def count(self) -> int:
        return len(self.ids)

    def query(self, vector: Sequence[float], k: int) -> list[tuple[str, float]]:
        import numpy as np

        if len(vector) != self.dimensions:
            raise IndexMismatchError(
                f"查询向量为 {len(vector)} 维，索引为 {self.dimensions} 维（{self.model_id}）：请重建索引 / "
                f"query vector has {len(vector)} dims, index has {self.dimensions} ({self.model_id}); rebuild it"
            )
        v = np.asarray(vector, dtype="float32")
        cos = self.matrix @ (v / max(float(np.linalg.norm(v)), 1e-12))
        best: dict[str, float] = {}
        for i in np.argsort(-cos):
            best.setdefault(self.ids[i].split("#", 1)[0], float(cos[i]))
        return list(best.items())[:k]


def export_snapshot(collection, path: Path) -> None:
    """Write what the collection holds (ids, vectors) — read back from Chroma, not from our own lists."""
    import numpy as np

    got = collection.get(include=["embeddings"])
    np.savez(path, ids=np.array(got["ids"]), vectors=np.asarray(got["embeddings"], dtype="float32"))


def open_dense(settings: Settings, manifest: Manifest):
    """The store queries use: the numpy snapshot of an embedded build (fast start), else Chroma itself."""
    snap = Path(settings.index_dir) / manifest.build / SNAPSHOT
    if manifest.store == "embedded" and settings.dense_store == "snapshot" and snap.exists():
        store = SnapshotStore(snap, manifest.model_id)
        if store.count() != manifest.documents:
            raise IndexError_("向量快照与索引清单不符：请运行 python -m assistant index --rebuild / "
                              "the vector snapshot does not match the manifest; rebuild the index")
        return store
    return open_store(settings, manifest)


def chroma_client(settings: Settings, path: Path | None = None):
    """HttpClient when settings.chroma_host is set, else an embedded store at `path`."""
    import chromadb  # lazy: 1-2 s
    from chromadb.config import Settings as ChromaSettings

    cs = ChromaSettings(anonymized_telemetry=False)  # no network calls from an offline tool
    if settings.chroma_host:
        return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=cs)
    if path is None:
        raise ValueError("an embedded Chroma store needs a path")
    return chromadb.PersistentClient(path=str(path), settings=cs)


def open_store(settings: Settings, manifest: Manifest, *, client=None) -> ChromaStore:
    client = client or chroma_client(settings, Path(settings.index_dir) / manifest.build / "chroma")
    try:
        # embedding_function=None: we always pass vectors; chroma's default embedder downloads a model
        return ChromaStore(client.get_collection(manifest.collection, embedding_function=None))
    except Exception as e:  # chromadb's NotFoundError; its class moved between releases
        raise IndexError_(
            f"Chroma 中没有索引集合 {manifest.collection}：请运行 python -m assistant index --rebuild / "
            f"collection {manifest.collection} not found in Chroma ({type(e).__name__}); rebuild the index"
        ) from None


# ---- building ---------------------------------------------------------------------------------

def _sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest() if Path(path).exists() else ""


def _store_name(settings: Settings, client) -> str:
    if client is not None:
        return "client"
    return f"http://{settings.chroma_host}:{settings.chroma_port}" if settings.chroma_host else "embedded"


def _wanted(settings: Settings, corpus: Corpus, model_id: str, store: str) -> dict:
    return {"model_id": model_id, "corpus_sha256": corpus.document.sha256, "splitter_version": SPLITTER_VERSION,
            "lexicon_sha256": _sha256(Path(settings.corpus_dir) / "lexicon.toml"),
            "index_version": INDEX_VERSION, "store": store}


_WHY = {
    "model_id": "嵌入模型已更换 / the embedding model changed",
    "corpus_sha256": "通知文本已改动 / the notice text changed",
    "splitter_version": "条款切分规则已更新 / the clause splitter changed",
    "lexicon_sha256": "同义词表已改动 / the lexicon changed",
    "index_version": "索引格式已更新 / the index format changed",
    "store": "向量库位置已改变 / the vector store changed",
}


def stale_reason(settings: Settings, current: Manifest | None, want: dict, client=None) -> str | None:
    """Why the index must be (re)built, or None when it is current."""
    if current is None:
        return "未找到索引，首次使用，正在构建… / no index yet: building it (first use)"
    for key, why in _WHY.items():
        if getattr(current, key) != want[key]:
            return f"{why}（{getattr(current, key)} → {want[key]}），正在重建索引… / rebuilding the index"
    build = Path(settings.index_dir) / current.build
    if not (build / "lexical" / "docs.json").exists() or current.store == "embedded" and not (build / "chroma").is_dir():
        return "索引文件缺失，正在重建… / index files are missing: rebuilding"
    if current.store != "embedded":  # a server or injected client may have lost the collection
        try:
            if open_store(settings, current, client=client).count() != current.documents:
                return "Chroma 集合条目数不符，正在重建… / the Chroma collection is incomplete: rebuilding"
        except IndexError_:
            return "Chroma 中没有索引集合，正在重建… / the Chroma collection is missing: rebuilding"
    return None


def ensure_index(settings: Settings, *, rebuild: bool = False, progress: bool = False,
                 log: Callable[[str], None] | None = None, embeddings=None, client=None) -> Manifest:
    """The current index's manifest, building it first when it is missing, stale or `rebuild` is asked.

    When current this reads two small files and hashes the corpus: no chromadb, no model."""
    log = log or (lambda _msg: None)
    corpus = load_corpus(Path(settings.corpus_dir))
    if embeddings is not None:
        from .embed import model_id_of

        model_id = model_id_of(embeddings, settings)
    else:
        model_id = settings.model_id
    want = _wanted(settings, corpus, model_id, _store_name(settings, client))
    current = read_manifest(settings.index_dir)
    reason = "按要求重建索引… / rebuilding the index as asked" if rebuild else \
        stale_reason(settings, current, want, client)
    if reason is None:
        return _ensure_learned(settings, current, progress=progress, log=log)
    log(reason)
    if embeddings is None:
        from .embed import make_embeddings

        embeddings = make_embeddings(settings)
    return build_index(settings, corpus, embeddings, want, client=client, progress=progress, previous=current)


def build_index(settings: Settings, corpus: Corpus, embeddings, want: dict, *, client=None, progress=False,
                previous: Manifest | None = None) -> Manifest:
    index_dir = Path(settings.index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(3)
    build = index_dir / f"build-{stamp}"
    collection_name = f"clauses-{hashlib.sha1(want['model_id'].encode()).hexdigest()[:10]}-{stamp}"
    db = None
    try:
        build.mkdir()
        clauses = corpus.clauses
        docs = passages(clauses)
        vectors = _embed(embeddings, [text for _, _, text in docs], progress)
        dims = len(vectors[0])
        Lexical.build(clauses, lexicon_for(settings)).save(build / "lexical")
        learned = _train_learned(build / LEARNED, progress)
        db = client or chroma_client(settings, build / "chroma")
        col = db.create_collection(collection_name, embedding_function=None,
                                   configuration={"hnsw": {"space": "cosine"}},
                                   metadata={"model_id": want["model_id"], "dimensions": dims})
        col.add(ids=[d for d, _, _ in docs], embeddings=vectors, documents=[t for _, _, t in docs],
                metadatas=[{"clause_id": cid, "kind": "sentence" if "#" in d else "clause"} for d, cid, _ in docs])
        if want["store"] == "embedded":
            export_snapshot(col, build / SNAPSHOT)
        manifest = Manifest(count=len(clauses), documents=len(docs), dimensions=dims, collection=collection_name, build=build.name,
                            built_at=datetime.now(timezone.utc).isoformat(timespec="seconds"), learned=learned,
                            **want)
        _commit(index_dir, manifest)
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        if db is not None and want["store"] != "embedded":
            _drop(db, collection_name)
        raise
    _cleanup(index_dir, keep=build.name)
    if previous and previous.store == want["store"] != "embedded" and previous.collection != collection_name:
        _drop(db, previous.collection)
    return manifest


def _commit(index_dir: Path, manifest: Manifest) -> None:
    tmp = index_dir / f".{MANIFEST}.{secrets.token_hex(4)}"
    tmp.write_text(manifest.to_json(), "utf-8")
    os.replace(tmp, index_dir / MANIFEST)  # the commit point


# ---- the learned reader's stage --------------------------------------------------------------

def _train_learned(folder: Path, progress: bool) -> str:
    """Train the learned reader into `folder`; its key for the manifest ("" when there are no gold cases,
    e.g. a copy of the package without evals/gold.jsonl: the assistant then runs with the regex reader only)."""
    from .learn import GOLD, gold_key, train_cached

    if not GOLD.exists():
        return ""
    train_cached(folder, GOLD, progress=progress)
    return gold_key(GOLD)


def _ensure_learned(settings: Settings, current: Manifest, *, progress: bool, log) -> Manifest:
    """An otherwise current index whose learned reader is missing or stale gets only that stage (re)trained
    into its build, and a new manifest; no re-embedding. A no-op (two stat calls and a hash) when current."""
    from .learn import GOLD, gold_key

    want = gold_key(GOLD) if GOLD.exists() else ""
    folder = Path(settings.index_dir) / current.build / LEARNED
    if current.learned == want and (not want or (folder / "meta.json").exists()):
        return current
    log("第二读者（学习模型）需要训练… / training the learned reader")
    tmp = folder.with_name(f".{LEARNED}-{secrets.token_hex(3)}")
    try:
        key = _train_learned(tmp, progress)
        shutil.rmtree(folder, ignore_errors=True)
        if tmp.exists():
            os.replace(tmp, folder)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    manifest = replace(current, learned=key)
    _commit(Path(settings.index_dir), manifest)
    return manifest


def _embed(embeddings, texts: list[str], progress: bool) -> list[list[float]]:
    from tqdm import tqdm

    out: list[list[float]] = []
    with tqdm(total=len(texts), desc="嵌入条款 / embedding clauses", unit="条", file=sys.stderr,
              disable=not progress) as bar:
        for i in range(0, len(texts), BATCH):
            out += [list(map(float, v)) for v in embeddings.embed_documents(texts[i:i + BATCH])]
            bar.update(min(BATCH, len(texts) - i))
    if not out or len({len(v) for v in out}) != 1:
        raise IndexError_("嵌入模型返回的向量维度不一致或为空 / the embedding model returned empty or ragged vectors")
    return out


def _cleanup(index_dir: Path, keep: str) -> None:
    """Remove builds the manifest no longer names (older ones, or leftovers of a crashed build)."""
    for p in index_dir.glob("build-*"):
        if p.name != keep:
            shutil.rmtree(p, ignore_errors=True)
    for p in index_dir.glob(f".{MANIFEST}.*"):
        p.unlink(missing_ok=True)


def _drop(client, name: str) -> None:
    try:
        client.delete_collection(name)
    except Exception:  # best effort: a leftover collection is harmless, the manifest names the live one
        pass
