"""`python -m evals` prints each reader alone and combined (evals/readers.py), with fakes: no model, no index."""

from __future__ import annotations

import json

from assistant.learned import LearnedReader
from evals.__main__ import main
from tests.test_evals import CORPUS, FakeAnswer, _write, answer

LINES = [
    {"id": "p1", "question": "能不能招临时工", "expected_verdict": "prohibited", "expected_clauses": ["附件2/二/（五）"],
     "split": "heldout"},
    {"id": "a1", "question": "买保洁服务可以吗", "expected_verdict": "allowed", "expected_clauses": ["正文/三/（三）"],
     "split": "heldout"},
]


class Toy(LearnedReader):
    """A reader whose proposal is fixed by hand: 临时工 → prohibited under 附件2/二/（五）."""

    def __init__(self):
        super().__init__({"临": 0}, [1.0], [[0.0], [5.0]], [0.0, 0.0],
                         ["allowed", "prohibited:附件2/二/（五）"], 1.0, 0.8)


class Opinion:
    def __init__(self):
        self.reader = Toy()

    def objection(self, text):
        return None


class TwoReaders:
    """Shipped: says conditional for 临时工; the regex reader alone says allowed for everything."""

    def __init__(self, second=(Opinion(),)):
        self.corpus, self.second = CORPUS, tuple(second)

    def with_second(self, second):
        return TwoReaders(second)

    def ask(self, question):
        v = "conditional" if self.second and "临时工" in question else "allowed"
        return FakeAnswer(answer(v))


def test_rows_for_each_reader(tmp_path, capsys):
    gold = _write(tmp_path, [json.dumps(x, ensure_ascii=False) for x in LINES])
    assert main(["--gold", str(gold), "--split", "heldout"], assistant=TwoReaders()) == 0
    out = capsys.readouterr().out
    rows = {line.split("  ")[0].strip(): line.split() for line in out.splitlines()
            if line.startswith(("regex reader", "combined", "learned reader"))}
    assert rows["regex reader"][-2:] == ["0.000", "0.000"]  # prohibited recall, false prohibition
    assert rows["combined (shipped)"][3] == "0.500"  # the 临时工 case became conditional: still not prohibited
    assert rows["learned reader"][-2:] == ["1.000", "0.000"]
    assert "changed 1 verdicts" in out


def test_no_readers_flag_skips_them(tmp_path, capsys):
    gold = _write(tmp_path, [json.dumps(x, ensure_ascii=False) for x in LINES])
    assert main(["--gold", str(gold), "--split", "heldout", "--no-readers"], assistant=TwoReaders()) == 0
    assert "readers alone and combined" not in capsys.readouterr().out
