"""Pydantic models of the contract's answer object (CONTRACT.md §2): the REST schema and a test oracle."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class CitationModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    clause_id: str = Field(examples=["附件2/一/（一）"])
    label: str
    quote: str = Field(min_length=1)
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    score: float


class RuleModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rule_id: str
    clause_id: str
    matched: list[str]


class DocumentModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    doc_id: str
    effective: str
    expires: str
    sha256: str


class PartModel(BaseModel):
    """One sub-question, in the order asked; its citations follow the same verbatim rule."""
    model_config = ConfigDict(extra="forbid")
    question: str
    verdict: Literal["prohibited", "allowed", "conditional", "not_covered", "info"]
    summary: str
    citations: list[CitationModel]


class AnswerModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str
    verdict: Literal["prohibited", "allowed", "conditional", "not_covered", "info"]
    summary: str
    answer: str
    citations: list[CitationModel]
    rules: list[RuleModel]
    document: DocumentModel
    mode: Literal["extractive", "llm"]
    parts: list[PartModel] = Field(min_length=1, description="每个子问题一项，按提问顺序 / one per sub-question, "
                                   "in the order asked; the top verdict is the most severe of them")


class AskRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    question: str = Field(description="中文问题，不超过 2000 字 / the question in Chinese, ≤ 2000 characters",
                          examples=["公益一类事业单位能承接县卫健局的购买服务项目吗？"])


class BatchItem(BaseModel):
    # Both checked per item (batch.check_id for the id, as in the CLI batch): a bad id or question gets an
    # `error` line and the others are answered, so they are typed loosely here and documented below.
    id: Any = Field(default=None, json_schema_extra={"type": ["string", "integer"]},
                    description="唯一，非空；缺省为序号 / unique, not blank; defaults to the 1-based position")
    question: Any = Field(json_schema_extra={"type": "string"}, examples=["融资行为能不能作为政府购买服务？"])


class BatchRequest(BaseModel):
    questions: list[BatchItem] = Field(max_length=100, description="至多 100 条 / at most 100 questions")


class ClauseModel(BaseModel):
    clause_id: str
    label: str
    parent: str | None
    text: str


class ErrorModel(BaseModel):
    error: dict[str, str] = Field(examples=[{"zh": "问题为空", "en": "the question is empty"}])
