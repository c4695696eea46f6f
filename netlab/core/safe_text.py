"""The one way untrusted text is shown (DESIGN §1.5).

Data from the network, what actors print, exception text and anything read from a recording go
through :func:`visible` before they reach a screen: control characters, escape sequences, bidi
overrides, invisible format characters and invalid UTF-8 become visible escapes (``\\x1b``,
``\\u202e``, ``\\xff``). Nothing here interprets markup; views must not either.
"""

from __future__ import annotations

import re

_INVISIBLE = [
    *range(0x00, 0x20), 0x7F, *range(0x80, 0xA0),  # C0 and C1 controls, DEL
    0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A),  # bidi
    0x200B, 0x2028, 0x2029, 0x2060, 0xFEFF,  # zero width, line and paragraph separators
]  # fmt: skip


def _escape(code: int) -> str:
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


_TABLE = {code: _escape(code) for code in _INVISIBLE}
_TABLE_MULTILINE = {code: text for code, text in _TABLE.items() if code != 0x0A}
_SURROGATES = re.compile("[\ud800-\udfff]")


def visible(text: str | bytes, *, multiline: bool = False) -> str:
    """``text`` with everything that could act on a terminal made visible.

    Bytes are decoded as UTF-8 with invalid bytes shown as ``\\xNN``. With ``multiline`` newlines
    are kept; every other control character is escaped.
    """
    if isinstance(text, (bytes, bytearray, memoryview)):
        text = bytes(text).decode("utf-8", "backslashreplace")
    elif not isinstance(text, str):
        text = str(text)
    text = text.translate(_TABLE_MULTILINE if multiline else _TABLE)
    if _SURROGATES.search(text):
        text = _SURROGATES.sub(lambda m: _escape(ord(m.group())), text)
    return text
