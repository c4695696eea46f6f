"""Safe text: what reaches a terminal from the network, an actor or a recording."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from netlab.core.safe_text import visible


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b]0;X\x07", "\\x1b]0;X\\x07"),
        ("\x1b[2J", "\\x1b[2J"),
        ("a\x00b", "a\\x00b"),
        ("\x9b", "\\x9b"),
        ("\u202eevil", "\\u202eevil"),
        (b"\xff\xfe", "\\xff\\xfe"),
        ("x\udcffy", "x\\udcffy"),
        ("[/bold] [@click=app.quit]x[/]", "[/bold] [@click=app.quit]x[/]"),
        ("Привіт, сокети", "Привіт, сокети"),
        ("line\nnext", "line\\x0anext"),
    ],
)
def test_visible_makes_everything_harmless_and_nothing_else(raw, shown) -> None:
    assert visible(raw) == shown


def test_visible_can_keep_lines() -> None:
    assert visible("a\nb\x1b", multiline=True) == "a\nb\\x1b"


@given(st.text())
def test_visible_never_lets_a_control_character_through(text: str) -> None:
    shown = visible(text)
    assert not any(ord(c) < 32 or 127 <= ord(c) < 160 or 0xD800 <= ord(c) < 0xE000 for c in shown)


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b", "\\x1b"),
        ("tab\there", "tab\\x09here"),
        ("cr\rlf", "cr\\x0dlf"),
        ("\x7f", "\\x7f"),
        ("a\u200bb\ufeff", "a\\u200bb\\ufeff"),  # zero width space, byte order mark
        ("\u2066x\u2069", "\\u2066x\\u2069"),  # bidi isolates
        ("Привіт".encode(), "Привіт"),  # valid UTF-8 bytes are text
        (b"ok\x1b[31m\xc3", "ok\\x1b[31m\\xc3"),  # an escape and a cut-off character
        (
            "[bold red]x[/] [link=file:///etc/passwd]y[/link]",
            "[bold red]x[/] [link=file:///etc/passwd]y[/link]",
        ),
        ("\U0001f600 café ™", "\U0001f600 café ™"),
    ],
)
def test_visible_escapes_only_what_acts_on_a_terminal(raw, shown) -> None:
    assert visible(raw) == shown


def test_visible_keeps_only_newlines_when_asked_for_lines() -> None:
    assert visible("a\r\nb\x1b[2J\n", multiline=True) == "a\\x0d\nb\\x1b[2J\n"


@given(st.binary())
def test_visible_bytes_never_let_a_control_byte_through(data: bytes) -> None:
    shown = visible(data)
    assert not any(ord(c) < 32 or 127 <= ord(c) < 160 for c in shown)
    shown.encode("utf-8")  # always printable as UTF-8: no lone surrogates
