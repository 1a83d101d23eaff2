"""The learned second reader: a calibrated classifier from a question's wording to the verdict it deserves and,
for a prohibition, the negative-list clause that decides it. It proposes; corpus/rules.toml still decides.

Trained at index time (assistant/learn.py, scikit-learn) on the labelled dev phrasings only; what is stored
is a vocabulary, idf weights, coefficients and a temperature, so scoring here needs only numpy and the
`ask` start never imports sklearn. The features are character 1–3-grams of normalised text: they need no
dictionary and survive the colloquial paraphrases the regex reader misses."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

PROHIBITED = "prohibited:"  # label prefix: "prohibited:附件2/二/（三）"
FOLDER = "learned"
VERSION = "1"  # bump when features, labels or the stored layout change: the index then retrains


def ngrams(text: str) -> list[str]:
    """Character 1–3-grams of already-normalised text (spaces dropped). Shared by training and scoring."""
    s = "".join(text.split())
    return [s[i:i + n] for n in (1, 2, 3) for i in range(len(s) - n + 1)]


def label_of(verdict: str, clauses) -> str:
    """The class of a gold case: its verdict, and for a prohibition also the deciding clause."""
    return PROHIBITED + clauses[0] if verdict == "prohibited" and clauses else verdict


@dataclass(frozen=True, slots=True)
class Proposal:
    """What the learned reader proposes for one text."""

    label: str  # the most probable class
    confidence: float  # its calibrated probability
    p_prohibited: float  # total probability of the prohibition classes
    clause_id: str  # the most probable prohibition's clause ("" when no prohibition class exists)
    p_not_covered: float = 0.0  # probability that the notice does not decide the question

    @property
    def verdict(self) -> str:
        return "prohibited" if self.label.startswith(PROHIBITED) else self.label


class LearnedReader:
    """Scores text with the exported model: tf-idf (sublinear tf, l2) → linear → softmax(logits / T)."""

    def __init__(self, vocab: dict[str, int], idf, coef, intercept, labels, temperature: float,
                 threshold: float) -> None:
        import numpy as np

        self.vocab, self.labels = vocab, tuple(labels)
        self.idf = np.asarray(idf, dtype="float64")
        self.coef = np.asarray(coef, dtype="float64")  # (classes, features)
        self.intercept = np.asarray(intercept, dtype="float64")
        self.temperature, self.threshold = float(temperature), float(threshold)
        self._prohibited = np.array([lab.startswith(PROHIBITED) for lab in self.labels])

    def probabilities(self, text: str):
        import numpy as np

        counts: dict[int, int] = {}
        for g in ngrams(text):
            if (j := self.vocab.get(g)) is not None:
                counts[j] = counts.get(j, 0) + 1
        logits = self.intercept.copy()
        if counts:
            idx = np.fromiter(counts, dtype="int64", count=len(counts))
            w = (1 + np.log(np.fromiter(counts.values(), dtype="float64", count=len(counts)))) * self.idf[idx]
            w /= np.linalg.norm(w)
            logits += self.coef[:, idx] @ w
        z = logits / self.temperature
        e = np.exp(z - z.max())
        return e / e.sum()

    def propose(self, text: str) -> Proposal:
        p = self.probabilities(text)
        best = int(p.argmax())
        pro = [i for i, flag in enumerate(self._prohibited) if flag]
        top = max(pro, key=lambda i: p[i]) if pro else None
        nc = self.labels.index("not_covered") if "not_covered" in self.labels else None
        return Proposal(self.labels[best], float(p[best]), float(p[self._prohibited].sum()),
                        self.labels[top].removeprefix(PROHIBITED) if top is not None else "",
                        float(p[nc]) if nc is not None else 0.0)

    def disagrees(self, text: str) -> Proposal | None:
        """The proposal when it is a prohibition confident enough to act on (threshold chosen on dev CV)."""
        prop = self.propose(text)
        return prop if prop.clause_id and prop.p_prohibited >= self.threshold else None

    @classmethod
    def load(cls, folder: Path) -> "LearnedReader":
        import numpy as np

        meta = json.loads((folder / "meta.json").read_text("utf-8"))
        with np.load(folder / "model.npz", allow_pickle=False) as z:
            return cls({g: i for i, g in enumerate(meta["vocabulary"])}, z["idf"], z["coef"], z["intercept"],
                       meta["labels"], meta["temperature"], meta["threshold"])


def load_reader(folder: Path) -> LearnedReader | None:
    """The reader stored in an index build, or None when that build has none (an older index)."""
    return LearnedReader.load(folder) if (folder / "meta.json").exists() else None
