"""The system call behind a traced Python call, written the way ``strace`` prints it.

The mapping is Linux's (FACTS.md): ``accept()`` is ``accept4(..., SOCK_CLOEXEC)``, ``send`` and
``sendall`` are ``sendto(fd, buf, len, 0, NULL, 0)``, ``recv`` is
``recvfrom(fd, buf, len, 0, NULL, NULL)``, ``setblocking`` is ``ioctl(FIONBIO)``. netlab keeps
every descriptor non-blocking underneath, so a call that would block shows here as the
``EAGAIN`` the kernel answered, and the wait is netlab's.
"""

from __future__ import annotations

import errno as errno_module
import os
from typing import Any

from netlab.core import events as ev
from netlab.core.events import Event
from netlab.core.safe_text import visible

_STRING_SHOWN = 32  # bytes, as strace's default -s 32


def _buffer(data: bytes | None, length: int) -> str:
    """A buffer as strace shows it: a C string of the first 32 bytes."""
    if data is None:
        return "..."
    shown = data[:_STRING_SHOWN]
    text = "".join(chr(b) if 32 <= b < 127 and b not in (34, 92) else _escape(b) for b in shown)
    return f'"{text}"' + ("..." if length > len(shown) else "")


def _escape(byte: int) -> str:
    return {10: "\\n", 13: "\\r", 9: "\\t", 34: '\\"', 92: "\\\\"}.get(byte, f"\\{byte:o}")


def _sockaddr(address: Any, family: str) -> str:
    if isinstance(address, list) and len(address) >= 2:
        host, port = visible(str(address[0])), address[1]
        if family == "AF_INET6":
            return (
                f"{{sa_family=AF_INET6, sin6_port=htons({port}), "
                f'inet_pton(AF_INET6, "{host}", &sin6_addr)}}'
            )
        return f'{{sa_family=AF_INET, sin_port=htons({port}), sin_addr=inet_addr("{host}")}}'
    if isinstance(address, str):
        return f'{{sa_family=AF_UNIX, sun_path="{visible(address)}"}}'
    return "NULL"


def _addrlen(family: str) -> int:
    return 28 if family == "AF_INET6" else 16


def _result(event: Event, value: Any) -> str:
    if event.kind == ev.RAISE or event.kind == ev.BLOCK:
        name = event.errno or "EAGAIN"
        if event.kind == ev.BLOCK:
            name = "EAGAIN" if event.op != "connect" else "EINPROGRESS"
        number = getattr(errno_module, name, None)
        reason = os.strerror(number) if isinstance(number, int) else "error"
        if name == "EAGAIN":
            reason = "Resource temporarily unavailable"
        return f"-1 {name} ({reason})"
    return str(value)


_PROTOCOLS = {0: "IPPROTO_IP", 6: "IPPROTO_TCP", 17: "IPPROTO_UDP"}


def syscall(event: Event) -> str:
    """The strace line for an outcome event (return, raise or block), or "" if there is none."""
    if event.kind not in ev.OUTCOMES:
        return ""
    sock = event.sock
    fd = sock.fd if sock is not None else -1
    family = sock.family if sock is not None else "AF_INET"
    args = list(event.args)
    op = event.op
    length = event.data_len
    if op == "socket":
        family = args[0] if args else "AF_INET"
        kind = args[1] if len(args) > 1 else "SOCK_STREAM"
        # socket.socket() passes protocol 0, which strace prints as IPPROTO_IP.
        number = args[2] if len(args) > 2 and isinstance(args[2], int) else 0
        proto = _PROTOCOLS.get(number, str(number))
        return f"socket({family}, {kind}|SOCK_CLOEXEC, {proto}) = {_result(event, fd)}"
    if op == "bind":
        return f"bind({fd}, {_sockaddr(args[0], family)}, {_addrlen(family)}) = {_result(event, 0)}"
    if op == "listen":
        backlog = args[0] if args else 128
        return f"listen({fd}, {backlog}) = {_result(event, 0)}"
    if op == "accept":
        new = event.new_sock
        if new is not None:
            peer = _sockaddr(new.peer, new.family)
            return f"accept4({fd}, {peer}, [{_addrlen(family)}], SOCK_CLOEXEC) = {new.fd}"
        return f"accept4({fd}, 0x7ffc..., [{_addrlen(family)}], SOCK_CLOEXEC) = {_result(event, 0)}"
    if op in ("connect", "connect_ex"):
        target = _sockaddr(args[0] if args else None, family)
        value = _result(event, 0)
        if op == "connect_ex" and isinstance(event.result, int) and event.result:
            name = errno_module.errorcode.get(event.result, "?")
            value = f"-1 {name} ({os.strerror(event.result)})"
        return f"connect({fd}, {target}, {_addrlen(family)}) = {value}"
    if op in ("send", "sendall"):
        sent = event.result if isinstance(event.result, int) else length
        buffer = _buffer(event.data, length)
        return f"sendto({fd}, {buffer}, {length}, 0, NULL, 0) = {_result(event, sent)}"
    if op == "sendto":
        target = _sockaddr(args[-1] if args else None, family)
        buffer = _buffer(event.data, length)
        value = _result(event, event.result if isinstance(event.result, int) else length)
        return f"sendto({fd}, {buffer}, {length}, 0, {target}, {_addrlen(family)}) = {value}"
    if op in ("recv", "recv_into"):
        size = args[0] if args else "?"
        return f"recvfrom({fd}, {_buffer(event.data, length)}, {size}, 0, NULL, NULL) = " + (
            _result(event, length)
        )
    if op == "recvfrom":
        size = args[0] if args else "?"
        source = _sockaddr(event.result, family) if event.kind == ev.RETURN else "0x7ffc..."
        return (
            f"recvfrom({fd}, {_buffer(event.data, length)}, {size}, 0, {source}, "
            f"[{_addrlen(family)}]) = {_result(event, length)}"
        )
    if op == "setblocking":
        flag = 0 if args and args[0] else 1
        return f"ioctl({fd}, FIONBIO, [{flag}]) = 0"
    if op == "settimeout":
        return f"(settimeout: no system call; Python keeps the timeout and uses poll) fd {fd}"
    if op == "setsockopt":
        level, name, value = [*args, None, None, None][:3]
        return f"setsockopt({fd}, {level}, {name}, [{value}], 4) = {_result(event, 0)}"
    if op in ("getsockname", "getpeername"):
        return f"{op}({fd}, {_sockaddr(event.result, family)}, [{_addrlen(family)}]) = " + (
            _result(event, 0)
        )
    if op == "shutdown":
        how = args[0] if args else "SHUT_RDWR"
        return f"shutdown({fd}, {how}) = {_result(event, 0)}"
    if op == "close":
        return f"close({fd}) = {_result(event, 0)}"
    if op in ("select", "poll", "epoll_wait"):
        return "epoll_wait(...) / pselect6(...): netlab asks the kernel without waiting"
    if op == "sleep":
        seconds = args[0] if args else 0
        return f"clock_nanosleep(CLOCK_MONOTONIC, 0, {{tv_sec={seconds}}}, ...): virtual in netlab"
    if op in ("register", "modify", "unregister"):
        action = {"register": "EPOLL_CTL_ADD", "modify": "EPOLL_CTL_MOD"}.get(op, "EPOLL_CTL_DEL")
        return f"epoll_ctl(epfd, {action}, {args[0] if args else '?'}, ...) = {_result(event, 0)}"
    if op in ("create_connection", "create_server"):
        return f"({op} is a Python helper: the system calls are the steps inside it)"
    return f"{op}(...) = {_result(event, event.result)}"
