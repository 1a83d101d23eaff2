"""`ask`, `batch` and `check` as a user runs them: a real subprocess, the default model, a fresh index."""

import json
import os
import subprocess
import sys

import pytest

from assistant.cli import main
from assistant.schema import AnswerModel


def run(*args, index_dir):
    env = {**os.environ, "ASSISTANT_INDEX_DIR": str(index_dir)}
    return subprocess.run([sys.executable, "-m", "assistant", *args], capture_output=True, text=True, env=env,
                          timeout=600)


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("cli") / "idx"  # built by the first test, reused by the second


@pytest.mark.slow
def test_ask_json_builds_the_index_on_first_use_then_answers(index_dir):
    r = run("ask", "能不能把新建教学楼和物业打包成购买服务？", "--json", index_dir=index_dir)
    assert r.returncode == 0, r.stderr
    assert "首次" in r.stderr  # the user is told the index is being built
    answer = AnswerModel.model_validate(json.loads(r.stdout))
    assert answer.verdict == "prohibited" and answer.citations[0].clause_id == "附件2/二/（三）"
    text = run("ask", "融资行为可以作为政府购买服务吗", index_dir=index_dir)
    assert text.returncode == 0 and text.stdout.startswith("【禁止】") and "首次" not in text.stderr


@pytest.mark.slow
def test_batch_and_bad_input_exit_codes(tmp_path, index_dir):
    src = tmp_path / "q.jsonl"
    src.write_text(json.dumps({"id": "a", "question": "通知有效期几年？"}, ensure_ascii=False) + "\n"
                   + json.dumps({"id": "b", "question": ""}) + "\n", "utf-8")
    out = tmp_path / "a.jsonl"
    r = run("batch", str(src), "-o", str(out), index_dir=index_dir)
    assert r.returncode == 4, r.stderr  # finished, one line carries an error
    rows = [json.loads(x) for x in out.read_text("utf-8").splitlines()]
    assert rows[0]["id"] == "a" and rows[0]["citations"][0]["clause_id"] == "正文/施行"
    assert rows[1]["id"] == "b" and "error" in rows[1]
    bad = run("ask", "   ", index_dir=index_dir)
    assert bad.returncode == 2 and "问题为空" in bad.stderr and "Traceback" not in bad.stderr


def test_check_invalid_value_lists_valid_ones(capsys):
    assert main(["check", "--purchaser", "火星人", "--service", "保洁"]) == 2
    err = capsys.readouterr().err
    assert "行政机关" in err and "Traceback" not in err


def test_check_json(capsys):
    assert main(["check", "--purchaser", "公益二类事业单位", "--service", "物业服务", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["decision"] == "prohibited" and out["fired"][0]["clause_id"] == "附件2/一/（二）"
