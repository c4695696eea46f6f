"""The table of traced calls and the shim agree: every traced method has its entry, every
entry its method, and every entry's strace line can be written for any outcome."""

from __future__ import annotations

import ast
import inspect
import re
from typing import Any

import pytest

from netlab.core import calls, keyboard, shim, strace, threads
from netlab.core import events as ev
from netlab.core.events import Event, SockInfo

# Where each place of the table is in the shim.
PLACES: dict[str, Any] = {
    calls.SOCKET_METHOD: shim.TracedSocket,
    calls.SELECTOR: shim.TracedSelector,
    calls.POLL: shim.TracedPoll,
    calls.EPOLL: shim.TracedEpoll,
    calls.SELECT_MODULE: shim,
    calls.SOCKET_MODULE: shim,
    calls.TIME_MODULE: shim,
    calls.THREAD: threads.LaneThread,
    calls.LOCK: threads.TracedLock,
    calls.STDIN: keyboard.Keyboard,
}
# Public methods of the shim's classes that are not traced, and why.
UNTRACED = {
    (shim.TracedSocket, "gettimeout"): "the shim keeps the timeout: no system call",
    (shim.TracedSocket, "getblocking"): "the shim keeps the blocking mode: no system call",
    (shim.TracedSocket, "detach"): "hands the descriptor over: nothing happens in the kernel",
    (shim.TracedSelector, "get_key"): "a look-up in the selector's own map",
    (shim.TracedSelector, "get_map"): "a look-up in the selector's own map",
    (shim.TracedSelector, "close"): "the selector's own descriptor, not a lab socket",
    (shim.TracedPoll, "register"): "select.poll keeps its list in the process",
    (shim.TracedPoll, "modify"): "select.poll keeps its list in the process",
    (shim.TracedPoll, "unregister"): "select.poll keeps its list in the process",
}
_MODULE_FUNCTIONS = {"create_connection", "create_server", "sleep", "select"}


def _defined(place: Any, name: str) -> bool:
    if inspect.ismodule(place):
        return name in _MODULE_FUNCTIONS and callable(getattr(place, name, None))
    return name in vars(place) and callable(vars(place)[name])


@pytest.mark.parametrize("entry", calls.CALLS.values(), ids=list(calls.CALLS))
def test_every_entry_has_its_method_in_the_shim(entry: calls.Call) -> None:
    assert entry.where, f"{entry.name}: where is it called?"
    for where in entry.where:
        assert _defined(PLACES[where], entry.method_name), f"no {where}.{entry.method_name}"


@pytest.mark.parametrize(
    "cls", [shim.TracedSocket, shim.TracedSelector, shim.TracedPoll, shim.TracedEpoll]
)
def test_every_public_method_of_the_shim_has_an_entry_or_a_reason(cls: type) -> None:
    place = next(where for where, known in PLACES.items() if known is cls)
    traced = {e.method_name for e in calls.CALLS.values() if place in e.where}
    for name, value in vars(cls).items():
        if name.startswith("_") or not callable(value):
            continue
        assert name in traced or (cls, name) in UNTRACED, f"{cls.__name__}.{name}: no entry"


def _ops_traced_in_the_shim() -> set[str]:
    """Every call name the shim passes as a string literal to the functions that trace."""
    tracing = {"call", "_nl_call", "_nl_blocking_call", "_nl_hold", "_wait_for_ready", "_trace"}
    tracing |= {"_nl_recv_all", "_nl_connect"}
    found = set()
    source = inspect.getsource(shim) + inspect.getsource(threads)
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute | ast.Name):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
            if name in tracing:
                found |= {
                    arg.value
                    for arg in node.args[:2]
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
                }
    return found


def test_every_call_the_shim_traces_is_in_the_table() -> None:
    traced = _ops_traced_in_the_shim()
    assert {"socket", "recv", "sendfile", "recvfrom_into", "epoll_wait", "join", "wait"} <= traced
    assert traced - set(calls.CALLS) == set()


SOCK = SockInfo("a#1", 3, "AF_INET", "SOCK_STREAM", ["127.0.0.1", 5000], ["127.0.0.1", 6000])


@pytest.mark.parametrize("kind", [ev.RETURN, ev.RAISE, ev.BLOCK])
@pytest.mark.parametrize("entry", calls.CALLS.values(), ids=list(calls.CALLS))
def test_every_strace_line_can_be_written(entry: calls.Call, kind: str) -> None:
    event = Event(1, kind, "a", op=entry.name, sock=SOCK, errno="EBADF", data=b"x", data_len=1)
    line = strace.syscall(event)
    assert line and not re.search(r"\{[a-z_0-9]*\}", line), "every field of it filled in"


def test_a_call_netlab_does_not_know_is_shown_plainly() -> None:
    event = Event(1, ev.RETURN, "a", op="frobnicate", result=7)
    assert strace.syscall(event) == "frobnicate(...) = 7"
    assert calls.call("frobnicate") is calls.UNKNOWN


def test_the_sets_read_by_the_conductor_and_the_shim() -> None:
    assert {"connect", "connect_ex", "send", "sendall", "sendfile", "sendmsg"} == calls.PARTIAL
    assert {"select", "poll", "epoll_wait"} == calls.WAITS_FOR_READY
    assert {"accept", "recv", "recv_into", "recvfrom", "recvfrom_into", "recvmsg"} == calls.READS
    assert {"connect_ex"} == calls.RETURN_ERRORS
    assert {"send", "sendall", "sendto", "sendfile", "sendmsg"} == calls.SENDS
    assert {"recv", "recv_into", "recvfrom", "recvfrom_into", "recvmsg"} == calls.RECEIVES
    assert {
        "setblocking",
        "settimeout",
        "getsockopt",
        "getsockname",
        "getpeername",
        "select",
        "poll",
        "epoll_wait",
        "register",
        "modify",
        "unregister",
        "sleep",
        "join",
        "wait",
        "readline",
        "read",
    } == calls.INERT
    assert {"readline", "read"} == calls.KEYBOARD_READS
