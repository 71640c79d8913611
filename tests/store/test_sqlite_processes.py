"""Several worker processes opening and writing one SQLite file at once lose nothing and corrupt nothing."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from sample_events import run

from apiward.store import open_store

WORKERS = 6
WORKER = """
import asyncio, sys, time
from apiward.core import Event
from apiward.store import open_store

async def main(url, worker, start):
    while time.time() < start:  # spin, so that every worker opens the new file at the same instant
        pass
    store = open_store(url)
    for batch in range(10):
        events = [
            Event(id=f"{worker:04d}{batch:04d}{i:04d}", timestamp=1000.0 + i, action="block", enforced=True,
                  status=403, method="GET", path="/p", client_ip="192.0.2.%d" % worker)
            for i in range(50)
        ]
        await store.write_batch(events)
    await store.close()

asyncio.run(main(sys.argv[1], int(sys.argv[2]), float(sys.argv[3])))
"""


def test_concurrent_processes_share_one_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    start = str(time.time() + 1.0)  # after every interpreter has imported apiward
    procs = [
        subprocess.Popen([sys.executable, "-c", WORKER, url, str(w), start], stderr=subprocess.PIPE) for w in range(WORKERS)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()

    async def check() -> None:
        store = open_store(url)
        assert await store.count_by("client_ip") == [(f"192.0.2.{w}", 500) for w in range(WORKERS)]
        await store.close()

    run(check())
