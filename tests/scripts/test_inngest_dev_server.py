"""scripts/inngest-dev-server finds the packed copy these machines keep beside a checkout, and beside
the repository a checkout was cloned from (a fresh clone in a temporary folder, as CI makes)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.support.app_server import REPOSITORY
from tests.support.inngest_server import server_binary


def clone_with_the_script(origin: Path, clone: Path) -> None:
    """A repository holding only the script, at origin, and a clone of it at clone."""
    (origin / "scripts").mkdir(parents=True)
    shutil.copy2(REPOSITORY / "scripts" / "inngest-dev-server", origin / "scripts")
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@example.com"]
    subprocess.run([*git, "init", "-q", str(origin)], check=True)
    subprocess.run([*git, "-C", str(origin), "add", "scripts"], check=True)
    subprocess.run([*git, "-C", str(origin), "commit", "-q", "-m", "script"], check=True)
    subprocess.run(["git", "clone", "-q", str(origin), str(clone)], check=True)


def find_server(clone: Path, home: Path) -> subprocess.CompletedProcess[str]:
    """The script's --check run in clone, with no override, nothing on PATH and an empty cache."""
    environment = {"PATH": "/usr/bin:/bin", "HOME": str(home), "XDG_CACHE_HOME": str(home / "cache")}
    return subprocess.run(
        [str(clone / "scripts" / "inngest-dev-server"), "--check"],
        capture_output=True, text=True, env=environment, check=False, timeout=60,
    )  # fmt: skip


def pack_beside(folder: Path, binary: str) -> None:
    """A stand-in for ../shared/inngest/inngest-dev-server: it prints the path of the real binary."""
    unpacker = folder / "shared" / "inngest" / "inngest-dev-server"
    unpacker.parent.mkdir(parents=True)
    unpacker.write_text(f"#!/bin/sh\necho '{binary}'\n")
    unpacker.chmod(0o755)


def test_a_clone_elsewhere_finds_the_packed_copy_beside_its_origin(tmp_path):
    binary = server_binary()
    pack_beside(tmp_path / "machine", binary)
    clone = tmp_path / "elsewhere" / "clone"
    clone_with_the_script(tmp_path / "machine" / "checkout", clone)

    found = find_server(clone, tmp_path / "home")

    assert found.returncode == 0, found.stderr
    assert Path(found.stdout.strip()).resolve() == Path(binary).resolve()


def test_a_clone_whose_origin_has_no_packed_copy_finds_nothing(tmp_path):
    clone = tmp_path / "elsewhere" / "clone"
    clone_with_the_script(tmp_path / "machine" / "checkout", clone)

    found = find_server(clone, tmp_path / "home")

    assert found.returncode == 1
    assert found.stdout == ""
