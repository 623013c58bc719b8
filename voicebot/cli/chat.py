"""`voicebot chat`: play the customer in a callback by typing (QA's text simulator)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TextIO

from rich.console import Console
from rich.markup import escape

from voicebot.cli.common import add_json_flag, settings_from
from voicebot.dialogs.machine import Dialog
from voicebot.dialogs.outcome import OutcomeRecord
from voicebot.errors import VoicebotError

HELP_LINE = "Type as the customer. #1 = key 1 (1 yes, 2 no, 0 a person), empty line = silence, /quit = hang up."


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("chat", help="play a callback script as the customer, by typing",
                       description="Run a callback script against a policy record in text. " + HELP_LINE)
    p.add_argument("--script", default="new_policy", help="script name or TOML path (default new_policy)")
    p.add_argument("--policy", help="policy JSON path or a shipped example name (default: the script's example)")
    p.add_argument("--answers", help="file with one answer per line (#1 = key press, empty = silence); runs unattended")
    p.add_argument("--call-id", default="chat", help="id written into the outcome record")
    add_json_flag(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from voicebot.dialogs.loader import load_script
    from voicebot.dialogs.policy import load_policy
    from voicebot.dialogs.runner import Chat, ChatResult, Turn, run_dialog

    settings = settings_from(args)
    script = load_script(args.script)
    policy = load_policy(args.policy or script.name)
    dnc_days = settings.dnc.default_days
    # Human lines go to stdout, or to stderr when stdout carries the JSON record.
    console = Console(file=sys.stderr if args.json else sys.stdout, highlight=False, soft_wrap=True)

    def show(turns: list[Turn]) -> None:
        for t in turns:
            if t.speaker == "bot":
                console.print(f"[bold cyan]机器人[/] {escape(t.text)}")
            elif t.speaker == "caller":
                said = t.text or "（沉默）"
                console.print(f"[bold]客户[/]   {escape(said)}  [dim]{t.intent} {t.confidence or 0:.2f} {t.via}[/]")
            else:
                console.print(f"[yellow]  ⚑ {escape(t.text)}[/]")

    if args.answers:
        lines = _read_answers(Path(args.answers))
        result = run_dialog(script, policy, lines, call_id=args.call_id, dnc_days=dnc_days)
        show(result.transcript)
    else:
        chat = Chat(Dialog(script, policy, call_id=args.call_id, dnc_days=dnc_days))
        console.print(f"[dim]{escape(script.title)} · {escape(policy.policy_no)} · {HELP_LINE}[/]")
        show(chat.start())
        _interactive(chat, show, sys.stdin)
        result = ChatResult(chat.transcript, chat.dialog.record())
    if args.json:
        print(json.dumps(result.record.to_dict(), ensure_ascii=False, indent=2))
    else:
        _summary(console, result.record)
    return 0


def _interactive(chat: object, show: object, stream: TextIO) -> None:
    from voicebot.dialogs.runner import Chat

    assert isinstance(chat, Chat) and callable(show)
    while not chat.done:
        if stream.isatty():
            print("> ", end="", file=sys.stderr, flush=True)
        line = stream.readline()
        if not line or line.strip() == "/quit":  # end of input = the caller hangs up
            show(chat.hangup())
            return
        show(chat.answer(line.rstrip("\n")))
    if chat.dialog.handed_off:
        show(chat.close_escalated())


def _read_answers(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise VoicebotError(f"cannot read answers file {path}: {exc}", code="VB230",
                            hint="give a UTF-8 text file, one answer per line") from exc
    return text.splitlines()


def _summary(console: Console, record: OutcomeRecord) -> None:
    console.print(f"\n[bold]结果[/] {record.outcome}  ({escape(record.end_reason)})")
    for item in record.problem_items:
        console.print(f"  问题件 第{item.question_no}项 {item.question_id}: {item.reason} 「{escape(item.answer_text)}」")
    f = record.follow_ups
    for flag in f.compliance_flags:
        console.print(f"  合规 第{flag['question_no']}项: 「{escape(flag['words'])}」")
    if f.do_not_call_until:
        console.print(f"  免打扰至 {f.do_not_call_until}")
    if f.callback_at:
        console.print(f"  回电时间 {escape(f.callback_at)}")
    if f.letter_or_visit:
        console.print("  需信函或上门")
    if f.escalation_reason:
        console.print(f"  转人工原因 {escape(f.escalation_reason)}")
