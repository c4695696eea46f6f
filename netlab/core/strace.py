"""The system call behind a traced Python call, written the way ``strace`` prints it.

The mapping is Linux's (FACTS.md), kept as each call's ``strace`` template in
:mod:`netlab.core.calls`: ``accept()`` is ``accept4(..., SOCK_CLOEXEC)``, ``send`` and
``sendall`` are ``sendto(fd, buf, len, 0, NULL, 0)``, ``recv`` is
``recvfrom(fd, buf, len, 0, NULL, NULL)``, ``setblocking`` is ``ioctl(FIONBIO)``. netlab keeps
every descriptor non-blocking underneath, so a call that would block shows here as the
``EAGAIN`` the kernel answered (``EINPROGRESS`` for a connect), and the wait is netlab's.
"""

from __future__ import annotations

import errno as errno_module
import os
from collections.abc import Callable
from typing import Any

from netlab.core import calls
from netlab.core import events as ev
from netlab.core.describe import given_size
from netlab.core.events import Event
from netlab.core.safe_text import visible

_STRING_SHOWN = 32  # bytes, as strace's default -s 32
_PROTOCOLS = {0: "IPPROTO_IP", 6: "IPPROTO_TCP", 17: "IPPROTO_UDP"}
_UNKNOWN_ADDRESS = "0x7ffc..."  # a buffer the kernel had nothing to write into


def _buffer(data: bytes | None, length: int) -> str:
    """A buffer as strace shows it: a C string of the first 32 bytes."""
    if data is None:
        return "..."
    shown = data[:_STRING_SHOWN]
    text = "".join(
        chr(b) if 32 <= b < 127 and b not in (34, 92) else _escape(b, shown[i + 1 : i + 2])
        for i, b in enumerate(shown)
    )
    return f'"{text}"' + ("..." if length > len(shown) else "")


_ESCAPES = {9: "\\t", 10: "\\n", 11: "\\v", 12: "\\f", 13: "\\r", 34: '\\"', 92: "\\\\"}


def _escape(byte: int, after: bytes) -> str:
    """As strace escapes a byte: by name, else in octal, with three digits when an octal digit
    follows (so that ``\\0`` then ``1`` is not read as ``\\01``)."""
    if byte in _ESCAPES:
        return _ESCAPES[byte]
    return f"\\{byte:03o}" if after and 48 <= after[0] <= 55 else f"\\{byte:o}"


def _sockaddr(address: Any, family: str) -> str:
    if isinstance(address, list) and len(address) >= 2:
        host, port = visible(str(address[0])), address[1]
        if family == "AF_INET6":  # Python's (host, port, flowinfo, scope_id)
            flowinfo, scope = [*address[2:4], 0, 0][:2]
            return (
                f"{{sa_family=AF_INET6, sin6_port=htons({port}), "
                f"sin6_flowinfo=htonl({visible(str(flowinfo))}), "
                f'inet_pton(AF_INET6, "{host}", &sin6_addr), sin6_scope_id={visible(str(scope))}}}'
            )
        return f'{{sa_family=AF_INET, sin_port=htons({port}), sin_addr=inet_addr("{host}")}}'
    if isinstance(address, str):
        return f'{{sa_family=AF_UNIX, sun_path="{visible(address)}"}}'
    return "NULL"


def _failure(event: Event) -> str:
    """``-1 ENAME (reason)``: the error of a call that raised, or that would block."""
    if event.kind == ev.BLOCK:
        name = "EINPROGRESS" if calls.call(event.op).state == calls.CONNECTED else "EAGAIN"
    else:
        name = event.errno or "EAGAIN"
    number = getattr(errno_module, name, None)
    reason = os.strerror(number) if isinstance(number, int) else "error"
    if name == "EAGAIN":
        reason = "Resource temporarily unavailable"
    return f"-1 {name} ({reason})"


def _returned(event: Event, entry: calls.Call) -> str:
    """What the system call returned, by what the Python call returns."""
    returns = entry.returns
    if returns == calls.SOCKET:
        return str(event.sock.fd if event.sock is not None else -1)
    if returns == calls.CONNECTION:
        return str(event.new_sock.fd) if event.new_sock is not None else "0"
    if returns == calls.ERROR_NUMBER and isinstance(event.result, int) and event.result:
        name = errno_module.errorcode.get(event.result, "?")
        return f"-1 {name} ({os.strerror(event.result)})"
    if entry.data == calls.IN:
        return str(event.data_len)
    if entry.data == calls.OUT:
        return str(event.result if isinstance(event.result, int) else event.data_len)
    if returns == calls.VALUE:
        return str(event.result)
    return "0"


