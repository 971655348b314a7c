"""Bytes cut into pieces, as a network may hand them over."""

from __future__ import annotations

from itertools import pairwise


def cut_at(raw: bytes, cuts: list[int]) -> list[bytes]:
    """``raw`` cut at each offset in ``cuts`` (offsets past its end cut at the end; no empty pieces)."""
    points = sorted({min(cut, len(raw)) for cut in cuts} | {0, len(raw)})
    return [raw[a:b] for a, b in pairwise(points)]
