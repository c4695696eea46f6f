"""``visible``: exactly what is escaped, and how, written by hand (DESIGN §1.5)."""

from __future__ import annotations

import pytest

from netlab.core.safe_text import visible


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("\x00", "\\x00"),
        ("\x1b[31mred", "\\x1b[31mred"),
        ("a\nb\r\tc", "a\\x0ab\\x0d\\x09c"),
        ("\x1f\x7f", "\\x1f\\x7f"),
        ("\x80\x85\x9b\x9f", "\\x80\\x85\\x9b\\x9f"),
        ("\u061c\u200e\u200f", "\\u061c\\u200e\\u200f"),
        ("\u202a\u202b\u202c\u202d\u202e", "\\u202a\\u202b\\u202c\\u202d\\u202e"),
        ("\u2066\u2067\u2068\u2069", "\\u2066\\u2067\\u2068\\u2069"),
        ("\u200b\u2028\u2029\u2060\ufeff", "\\u200b\\u2028\\u2029\\u2060\\ufeff"),
        ("\ud800 \udcff \udfff", "\\ud800 \\udcff \\udfff"),
    ],
)
def test_what_could_act_on_a_terminal_is_escaped(text: str, shown: str) -> None:
    assert visible(text) == shown


@pytest.mark.parametrize(
    "text",
    [" ~", "café", "中文", "\u00a0\u00ff\u0100", "\u202f", "\u206a", "😀", "a\\x1b"],
)
def test_everything_else_is_shown_as_it_is(text: str) -> None:
    assert visible(text) == text


def test_multiline_keeps_newlines_and_only_newlines() -> None:
    assert visible("a\nb\r\n\x1b", multiline=True) == "a\nb\\x0d\n\\x1b"


@pytest.mark.parametrize(
    ("data", "shown"),
    [
        (b"hello", "hello"),
        (b"caf\xc3\xa9", "café"),
        (b"\xff\xfe", "\\xff\\xfe"),
        (b"\xc3", "\\xc3"),
        (b"\x1b[2J", "\\x1b[2J"),
        (b"\xe2\x80\xae", "\\u202e"),
    ],
)
def test_bytes_are_utf_8_with_invalid_bytes_shown(data: bytes, shown: str) -> None:
    assert visible(data) == shown
    assert visible(bytearray(data)) == shown
    assert visible(memoryview(data)) == shown


def test_anything_else_is_shown_as_its_text() -> None:
    assert visible(5) == "5"
    assert visible(None) == "None"
    assert visible(["\x1b"]) == "['\\x1b']"
    assert visible(1.5) == "1.5"