class _Fields:
    """The values a template may name, each worked out only when it is named."""

    def __init__(self, event: Event, entry: calls.Call) -> None:
        self.event = event
        self.entry = entry
        sock = event.sock
        self.family = sock.family if sock is not None else "AF_INET"
        self.args = list(event.args)

    def __getitem__(self, name: str) -> Any:
        if name.startswith("args"):
            index = int(name.removeprefix("args"))
            return self.args[index] if index < len(self.args) else "?"
        return _FIELDS[name](self)

    def arg(self, index: int, default: Any) -> Any:
        return self.args[index] if len(self.args) > index else default


def _ret(fields: _Fields) -> str:
    event = fields.event
    if event.kind in (ev.RAISE, ev.BLOCK):
        return _failure(event)
    return _returned(event, fields.entry)


def _proto(fields: _Fields) -> str:
    # socket.socket() passes protocol 0, which strace prints as IPPROTO_IP.
    number = fields.arg(2, 0)
    number = number if isinstance(number, int) else 0
    return _PROTOCOLS.get(number, str(number))


def _new_peer(fields: _Fields) -> str:
    new = fields.event.new_sock
    return _sockaddr(new.peer, new.family) if new is not None else _UNKNOWN_ADDRESS


def _result_addr(fields: _Fields) -> str:
    event = fields.event
    return _sockaddr(event.result, fields.family) if event.kind == ev.RETURN else _UNKNOWN_ADDRESS


def _msg_name(fields: _Fields) -> str:
    """sendmsg's destination: the address it was given, or NULL (a connected socket's peer)."""
    given = fields.arg(2, None)
    return "NULL" if given is None else _sockaddr(given, fields.family)


def _call_flags(fields: _Fields) -> Any:
    """The MSG_* flags a call was given: after the data (sendmsg), after the sizes (recvmsg)."""
    flags = fields.arg(1 if fields.entry.data_first else 2, 0)
    return flags if isinstance(flags, (str, int)) and not isinstance(flags, bool) else 0


def _file_end(fields: _Fields) -> Any:
    """Where sendfile left the file's offset: after what it sent."""
    offset, sent = fields.arg(1, 0), fields.event.result
    return offset + sent if isinstance(offset, int) and isinstance(sent, int) else offset


_FIELDS: dict[str, Callable[[_Fields], Any]] = {
    "fd": lambda f: f.event.sock.fd if f.event.sock is not None else -1,
    "name": lambda f: f.event.op,
    "result": lambda f: f.event.result if f.event.kind == ev.RETURN else "?",
    "ret": _ret,
    "buf": lambda f: _buffer(f.event.data, f.event.data_len),
    "len": lambda f: given_size(f.event) or f.event.data_len,  # what it was given
    "size": lambda f: f.arg(0, "?"),
    "addr": lambda f: _sockaddr(f.arg(0, None), f.family),
    "dest": lambda f: _sockaddr(f.args[-1] if f.args else None, f.family),
    "result_addr": _result_addr,
    "addrlen": lambda f: 28 if f.family == "AF_INET6" else 16,
    "proto": _proto,
    "family": lambda f: f.arg(0, "AF_INET"),  # socket()'s defaults, as Python's
    "type": lambda f: f.arg(1, "SOCK_STREAM"),
    "seconds": lambda f: f.arg(0, 0),
    "new_peer": _new_peer,
    "backlog": lambda f: f.arg(0, 128),
    "how": lambda f: f.arg(0, "SHUT_RDWR"),
    "nonblocking": lambda f: 0 if f.arg(0, False) else 1,
    "count": lambda f: f.arg(2, None) if isinstance(f.arg(2, None), int) else f.event.data_len,
    "file_end": _file_end,
    "msg_flags": lambda f: f.event.extra.get("msg_flags") or 0,
    "msg_name": _msg_name,
    "flags": _call_flags,
}


def syscall(event: Event) -> str:
    """The strace line for an outcome event (return, raise or block), or "" if there is none."""
    if event.kind not in ev.OUTCOMES:
        return ""
    entry = calls.call(event.op)
    # What a recording carries in its arguments may be anything: shown, never sent raw.
    return visible(entry.strace.format_map(_Fields(event, entry)))
