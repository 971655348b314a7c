"""printable() and markup_literal(): for any text, nothing that could steer a terminal survives, and the
rest is kept as it was."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st
from textual.content import Content

from tui.domain.text import has_control, markup_literal, printable

HOSTILE = st.text(
    alphabet=st.one_of(
        st.characters(),
        st.sampled_from(
            ["\x1b", "\x9b", "\x07", "\r", "\n", "\t", "[", "]", "/", "\\", "\u202e", "\x7f", "\ud800", "\udfff"]
        ),
    ),
    max_size=200,
)


def unsafe(char: str) -> bool:
    code = ord(char)
    return (
        (code < 0x20 and char not in "\t\n")
        or 0x7F <= code <= 0x9F
        or 0xD800 <= code <= 0xDFFF
        or char in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    )


@given(HOSTILE)
def test_nothing_unsafe_survives_and_the_result_encodes(text: str) -> None:
    shown = printable(text)
    assert not any(unsafe(c) for c in shown)
    assert not has_control(shown)
    shown.encode("utf-8")  # a lone surrogate would raise here, as it would on the terminal
    assert printable(shown) == shown


@given(
    st.text(
        alphabet=st.characters(
            exclude_categories=("Cc", "Cs"), exclude_characters="\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
        ),
        max_size=200,
    )
)
def test_safe_text_is_left_alone(text: str) -> None:
    assert printable(text) == text


def test_each_kind_of_control_has_a_visible_stand_in() -> None:
    assert printable("a\x1b[2Jb") == "a␛[2Jb"
    assert printable("t\x1b]0;x\x07") == "t␛]0;x␇"
    assert printable("c\x9b2J") == "c\\x9b2J"
    assert printable("r\u202eL") == "r\\u202eL"
    assert printable("s\ud800") == "s\ufffd"
    assert printable("l1\r\nl2\tx\x7f") == "l1\nl2\tx␡"
    assert unicodedata.name(printable("\x00")) == "SYMBOL FOR NULL"


@given(HOSTILE)
def test_markup_literal_shows_exactly_the_printable_text(text: str) -> None:
    assert Content.from_markup(markup_literal(text)).plain == printable(text)
