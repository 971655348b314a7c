"""The workspace file: modes, migrations, several processes at once, a process killed mid-write."""

from __future__ import annotations

import os
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tui.domain.errors import WorkspaceUnavailable
from tui.locations import data_dir, workspace_path
from tui.workspace.local.store import MIGRATIONS, SCHEMA_VERSION, Store
from tui.workspace.local.workspace import LocalWorkspace


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_default_location_is_private(isolated_dirs: Path) -> None:
    ws = LocalWorkspace.open()
    try:
        assert ws.path == data_dir() / "workspace.db"
        assert str(ws.path).startswith(str(isolated_dirs))
        assert mode(ws.path.parent) == 0o700
        assert mode(ws.path) == 0o600
        ws.secrets.create_scope("s")  # a write creates the WAL files
        for suffix in ("-wal", "-shm"):
            side = ws.path.with_name(ws.path.name + suffix)
            assert side.exists() and mode(side) == 0o600
    finally:
        ws.store.close()


def test_file_stays_private_under_a_permissive_umask(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        store = Store(tmp_path / "new" / "w.db")
        store.close()
    finally:
        os.umask(old)
    assert mode(tmp_path / "new") == 0o700
    assert mode(tmp_path / "new" / "w.db") == 0o600


def test_workspace_option_beats_env_beats_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert workspace_path(None) == data_dir() / "workspace.db"
    monkeypatch.setenv("SWITCHBOARD_WORKSPACE", str(tmp_path / "env.db"))
    assert workspace_path(None) == tmp_path / "env.db"
    assert workspace_path(str(tmp_path / "opt.db")) == tmp_path / "opt.db"
    assert workspace_path(str(tmp_path)) == tmp_path / "workspace.db"  # an existing directory
    assert workspace_path(str(tmp_path / "newdir") + "/") == tmp_path / "newdir" / "workspace.db"


def test_wal_mode_and_schema_version(tmp_path: Path) -> None:
    store = Store(tmp_path / "w.db")
    store.close()
    conn = sqlite3.connect(tmp_path / "w.db")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    conn.close()


def test_an_old_workspace_is_migrated_keeping_its_data(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    old = Store(path, migrations=MIGRATIONS[:1])
    with old.write() as conn:
        conn.execute("INSERT INTO scopes (name, created_ms) VALUES ('kept', 1)")
    assert old.schema_version == 1
    old.close()
    ws = LocalWorkspace(path)
    try:
        assert ws.store.schema_version == SCHEMA_VERSION
        assert [s.name for s in ws.secrets.list_scopes()] == ["kept"]
        with ws.store.read() as conn:
            assert conn.execute("SELECT COUNT(*) FROM rate_events").fetchone() == (0,)
    finally:
        ws.store.close()


def test_a_newer_workspace_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.close()
    with pytest.raises(WorkspaceUnavailable, match="newer Switchboard"):
        Store(path)


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(WorkspaceUnavailable, match="Cannot open the workspace"):
        Store(path)


def test_a_directory_in_the_way_is_refused(tmp_path: Path) -> None:
    (tmp_path / "w.db").mkdir()
    with pytest.raises(WorkspaceUnavailable):
        Store(tmp_path / "w.db")


WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from tui.workspace.local.workspace import LocalWorkspace
    ws = LocalWorkspace(Path(sys.argv[1]), user=sys.argv[2])
    tag, count = sys.argv[2], int(sys.argv[3])
    try:
        ws.secrets.create_scope(tag)
        print("ready", flush=True)
        for i in range(count):
            ws.secrets.put_secret(tag, f"k{i}", b"v" * 64)
            ws.secrets.put_secret("shared", f"{tag}-{i}", b"v")
    finally:
        ws.store.close()
    """
)


def test_two_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    ws = LocalWorkspace(path)
    ws.secrets.create_scope("shared")
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), tag, "150"], stdout=subprocess.PIPE, text=True)
        for tag in ("alpha", "beta")
    ]
    for proc in procs:
        assert proc.wait(timeout=120) == 0
    try:
        assert len(ws.secrets.list_secrets("alpha")) == 150
        assert len(ws.secrets.list_secrets("beta")) == 150
        assert len(ws.secrets.list_secrets("shared")) == 300
    finally:
        ws.store.close()


ENDLESS_WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from tui.domain.base import parse_user_input
    from tui.domain.endpoints import CreateServingEndpoint
    from tui.workspace.local.workspace import LocalWorkspace
    ws = LocalWorkspace(Path(sys.argv[1]))
    ws.secrets.create_scope("s")
    ws.secrets.put_secret("s", "k", b"key")
    for i in range(100_000):  # bounded; the test kills it long before
        body = {"name": f"ep-{i}", "config": {"served_entities": [{"external_model": {
            "name": "gpt-4o", "provider": "openai", "task": "llm/v1/chat",
            "openai_config": {"openai_api_key": "{{secrets/s/k}}"}}}]}}
        ws.endpoints.create(parse_user_input(CreateServingEndpoint, body, "endpoint"))
        ws.secrets.put_secret("s", f"k{i}", b"x" * 2048)
        if i == 20:
            print("going", flush=True)
    """
)


def test_a_process_killed_mid_write_leaves_a_readable_workspace(tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    proc = subprocess.Popen([sys.executable, "-c", ENDLESS_WRITER, str(path)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "going"
    time.sleep(0.3)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    ws = LocalWorkspace(path)
    try:
        endpoints = ws.endpoints.list()
        assert len(endpoints) > 20
        assert all(e.state is not None and e.state.ready == "READY" for e in endpoints)
        names = {e.name for e in endpoints}
        assert names == {f"ep-{i}" for i in range(len(endpoints))}  # no gaps: every write whole or absent
        ws.secrets.create_scope("after")  # still writable
    finally:
        ws.store.close()


def test_a_one_row_read_sees_each_write_of_another_process_and_holds_no_snapshot(tmp_path: Path) -> None:
    path = tmp_path / "ws.db"
    mine, other = Store(path), Store(path)
    query = "SELECT key FROM secrets WHERE scope = ? ORDER BY key"
    insert = "INSERT INTO secrets (scope, key, value, last_updated_ms) VALUES ('s', ?, x'00', 0)"
    try:
        with other.write() as conn:
            conn.execute("INSERT INTO scopes (name, created_ms) VALUES ('s', 0)")
        assert mine.read_row(query, ("s",)) is None
        with other.write() as conn:
            conn.execute(insert, ("b",))
        assert mine.read_row(query, ("s",)) == ("b",)
        with other.write() as conn:
            conn.execute(insert, ("a",))
        assert mine.read_row(query, ("s",)) == ("a",)  # two rows match: the first is handed out
        with other.write() as conn:
            conn.execute("DELETE FROM secrets")
        with sqlite3.connect(path, timeout=1) as checkpoint:  # it cannot finish while a reader keeps an old snapshot
            assert checkpoint.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0
        assert mine.read_row(query, ("s",)) is None
    finally:
        mine.close()
        other.close()
