"""The app's warm-up makes the common code lexers, so the first fence of an answer does not stall a frame."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
from pygments.lexers.python import PythonLexer
from pygments.lexers.shell import BashLexer
compiled = lambda cls: "_tokens" in cls.__dict__  # pygments compiles a lexer's rules on first use
assert not compiled(PythonLexer) and not compiled(BashLexer)
from tui.widgets.stream_view import preload_renderer
preload_renderer()
print(compiled(PythonLexer), compiled(BashLexer))
"""


def test_preloading_the_renderer_compiles_the_common_lexers() -> None:
    # A fresh interpreter: in this one another test may already have used the lexers.
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True"]
