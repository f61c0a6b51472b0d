"""`make bench-cluster`: the topology of `make cluster` with N = 1, 2 and 4 app instances, on the same load.

For each N, a fresh cluster (stack.cluster on free ports): first the corpus slice of the scale
section (40 documents, 37.7 MB) posted at once through the balancer and timed to the last
`processed_at`; then the accept ladder through the balancer with vegeta, with the CPU each part of the
cluster used during each step (psutil: each supervised process and its descendants) and how busy
the whole machine was. Results go to bench/results/cluster.json; BENCHMARKS.md ("Several
instances") has the table.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import psutil
import sqlalchemy
from boto3.s3.transfer import TransferConfig

from bench.corpus import make_corpus
from bench.load import attack, past_the_knee, post_targets
from stack.cluster import Cluster, ClusterPorts
from stack.processes import Supervisor
from stack.services import s3_client
from tests.conftest import PASSWORD, build_app, create_user
from tests.support.inngest_server import server_binary
from tests.support.polling import wait_until

BENCH = Path(__file__).resolve().parent
CORPUS = BENCH / ".corpus"
RESULTS = BENCH / "results" / "cluster.json"
EMAIL = "bench@example.com"
TERMINAL = ("processed", "unchanged", "failed")


def signed_in_cookie(cluster: Cluster) -> str:
    response = httpx.post(f"{cluster.url}/auth/login", json={"email": EMAIL, "password": PASSWORD}, timeout=30)
    response.raise_for_status()
    return f"session={response.cookies['session']}"


def process_corpus(cluster: Cluster, cookie: str, slice_size: int) -> dict[str, Any]:
    corpus = make_corpus(CORPUS / "main", 100, 10_000, 5_000_000)[:slice_size]
    settings = cluster.s3_settings
    user_id = httpx.get(f"{cluster.url}/auth/me", headers={"Cookie": cookie}, timeout=30).json()["user"]["id"]
    s3 = s3_client(settings)
    single_put = TransferConfig(multipart_threshold=2**31)  # moto's multipart checksums trip boto3's download
    for document in corpus:
        s3.upload_file(str(document.path), settings["AWS_S3_BUCKET"], f"users/{user_id}/corpus/{document.name}",
                       Config=single_put)  # fmt: skip
    s3.close()
    names = [f"corpus/{document.name}" for document in corpus]
    database = sqlalchemy.create_engine(cluster.database_url)
    started = time.time()
    with httpx.Client(base_url=cluster.url, headers={"Cookie": cookie}, timeout=60) as client:
        for name in names:
            response = client.post("/api/route", json={"documentName": name})
            assert response.status_code in (200, 202), response.text

    def finished() -> list[tuple[str, float | None]] | None:
        with database.connect() as connection:
            rows = connection.execute(
                sqlalchemy.text("SELECT status, processed_at FROM documents WHERE name = ANY(:names)"),
                {"names": names},
            ).all()
        done = len(rows) == len(names) and all(status in TERMINAL for status, _ in rows)
        return [(status, at.timestamp() if at else None) for status, at in rows] if done else None

    rows = wait_until(finished, f"{len(names)} documents processed", timeout=1800, interval=0.5)
    database.dispose()
    seconds = max(at for _, at in rows if at) - started
    megabytes = sum(document.size for document in corpus) / 1e6
    return {
        "documents": len(names),
        "megabytes": round(megabytes, 1),
        "failed": sum(status == "failed" for status, _ in rows),
        "seconds": round(seconds, 1),
        "docs_per_second": round(len(names) / seconds, 2),
        "mb_per_second": round(megabytes / seconds, 2),
    }


def cpu_seconds(supervisor: Supervisor) -> dict[str, float]:
    """CPU seconds (user + system) used so far by each part of the cluster, its app instances added up.

    Each live process's own time and that of its children it has reaped: PostgreSQL's backends come
    and go with their connections, and only their parent keeps their time once they have exited.
    """
    used: dict[str, float] = {}
    for child in supervisor.children:
        part = "app instances" if child.name.startswith("app instance") else child.name
        try:
            root = psutil.Process(child.process.pid)
            processes = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            continue
        for process in processes:
            try:
                times = process.cpu_times()
            except psutil.NoSuchProcess:
                continue
            used[part] = used.get(part, 0.0) + times.user + times.system + times.children_user + times.children_system
    return used


def machine_busy_seconds() -> tuple[float, float]:
    """(busy, idle) CPU seconds of the whole machine so far, every core added up."""
    times = psutil.cpu_times()
    return times.user + times.nice + times.system + times.irq + times.softirq, times.idle + times.iowait


def accept_ladder(
    cluster: Cluster, cookie: str, rates: list[float], duration: float, work: Path
) -> list[dict[str, Any]]:
    attack("warm-up", post_targets(f"{cluster.url}/api/route", cookie, 31, "warm-up"), 10, 3, work, {200, 202})
    rows = []
    for rate in rates:
        targets = post_targets(f"{cluster.url}/api/route", cookie, int(rate * duration) + 1, f"ladder-{rate:g}")
        used_before, (busy_before, idle_before) = cpu_seconds(cluster.supervisor), machine_busy_seconds()
        step = attack("cluster", targets, rate, duration, work, {200, 202})
        used_after, (busy_after, idle_after) = cpu_seconds(cluster.supervisor), machine_busy_seconds()
        busy, idle = busy_after - busy_before, idle_after - idle_before
        cpu = {part: round(used_after[part] - used_before.get(part, 0.0), 1) for part in used_after}
        machine = {"machine_busy": round(busy / (busy + idle), 2), "machine_cpu_seconds": round(busy, 1)}
        rows.append(step.row() | {"codes": step.codes, "cpu_seconds": cpu} | machine)
        print(f"    {rate:6g}/s  " + "  ".join(f"{key}={value}" for key, value in step.row().items()), flush=True)
        print(f"            machine {busy / (busy + idle):.0%} busy; cpu-s {cpu}", flush=True)
        if past_the_knee(step):
            break
        time.sleep(1)
    return rows


def measure(instances: int, rates: list[float], duration: float, slice_size: int) -> dict[str, Any]:
    directory = Path(tempfile.mkdtemp(prefix="bench-cluster-"))
    directory.chmod(0o755)  # PostgreSQL runs as the postgres user, who must reach it
    supervisor = Supervisor(f"bench cluster N={instances}")
    cluster = Cluster(supervisor, directory, ClusterPorts.free(instances), inngest_binary=server_binary())
    try:
        started = time.monotonic()
        cluster.start()
        ready_seconds = time.monotonic() - started
        database_app = build_app({"INNGEST_DEV": True, "DATABASE_URL": cluster.database_url,
                                  "OUTBOX_RELAY_ENABLED": False})  # fmt: skip
        create_user(database_app, EMAIL)
        cookie = signed_in_cookie(cluster)
        print(f"  N={instances}: ready in {ready_seconds:.1f} s", flush=True)
        processing = process_corpus(cluster, cookie, slice_size) if slice_size else None
        print(f"    processing the corpus slice: {processing}", flush=True)
        accept = accept_ladder(cluster, cookie, rates, duration, directory / "vegeta")
        return {"instances": instances, "ready_seconds": round(ready_seconds, 1), "processing": processing,
                "accept": accept}  # fmt: skip
    finally:
        supervisor.stop_all()
        shutil.rmtree(directory, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--instances", default="1,2,4", help="comma-separated numbers of app instances")
    parser.add_argument("--rates", default="50,100,200,300", help="the accept ladder's arrival rates (requests/s)")
    parser.add_argument("--duration", type=float, default=8.0, help="seconds at each rate")
    parser.add_argument(
        "--documents", type=int, default=40, help="how many of the corpus's documents to process (0: skip it)"
    )
    parser.add_argument("--results", type=Path, default=RESULTS)
    arguments = parser.parse_args()
    rates = [float(rate) for rate in arguments.rates.split(",")]
    results = []
    for instances in (int(number) for number in arguments.instances.split(",")):
        results.append(measure(instances, rates, arguments.duration, arguments.documents))
        arguments.results.parent.mkdir(parents=True, exist_ok=True)
        arguments.results.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
