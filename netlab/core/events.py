"""Events: the single source of truth of a lab (DESIGN §1.2, §2.4).

Every view — actor panels, trace, headless output, recordings — is computed from a list of
:class:`Event`. Events are immutable and convert to and from plain JSON values.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, NamedTuple

# What an event is about. A traced call produces ``call`` and then exactly one of ``return``,
# ``raise`` or ``block``; a blocked call later ends with ``return`` or ``raise``.
CALL = "call"
BLOCK = "block"
RETURN = "return"
RAISE = "raise"
OUTPUT = "output"  # a line the actor printed (stdout or stderr; "partial": it goes on)
NOTE = "note"  # narration: ctx.say(...)
WAKE = "wake"  # a blocked call can go on: its socket is ready, or its timeout passed
YIELD = "yield"  # an actor that did not wait gives way to the others (text: why)
LINK = "link"  # a decision of the link model
KERNEL = "kernel"  # the kernel's view of the lab's sockets after a step (stepping or playing)
ACTOR_START = "actor-start"
ACTOR_EXIT = "actor-exit"
DEADLOCK = "deadlock"
END = "end"  # the run is over; ``result`` says how

KINDS = frozenset(
    {CALL, BLOCK, RETURN, RAISE, OUTPUT, NOTE, WAKE, YIELD, LINK, KERNEL}
    | {ACTOR_START, ACTOR_EXIT, DEADLOCK, END}
)
OUTCOMES = {RETURN, RAISE, BLOCK}  # the kinds that end one step

# Bytes of data kept in an event; the full length is kept in ``data_len``.
PREVIEW_LIMIT = 256
# Characters of text (a printed line, a traceback, an error) kept in an event: an event is for
# a person to read, not a megabyte, and a screen cannot lay out megabytes quickly.
TEXT_LIMIT = 64 * 1024


def cut(text: str) -> str:
    """``text`` as an event keeps it: at most TEXT_LIMIT characters, saying so if cut."""
    if len(text) <= TEXT_LIMIT:
        return text
    return f"{text[:TEXT_LIMIT]}... ({len(text):,} characters in all, cut here)"


@dataclass(frozen=True, slots=True)
class SockInfo:
    """A lab socket as it was at the time of an event."""

    id: str  # lab-wide identity, e.g. "server#2"
    fd: int
    family: str  # "AF_INET", "AF_INET6", "AF_UNIX"
    type: str  # "SOCK_STREAM", "SOCK_DGRAM"
    local: Any = None  # address as JSON: ["127.0.0.1", 5000] or None
    peer: Any = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "fd": self.fd,
            "family": self.family,
            "type": self.type,
            "local": self.local,
            "peer": self.peer,
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> SockInfo:
        """A socket snapshot from JSON. A recording repeats the same few snapshots thousands
        of times: one checked already is shared, not checked and made again."""
        if type(raw) is not dict:
            raise TypeError("a socket must be an object")
        local, peer = raw.get("local"), raw.get("peer")
        try:
            key = (
                raw.get("id"),
                raw.get("fd"),
                raw.get("family"),
                raw.get("type"),
                tuple(local) if type(local) is list else local,
                tuple(peer) if type(peer) is list else peer,
            )
            known = _SNAPSHOTS.get(key)
        except TypeError:  # something unhashable: not a snapshot netlab makes
            key, known = None, None
        if known is not None and type(known.fd) is type(raw.get("fd")):  # True == 1, not an fd
            return known
        info = cls._checked(raw)
        if key is not None and len(_SNAPSHOTS) < 10000:
            _SNAPSHOTS[key] = info
        return info

    @classmethod
    def _checked(cls, raw: dict[str, Any]) -> SockInfo:
        if not (_address(raw.get("local")) and _address(raw.get("peer"))):
            raise ValueError("a socket's addresses are not as netlab writes them")
        return cls(
            id=_name(raw["id"], _SOCK_ID),
            fd=_int(raw["fd"]),
            family=_name(raw["family"], _CONSTANT),
            type=_name(raw["type"], _CONSTANT),
            local=raw.get("local"),
            peer=raw.get("peer"),
        )


_SNAPSHOTS: dict[tuple[Any, ...], SockInfo] = {}
_NO_EXTRA: Mapping[str, Any] = MappingProxyType({})


class Event(NamedTuple):
    """One thing that happened in a lab.

    Immutable, like a frozen dataclass, but a named tuple: it is made several times cheaper,
    which counts when a lab makes over ten thousand events a second.
    """

    seq: int
    kind: str
    actor: str = ""
    vtime: float = 0.0  # virtual clock, seconds
    wtime: float = 0.0  # wall clock, seconds since the run started
    step: int = 0  # the step this event belongs to (0: none)
    op: str = ""  # the call: "socket", "recv", "sleep", "select", ...
    args: tuple[Any, ...] = ()  # its arguments as JSON values
    result: Any = None  # what it returned (JSON); for END, how the run ended
    errno: str | None = None  # errno name for ``raise``: "ECONNREFUSED"
    error: str | None = None  # exception class and message: "ConnectionRefusedError: ..."
    sock: SockInfo | None = None  # the socket the call was made on (after the call)
    new_sock: SockInfo | None = None  # the socket a call created (accept)
    data: bytes | None = None  # a preview of the bytes sent or received
    data_len: int = 0  # how many bytes there were in all
    source: tuple[str, int] | None = None  # (file, line) of the actor code that made the call
    text: str = ""  # printed line, narration, traceback, deadlock report, link decision
    extra: Mapping[str, Any] = _NO_EXTRA  # kind-specific details

    def to_json(self) -> dict[str, Any]:
        """A compact JSON object: fields at their default are left out."""
        out: dict[str, Any] = {"seq": self.seq, "kind": self.kind}
        if self.actor:
            out["actor"] = self.actor
        out["vtime"] = self.vtime  # exact: a replay must compute the same state
        out["wtime"] = round(self.wtime, 6)
        if self.step:
            out["step"] = self.step
        if self.op:
            out["op"] = self.op
        if self.args:
            out["args"] = list(self.args)
        if self.result is not None:
            out["result"] = self.result
        if self.errno is not None:
            out["errno"] = self.errno
        if self.error is not None:
            out["error"] = self.error
        if self.sock is not None:
            out["sock"] = self.sock.to_json()
        if self.new_sock is not None:
            out["new_sock"] = self.new_sock.to_json()
        if self.data is not None:
            out["data"] = base64.b64encode(self.data).decode("ascii")
            out["data_len"] = self.data_len
        if self.source is not None:
            out["source"] = [self.source[0], self.source[1]]
        if self.text:
            out["text"] = self.text
        if self.extra:
            out["extra"] = dict(self.extra)
        return out

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Event:
        """An event from JSON; ``ValueError``, ``KeyError`` or ``TypeError`` if malformed.

        Written for speed (a replay reads a hundred thousand): checks inline, names already
        seen looked up in a set, the tuple made directly."""
        get = raw.get
        kind = raw["kind"]
        if kind not in KINDS:
            raise ValueError(f"unknown event kind {kind!r}")
        actor, op = get("actor", ""), get("op", "")
        if actor not in _ACTORS_SEEN:
            _name(actor, _ACTOR)
        if op not in _OPS_SEEN:
            _name(op, _OP)
        args = get("args", [])
        if type(args) is not list:
            raise TypeError("args must be a list")
        if not (_plain(args) and _plain(get("result"))):
            raise ValueError("args or result nested deeper, or larger, than netlab writes")
        extra = get("extra", {})
        if type(extra) is not dict:
            raise TypeError("extra must be an object")
        if extra:
            _check_extra(extra)
        sock, new_sock, data, source = get("sock"), get("new_sock"), get("data"), get("source")
        text, errno, error = get("text", ""), get("errno"), get("error")
        if type(text) is not str or not (errno is None or type(errno) is str):
            raise TypeError("text and errno must be strings")
        if not (error is None or type(error) is str):
            raise TypeError("error must be a string")
        seq, step, data_len = raw["seq"], get("step", 0), get("data_len", 0)
        if type(seq) is not int or type(step) is not int or type(data_len) is not int:
            raise TypeError("seq, step and data_len must be integers")
        if source is not None:
            if not (
                type(source) is list
                and len(source) == 2
                and type(source[0]) is str
                and type(source[1]) is int
            ):
                raise TypeError("source must be [file, line]")
            source = (source[0], source[1])
        vtime, wtime = get("vtime", 0.0), get("wtime", 0.0)
        if not (_number(vtime) and _number(wtime)):
            raise TypeError("vtime and wtime must be numbers")
        if len(text) > TEXT_LIMIT:  # not made by netlab: an edited recording
            text = cut(text)
        if error is not None and len(error) > TEXT_LIMIT:
            error = cut(error)
        return tuple.__new__(
            cls,
            (
                seq,
                kind,
                actor,
                float(vtime),
                float(wtime),
                step,
                op,
                tuple(args),
                get("result"),
                errno,
                error,
                None if sock is None else SockInfo.from_json(sock),
                None if new_sock is None else SockInfo.from_json(new_sock),
                None if data is None else base64.b64decode(data, validate=True)[:PREVIEW_LIMIT],
                data_len,
                source,
                text,
                extra,
            ),
        )


def _number(value: Any) -> bool:
    return type(value) in (int, float)


def _address(value: Any) -> bool:
    """None, or an address as netlab writes one: [host, port] (IPv6: and flow info, scope id),
    or a Unix socket's path."""
    if value is None or (type(value) is str and len(value) <= 256):
        return True
    return (
        type(value) is list
        and 2 <= len(value) <= 4
        and type(value[0]) is str
        and len(value[0]) <= 256
        and all(type(part) is int for part in value[1:])
    )


