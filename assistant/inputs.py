"""Validation of user questions, shared by every way of asking. Bad input → InvalidInputError (a 4xx)."""

from __future__ import annotations

import re

from .errors import InvalidInputError

_CJK = re.compile(r"[\u3400-\u9fff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")


def validate_question(question: object, max_chars: int = 2000) -> str:
    if not isinstance(question, str):
        raise InvalidInputError(f"问题必须是文本，收到的是 {type(question).__name__} / the question must be text")
    q = question.strip()
    if not q:
        raise InvalidInputError("问题为空，请输入要咨询的内容 / the question is empty")
    if len(q) > max_chars:
        raise InvalidInputError(
            f"问题过长（{len(q)} 字），请控制在 {max_chars} 字以内 / the question is too long "
            f"({len(q)} characters; at most {max_chars})"
        )
    if _CONTROL.search(q):
        raise InvalidInputError("问题中含有二进制或控制字符，请输入纯文本 / the question contains binary or control characters")
    if not _CJK.search(q):
        raise InvalidInputError("请用中文提问：本助手只解答关于湘财综〔2022〕28号的中文问题 / please ask in Chinese")
    return q
