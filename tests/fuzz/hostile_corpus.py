"""A seeded generator of hostile recordings: real ones (the fixtures) with their fields
replaced by what an attacker or a broken tool would put there — control bytes, escape
sequences, markup, lone surrogates, wrong types, deep nesting, huge numbers — lines cut,
repeated or dropped. ``python -m tests.fuzz.hostile_corpus DIR N SEED`` writes N of them."""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent.parent / "ui" / "fixtures"
BASES = ["tcp_echo.jsonl", "tcp_vs_udp.jsonl", "refused.jsonl", "deadlock.jsonl", "udp_echo.jsonl"]

# Text a terminal, a Markdown reader, an SVG parser or Rich would act on if it got it raw.
HOSTILE_TEXT = [
    "\x1b]0;pwned\x07",
    "\x1b[2J\x1b[H",
    "\x1b[31mred\x1b[0m",
    "\x9b31m",
    "\x9d0;title\x9c",
    "\x00\x01\x02\x7f",
    "\u202eevil\u202c",
    "\ud800",  # a lone surrogate (JSON can carry it; UTF-8 cannot)
    "[bold]x[/]",
    "[@click=app.quit]q[/]",
    "[/bold]",
    "<script>&amp;</script>",
    "]]>",
    "\r\n\t\v\f",
    "x" * 5000,
    "",
    "é中𝄞",
]
HOSTILE_VALUES: list[Any] = [
    None,
    True,
    -1,
    0,
    2**63,
    10**400,
    1e308,
    -1e308,
    "NaN",
    [],
    {},
    [[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]],
    {"id": {"id": "x"}},
    ["a", 1, None],
]


def _deep(depth: int) -> str:
    """A stand-in for a value nested ``depth`` deep, written out raw (see _nest)."""
    return f"__DEEP_{depth}__"


def _nest(line: str) -> str:
    for depth in (50, 500, 5000):
        line = line.replace(f'"__DEEP_{depth}__"', "[" * depth + "1" + "]" * depth)
    return line


def _mutate_value(rng: random.Random, value: Any) -> Any:
    choice = rng.random()
    if choice < 0.45:
        return rng.choice(HOSTILE_TEXT)
    if choice < 0.8:
        return rng.choice(HOSTILE_VALUES)
    if choice < 0.9:
        return _deep(rng.choice([50, 500, 5000]))
    if isinstance(value, str):
        return value + rng.choice(HOSTILE_TEXT)
    return value


def _mutate_event(rng: random.Random, event: dict[str, Any]) -> dict[str, Any]:
    event = dict(event)
    for _ in range(rng.randint(1, 3)):
        key = rng.choice([*event.keys(), "extra", "sock", "new_sock", "args", "text", "data"])
        if rng.random() < 0.15:
            event.pop(key, None)
        elif (
            key in ("sock", "new_sock") and isinstance(event.get(key), dict) and rng.random() < 0.6
        ):
            sock = dict(event[key])
            field = rng.choice(["id", "fd", "family", "type", "local", "peer"])
            sock[field] = _mutate_value(rng, sock.get(field))
            event[key] = sock
        elif key == "extra" and rng.random() < 0.6:
            extra = dict(event["extra"]) if isinstance(event.get("extra"), dict) else {}
            keys = ["crc", "tx", "outside", "partial", "arrivals", "sockets", "choices", "answer"]
            extra[rng.choice(keys)] = _mutate_value(rng, None)
            event["extra"] = extra
        else:
            event[key] = _mutate_value(rng, event.get(key))
    return event


def _hostile_strings(rng: random.Random, event: dict[str, Any]) -> dict[str, Any]:
    """Well formed, with hostile text wherever netlab keeps free text."""
    import base64

    event = dict(event)
    for _ in range(rng.randint(1, 3)):
        key = rng.choice(["text", "error", "data", "args", "result", "extra"])
        hostile = "".join(rng.choice(HOSTILE_TEXT[:14]) for _ in range(rng.randint(1, 3)))
        if key == "data":
            event["data"] = base64.b64encode(hostile.encode("utf-8", "surrogatepass")).decode()
            event["data_len"] = len(hostile)
        elif key == "args":
            event["args"] = [hostile, *event.get("args", [])[1:]]
        elif key == "extra" and event.get("op") == "ask":  # a question's choices and why
            hostile_key = rng.choice(["a", hostile[:1] or "a", hostile])
            choices = [[hostile_key, hostile], ["b", "x"]]
            event["extra"] = {"choices": choices, "answer": hostile_key, "why": hostile}
        elif key == "extra":
            extra = dict(event["extra"]) if isinstance(event.get("extra"), dict) else {}
            extra[rng.choice(["outside", "stopped", "held_by", "why"])] = hostile
            event["extra"] = extra
        elif key == "error" and event.get("kind") not in ("raise", "actor-exit"):
            continue
        else:
            event[key] = hostile
    return event


def hostile_recording(rng: random.Random) -> str:
    """The text of one hostile recording."""
    lines = (FIXTURES / rng.choice(BASES)).read_text(encoding="utf-8").splitlines()
    header, events = json.loads(lines[0]), [json.loads(line) for line in lines[1:] if line]
    if rng.random() < 0.3:
        for key in rng.sample(sorted(header), k=min(3, len(header))):
            header[key] = _mutate_value(rng, header[key])
    plausible = rng.random() < 0.6  # well formed but hostile; else malformed too
    if plausible:
        for key in ("title", "scenario", "source", "file"):
            if rng.random() < 0.3:
                header[key] = rng.choice(HOSTILE_TEXT[:14])
    for _ in range(rng.randint(1, 6)):
        index = rng.randrange(len(events))
        change = _hostile_strings if plausible else _mutate_event
        events[index] = change(rng, events[index])
    out = [_nest(json.dumps(header, ensure_ascii=rng.random() < 0.5))]
    out += [_nest(json.dumps(event, ensure_ascii=rng.random() < 0.5)) for event in events]
    shape = rng.random()
    if shape < 0.1:  # cut short, mid-line
        text = "\n".join(out)
        return text[: rng.randrange(len(text))]
    if shape < 0.15:
        out.insert(rng.randrange(1, len(out)), out[rng.randrange(1, len(out))])  # a repeat
    elif shape < 0.2:
        del out[rng.randrange(1, len(out))]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    folder, count, seed = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    for number in range(count):
        (folder / f"hostile-{number:05}.jsonl").write_text(
            hostile_recording(rng), encoding="utf-8", errors="surrogatepass"
        )