# A value in an event's arguments or result: JSON nested no deeper, and no larger, than these.
_DEPTH, _ITEMS = 6, 4096


def _plain(value: Any) -> bool:
    """Whether ``value`` is as shallow and small as what netlab writes (looked at without
    recursion, so that a hostile nesting cannot exhaust the stack)."""
    stack, items = [(value, 0)], 0
    while stack:
        item, depth = stack.pop()
        items += 1
        if items > _ITEMS or depth > _DEPTH:
            return False
        if type(item) is list:
            stack += [(inner, depth + 1) for inner in item]
        elif type(item) is dict:
            stack += [(inner, depth + 1) for inner in item.values()]
            if not all(type(key) is str for key in item):
                return False
    return True


def _list_of(check: Any) -> Any:
    return lambda value: type(value) is list and all(check(item) for item in value)


def _counters(value: Any) -> bool:
    return type(value) is dict and all(
        type(counts) is dict and all(type(n) is int for n in counts.values())
        for counts in value.values()
    )


# The details an event's ``extra`` may hold, as netlab writes them, and what each must be. The
# views read them (the link's decisions, checksums, counters): a recording that holds them in
# another form was edited, and is refused. Other keys are kept and never read.
_EXTRA: dict[str, Any] = {
    **dict.fromkeys(("compound", "modelled"), lambda value: type(value) is bool),
    **dict.fromkeys(
        ("crc", "tx", "size", "number", "corrupted", "start", "end", "losses", "how"),
        lambda value: type(value) is int,
    ),
    "kernel_drops": lambda value: type(value) is int,
    **dict.fromkeys(("sent_at", "arrive_at", "release_at", "loss_draw"), _number),
    **dict.fromkeys(("transport", "deferred"), lambda value: type(value) is str),
    "arrivals": _list_of(_number),
    "closed": _list_of(lambda item: type(item) is str),
    "counters": _counters,
    "sockets": lambda value: value is None or type(value) is dict,
}


