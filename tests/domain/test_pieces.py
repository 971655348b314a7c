"""TextPieces: text built from many small pieces, joined in runs as they arrive."""

from __future__ import annotations

from tui.domain.pieces import JOIN_EVERY, TextPieces


def test_the_text_is_every_piece_in_order_whenever_it_is_read() -> None:
    built = TextPieces("start:")
    expected = "start:"
    for n in range(5 * JOIN_EVERY + 7):
        piece = f"<{n}>"
        built.append(piece)
        expected += piece
        if n in (0, JOIN_EVERY - 1, JOIN_EVERY, 3 * JOIN_EVERY + 2):
            assert built.text == expected
    assert built.text == expected
    assert built.text is built.text, "joined once, kept until the next piece"


def test_empty() -> None:
    assert TextPieces().text == ""
    assert TextPieces("").text == ""
    built = TextPieces()
    built.append("")
    built.append("")
    assert built.text == ""
