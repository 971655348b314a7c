"""Putting a fix to Textual in place (`strip_cycles`, `strip_caches`, `inner_outer_cache`, `dirty_renders`,
`single_reflow`): each replaces attributes of a Textual class with its own, and only on the Textual versions it
was checked against (the project pins textual to 8.2.x; `tests/widgets/test_textual_fixes_installed.py` says
when a new one comes)."""

from __future__ import annotations


def put_in_place(owner: type, replacements: dict[str, object], checked: str) -> bool:
    """Set `replacements` on `owner` (idempotent) if the installed Textual's version starts with `checked`.
    Returns whether they are in place."""
    from textual import __version__

    if not __version__.startswith(checked):
        return False
    for name, value in replacements.items():
        setattr(owner, name, value)
    return True
