"""The five decisions of the contract, shared by the checker, the chain and the UI."""

from __future__ import annotations

from enum import StrEnum


class Decision(StrEnum):  # compares equal to the JSON strings
    PROHIBITED = "prohibited"
    ALLOWED = "allowed"
    CONDITIONAL = "conditional"
    NOT_COVERED = "not_covered"
    INFO = "info"

    @property
    def zh(self) -> str:
        return {"prohibited": "禁止", "allowed": "允许", "conditional": "视条件",
                "not_covered": "本通知未规定", "info": "信息"}[self.value]


# Most severe first: when parts of a question disagree, the first in this order wins.
SEVERITY = (Decision.PROHIBITED, Decision.CONDITIONAL, Decision.ALLOWED, Decision.INFO, Decision.NOT_COVERED)


def most_severe(decisions) -> Decision:
    ds = set(decisions)
    return next((d for d in SEVERITY if d in ds), Decision.NOT_COVERED)
