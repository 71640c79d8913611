"""Several worker processes writing one SQLite file at once lose nothing and corrupt nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sample_events import run

from apiward.store import open_store

WORKER = """
import asyncio, sys
from apiward.core import Event
from apiward.store import open_store

async def main(url, worker):
    store = open_store(url)
    for batch in range(10):
        events = [
            Event(id=f"{worker:04d}{batch:04d}{i:04d}", timestamp=1000.0 + i, action="block", enforced=True,
                  status=403, method="GET", path="/p", client_ip="192.0.2.%d" % worker)
            for i in range(50)
        ]
        await store.write_batch(events)
    await store.close()

asyncio.run(main(sys.argv[1], int(sys.argv[2])))
"""


def test_concurrent_processes_share_one_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, url, str(w)], stderr=subprocess.PIPE) for w in range(4)]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()

    async def check() -> None:
        store = open_store(url)
        assert await store.count_by("client_ip") == [(f"192.0.2.{w}", 500) for w in range(4)]
        await store.close()

    run(check())