def _check_extra(extra: dict[str, Any]) -> None:
    for key, value in extra.items():
        check = _EXTRA.get(key)
        if check is not None and not check(value):
            raise ValueError(f"extra {key!r} is not as netlab writes it: {value!r}"[:100])


# What names in an event may look like. The conductor only ever makes such names; a recording
# that holds others was not made by netlab, and is refused.
# An actor's name, and a thread of it (a lane): ``server/Thread-1``, ``server/worker one``.
_ACTOR = re.compile(
    r"[A-Za-z0-9_.-]{0,40}(/[^\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069/#]{1,64})?"
)
_SOCK_ID = re.compile(r"[A-Za-z0-9_.-]{1,40}#[0-9]{1,9}|pid[0-9]{1,9}")
_CONSTANT = re.compile(r"[A-Z][A-Z0-9_]{0,31}|[0-9]{1,6}")
_OP = re.compile(r"[a-z_]{0,32}")


_VALID: dict[re.Pattern[str], set[str]] = {}  # names already checked: a recording repeats them
_ACTORS_SEEN = _VALID.setdefault(_ACTOR, set())
_OPS_SEEN = _VALID.setdefault(_OP, set())


def _name(value: Any, pattern: re.Pattern[str]) -> str:
    valid = _VALID.setdefault(pattern, set())
    if value in valid:
        return value  # type: ignore[no-any-return]
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise ValueError(f"not a valid name: {value!r}"[:80])
    if len(valid) < 10000:
        valid.add(value)
    return value


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected an integer, got {value!r}")
    return value
