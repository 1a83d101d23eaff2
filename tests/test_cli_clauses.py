"""`python -m assistant clauses / clause`, in process and as a real subprocess."""

import json
import subprocess
import sys

from assistant.cli import main
from assistant.document import load_corpus
from assistant.settings import Settings


def test_clauses_json_matches_corpus(capsys):
    assert main(["clauses", "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    corpus = load_corpus(Settings().corpus_dir)
    assert [(d["clause_id"], d["text"]) for d in got] == [(c.clause_id, c.text) for c in corpus.clauses]
    assert set(got[0]) == {"clause_id", "label", "parent", "text"}


def test_clause_prints_label_and_text(capsys):
    assert main(["clause", "附件2/二/（四）"]) == 0
    out = capsys.readouterr().out
    assert "附件2《政府购买服务负面清单》二、（四）" in out and "（四）融资行为；" in out


def test_unknown_clause_exit_2_with_closest_ids(capsys):
    assert main(["clause", "附件2/二/（4）"]) == 2
    err = capsys.readouterr().err
    assert "附件2/二/（四）" in err and "Traceback" not in err


def test_module_entry_point_no_traceback():
    r = subprocess.run([sys.executable, "-m", "assistant", "clause", "不存在"], capture_output=True, text=True)
    assert r.returncode == 2
    assert "没有条款" in r.stderr and "Traceback" not in r.stderr
