"""A pane's status line breaks between figures, never inside one."""

from __future__ import annotations

from tui.app.playground.pane_text import fit_parts

PARTS = ["✓ done", "TTFT 0.40 s", "120 tok/s", "2.89 s total", "6+300 tok", "finish: stop"]


def test_a_wide_pane_gets_one_line() -> None:
    assert fit_parts(PARTS, 200) == "✓ done · TTFT 0.40 s · 120 tok/s · 2.89 s total · 6+300 tok · finish: stop"


def test_a_narrow_pane_gets_whole_figures_on_more_lines() -> None:
    text = fit_parts(PARTS, 40)
    lines = text.split("\n")
    assert len(lines) == 2 and all(len(line) <= 40 for line in lines)
    assert [part for line in lines for part in line.split(" · ")] == PARTS  # nothing lost, nothing split


def test_a_figure_wider_than_the_pane_stands_alone() -> None:
    assert fit_parts(["a", "b" * 30, "c"], 10) == "a\n" + "b" * 30 + "\nc"


def test_no_width_means_one_line() -> None:
    assert "\n" not in fit_parts(PARTS, 0)
