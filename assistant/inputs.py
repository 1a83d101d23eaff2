"""Validation of user text, shared by every way of asking (CLI, batch, REST, web UI) and the checker.

Bad input → InvalidInputError (a 4xx). The one place that says what text is acceptable: a str, no lone
surrogates (they cannot be written as UTF-8, so an answer quoting them could never be sent or stored),
no control characters, bounded length."""

from __future__ import annotations

import re

from .errors import InvalidInputError

_CJK = re.compile(r"[\u3400-\u9fff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
MAX_FIELD_CHARS = 2000  # a free-text fact (the service bought); enum fields are far shorter


def shown(value: object, limit: int = 40) -> str:
    """A user's value for an error message: repr (escapes surrogates and controls), cut to `limit` characters."""
    r = repr(value)
    return r if len(r) <= limit else r[: limit - 1] + "…"


def validate_text(value: object, field: str, max_chars: int = MAX_FIELD_CHARS) -> str:
    """A free-text field: str, encodable, no control characters, at most `max_chars` after stripping."""
    if not isinstance(value, str):
        raise InvalidInputError(f"{field} 必须是文本，收到的是 {type(value).__name__}",
                                en=f"{field} must be a string, got {type(value).__name__}")
    if _SURROGATE.search(value):
        raise InvalidInputError(f"{field} 含有无法编码的字符（孤立代理项），请检查文本编码",
                                en=f"{field} contains lone surrogates (not valid Unicode text)")
    s = value.strip()
    if len(s) > max_chars:
        raise InvalidInputError(f"{field} 过长（{len(s)} 字），请控制在 {max_chars} 字以内",
                                en=f"{field} is too long ({len(s)} characters; at most {max_chars})")
    if _CONTROL.search(s):
        raise InvalidInputError(f"{field} 中含有二进制或控制字符，请输入纯文本",
                                en=f"{field} contains binary or control characters")
    return s


def validate_question(question: object, max_chars: int = 2000, *, chinese: bool = True) -> str:
    """The question, stripped. `chinese=False`: the checker reads any text (the assistant asks for Chinese)."""
    if not isinstance(question, str):
        raise InvalidInputError(f"问题必须是文本，收到的是 {type(question).__name__}",
                                en=f"the question must be a string, got {type(question).__name__}")
    if _SURROGATE.search(question):
        raise InvalidInputError("问题含有无法编码的字符（孤立代理项），请检查文本编码",
                                en="the question contains lone surrogates (not valid Unicode text)")
    q = question.strip()
    if not q:
        raise InvalidInputError("问题为空，请输入要咨询的内容", en="the question is empty")
    if len(q) > max_chars:
        raise InvalidInputError(f"问题过长（{len(q)} 字），请控制在 {max_chars} 字以内",
                                en=f"the question is too long ({len(q)} characters; at most {max_chars})")
    if _CONTROL.search(q):
        raise InvalidInputError("问题中含有二进制或控制字符，请输入纯文本",
                                en="the question contains binary or control characters")
    if chinese and not _CJK.search(q):
        raise InvalidInputError("请用中文提问：本助手只解答关于本通知的中文问题", en="please ask in Chinese")
    return q
