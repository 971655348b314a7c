"""release_memory(): what closed panes and cleared answers left is freed, even after a freeze."""

from __future__ import annotations

import gc
import weakref

from tui import gc_policy


class Node:
    """An object in a reference cycle, as widgets are."""

    def __init__(self) -> None:
        self.me = self


def test_frozen_cyclic_garbage_is_freed_by_release_memory() -> None:
    gc_policy.install_gc_policy()
    try:
        node = Node()
        alive = weakref.ref(node)
        gc_policy.streams_idle()  # an answer finished: what is alive now is frozen
        assert gc.get_freeze_count() > 0
        del node  # a closed pane: cyclic garbage among the frozen objects
        gc.collect()
        assert alive() is not None, "a frozen cycle outlives an ordinary collection"
        gc_policy.release_memory()
        assert alive() is None
        assert gc.get_freeze_count() > 0, "the survivors are frozen again"
    finally:
        gc_policy.uninstall_gc_policy()
        gc.unfreeze()


def test_release_memory_without_the_policy_collects() -> None:
    node = Node()
    alive = weakref.ref(node)
    del node
    gc_policy.release_memory()
    assert alive() is None
    assert not gc_policy.gc_policy_installed()
