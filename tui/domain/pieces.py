"""Text that arrives in many small pieces (a streamed answer), kept in a few long strings."""

from __future__ import annotations

JOIN_EVERY = 64
"""Pieces are joined in runs of this many as they arrive."""


class TextPieces:
    """Append-only text built from small pieces.

    A streamed answer comes one token at a time. Kept as one small string per token, an 8 x 50,000-token
    run held 400,000 of them, made between each frame's short-lived garbage, and they pinned ~5 MiB of
    the allocator's arenas for good. So pieces are joined in runs of `JOIN_EVERY` as they arrive, and
    `text` joins the runs once and keeps the result until the next piece.
    """

    __slots__ = ("_loose", "_runs")

    def __init__(self, text: str = "") -> None:
        self._runs: list[str] = [text] if text else []
        self._loose = 0  # pieces at the end of _runs not yet joined into a run

    def append(self, piece: str) -> None:
        runs = self._runs
        runs.append(piece)
        self._loose += 1
        if self._loose == JOIN_EVERY:
            runs[-JOIN_EVERY:] = ["".join(runs[-JOIN_EVERY:])]
            self._loose = 0

    @property
    def text(self) -> str:
        """Everything appended, as one string."""
        runs = self._runs
        if len(runs) > 1:
            joined = "".join(runs)
            runs[:] = [joined] if joined else []
            self._loose = 0
        return runs[0] if runs else ""
