"""The table `make bench` prints and the charts it writes (matplotlib, PNG)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from bench.load import Step

LABELS = {
    "inngest": "POST /api/route (ours: outbox + Inngest)",
    "celery": "POST, Celery (Redis)",
    "rq": "POST, RQ (Redis)",
    "me": "GET /auth/me (no send)",
}


def latency_chart(steps: list[Step], path: Path, title: str = "Accept path: latency vs arrival rate") -> None:
    figure, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    for label in dict.fromkeys(step.label for step in steps):
        mine = [step for step in steps if step.label == label]
        rates = [step.rate for step in mine]
        for axis, percentile in zip(axes, (50, 99), strict=True):
            axis.plot(rates, [step.percentile(percentile) for step in mine], marker="o", label=LABELS.get(label, label))
    for axis, percentile in zip(axes, (50, 99), strict=True):
        axis.set_xlabel("arrival rate (requests/s, open model)")
        axis.set_ylabel(f"p{percentile} latency (ms)")
        axis.set_yscale("log")
        axis.grid(True, which="both", alpha=0.3)
    axes[0].legend(fontsize=8)
    figure.suptitle(title)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def scale_chart(accept_rows: list[dict[str, Any]], processing_rows: list[dict[str, Any]], path: Path) -> None:
    figure, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    for workers in sorted({row["workers"] for row in accept_rows}):
        mine = [row for row in accept_rows if row["workers"] == workers]
        axes[0].plot(
            [row["rate"] for row in mine], [row["p99"] for row in mine], marker="o", label=f"{workers} workers"
        )
    axes[0].set_xlabel("arrival rate (POST /api/route per s)")
    axes[0].set_ylabel("p99 latency (ms)")
    axes[0].set_yscale("log")
    axes[0].legend()
    axes[0].grid(True, alpha=0.3)
    axes[1].bar([str(row["workers"]) for row in processing_rows], [row["MB/s"] for row in processing_rows])
    axes[1].set_xlabel("app worker processes")
    axes[1].set_ylabel("corpus MB/s through Inngest")
    figure.suptitle("Scale: 1, 2 and 4 gunicorn workers (8 threads each)")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def _markdown(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return ""
    header = list(rows[0])
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(row[key]) for key in header) + " |" for row in rows]
    return "\n".join(lines)


def comparison(results: dict[str, Any]) -> list[dict[str, Any]]:
    """At each rate below our knee: the accept path against its two unavoidable parts, and against the peers."""
    steps = results["accept"]["steps"]
    send = results["accept"]["ratio"]["send_p50"]
    rows = []
    for ours in (step for step in steps if step["label"] == "inngest" and step["errors"] == 0):
        if ours["throughput"] < ours["rate"] * 0.9 or ours["p99"] > 250:  # past the knee
            continue
        same_rate = {step["label"]: step for step in steps if step["rate"] == ours["rate"]}
        row: dict[str, Any] = {"rate": ours["rate"], "POST p50": ours["p50"]}
        if "me" in same_rate:
            row["me p50"] = same_rate["me"]["p50"]
            row["send p50"] = send
            row["POST / (me + send)"] = round(ours["p50"] / (same_rate["me"]["p50"] + send), 2)
        peers = [same_rate[peer] for peer in ("celery", "rq") if peer in same_rate]
        if peers:
            fastest = min(peers, key=lambda step: step["p50"])
            row["fastest peer"] = f"{fastest['label']} {fastest['p50']}"
            row["POST / fastest peer"] = round(ours["p50"] / fastest["p50"], 2)
        rows.append(row)
    return rows


def table(results: dict[str, Any]) -> str:
    """Every section's numbers as Markdown tables (what BENCHMARKS.md quotes)."""
    parts = [f"machine: {results['machine']}"]
    if "accept" in results:
        parts += ["\n## Accept path (latency in ms, throughput in ok answers/s)", _markdown(results["accept"]["steps"])]
        parts += ["\nPOST p50 / (me p50 + send p50), and / the fastest peer's p50:", _markdown(comparison(results))]
        parts += ["\nevents:", _markdown([results["accept"]["events"]])]
    if "profile" in results:
        shares = [
            {"part of the accept path": part, "% of samples": share} for part, share in results["profile"].items()
        ]
        parts += ["\n## Profile of the workers under POST /api/route (py-spy)", _markdown(shares)]
    for section in (
        "chunking",
        "chunking_memory",
        "pdf_speed",
        "pdf_speed_overall",
        "reader_speed",
        "ocr_bindings",
        "ocr_scan",
        "outage",
        "latency",
        "latency_pdf",
        "latency_ocr",
        "processing",
        "steps",
        "memory",
        "memory_fit",
        "scale_accept",
        "scale_processing",
    ):
        if section in results:
            rows = results[section] if isinstance(results[section], list) else [results[section]]
            parts += [f"\n## {section}", _markdown(rows)]
    return "\n".join(parts)
