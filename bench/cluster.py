"""`make bench-cluster`: the topology of `make cluster` with N = 1, 2 and 4 app instances, on the same load.

For each N, a fresh cluster (stack.cluster on free ports): first the corpus slice of the scale
section (40 documents, 37.7 MB) posted at once through the balancer and timed to the last
`processed_at`; then the accept ladder through the balancer with vegeta. Results go to
bench/results/cluster.json; BENCHMARKS.md ("Several instances") has the table.
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


def accept_ladder(
    cluster: Cluster, cookie: str, rates: list[float], duration: float, work: Path
) -> list[dict[str, Any]]:
    attack("warm-up", post_targets(f"{cluster.url}/api/route", cookie, 31, "warm-up"), 10, 3, work, {200, 202})
    rows = []
    for rate in rates:
        targets = post_targets(f"{cluster.url}/api/route", cookie, int(rate * duration) + 1, f"ladder-{rate:g}")
        step = attack("cluster", targets, rate, duration, work, {200, 202})
        rows.append(step.row() | {"codes": step.codes})
        print(f"    {rate:6g}/s  " + "  ".join(f"{key}={value}" for key, value in step.row().items()), flush=True)
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
        print(f"  N={instances}: ready in {ready_seconds:.1f} s; processing the corpus slice", flush=True)
        processing = process_corpus(cluster, cookie, slice_size)
        print(f"    {processing}", flush=True)
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
    parser.add_argument("--documents", type=int, default=40, help="how many of the corpus's documents to process")
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
