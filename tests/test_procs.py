"""A real kill -9 of a real `triage -j 3`: its spawn workers and resource tracker go with it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import SAMPLE_TEXT

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux /proc")


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of a live process, None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return fields[0], int(fields[1])


def _children(parent: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) and stat[1] == parent:
            out.append(int(entry.name))
    return out


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _alive(pid: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[0] not in ("Z", "X")  # a zombie has exited; only its entry waits


def test_workers_and_resource_tracker_exit_when_triage_is_killed(tmp_path: Path) -> None:
    folder, out = tmp_path / "mous", tmp_path / "out"
    folder.mkdir()
    for i in range(300):  # enough work that the batch is mid-way when it is killed
        (folder / f"mou{i:03}.txt").write_text("\n\n".join([*SAMPLE_TEXT, f"Agreement number {i}."]))
    command = [sys.executable, "-c", "from mou_review.cli import main; main()", "triage", str(folder)]
    # -j 3: this process and two spawn workers share the batch
    command += ["--out", str(out), "--no-index", "-j", "3", "--backend", "offline"]
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # mid-batch, with the pool's workers started
            assert proc.poll() is None, "triage ended before it could be killed"
            children = _children(proc.pid)
            cmdlines = [_cmdline(pid) for pid in children]
            if (
                len(list((out / "reviews").glob("*.json"))) >= 4
                and sum(b"spawn_main" in c for c in cmdlines) == 2
            ):
                break
            time.sleep(0.05)
        assert sum(b"spawn_main" in c for c in cmdlines) == 2, "two spawn workers were running"
        assert any(b"resource_tracker" in c for c in cmdlines), "the resource tracker was running"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 20
        while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [pid for pid in children if _alive(pid)] == [], "orphans outlived the killed parent"
    finally:
        proc.kill()


CHILD = """
import time
from mou_review.procs import exit_with_parent

def late_worker() -> None:
    time.sleep(1.5)  # still "importing" when its parent dies
    exit_with_parent()
    time.sleep(60)
"""

PARENT = """
import multiprocessing, os, sys
sys.path.insert(0, sys.argv[1])
from late_child import late_worker

if __name__ == "__main__":
    child = multiprocessing.get_context("spawn").Process(target=late_worker)
    child.start()
    with open(sys.argv[2], "w") as fh:
        fh.write(str(child.pid))
    os._exit(0)  # dies before the child has asked to die with it
"""


def test_a_worker_whose_parent_died_during_its_start_up_exits(tmp_path: Path) -> None:
    (tmp_path / "late_child.py").write_text(CHILD)
    (tmp_path / "parent.py").write_text(PARENT)
    pid_file = tmp_path / "child.pid"
    command = [sys.executable, str(tmp_path / "parent.py"), str(tmp_path), str(pid_file)]
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    child = int(pid_file.read_text())
    deadline = time.monotonic() + 20
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    alive = _alive(child)
    if alive:
        os.kill(child, signal.SIGKILL)
    assert not alive, "the worker outlived a parent that died while it started"
