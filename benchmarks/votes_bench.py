"""Sustained votes per second of one `foretell votes serve` process.

    python benchmarks/votes_bench.py [--seconds 10] [--concurrency 64] [--predictions 20]

Starts one endpoint process (WAL, synchronous=FULL: every 200 is on disk, exactly as in
production), then hammers it with POSTs from a separate load-generator process: `concurrency`
keep-alive connections, each sending its next vote as soon as the previous one is answered,
every vote from a new voter. Prints votes/second, latency percentiles and a consistency check
(the endpoint's final counts must equal the number of 200s received).

The load generator speaks HTTP/1.1 over raw asyncio streams rather than through httpx, so
that on a small machine it costs the endpoint as little CPU as possible.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import itertools
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from builder.votes.manifest import build_manifest  # noqa: E402

CHOICES = ("will", "wont", "maybe")


# -- load generator (runs in its own process) ----------------------------------------------


async def _connection(
    host: str,
    port: int,
    slugs: list[str],
    numbers: itertools.count[int],
    run: str,
    deadline: float,
    latencies: list[float],
    failures: list[str],
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() < deadline:
            n = next(numbers)
            body = json.dumps({"choice": CHOICES[n % 3], "voter": f"bench-{run}-{n:010d}"}).encode()
            head = (
                f"POST /v1/predictions/{slugs[n % len(slugs)]}/votes HTTP/1.1\r\n"
                f"Host: {host}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n"
            )
            started = time.perf_counter()
            writer.write(head.encode() + body)
            status = int((await reader.readline()).split()[1])
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            await reader.readexactly(length)
            if status == 200:
                latencies.append(time.perf_counter() - started)
            else:
                failures.append(str(status))
    finally:
        writer.close()


async def _load(url: str, slugs: list[str], seconds: float, concurrency: int) -> dict[str, object]:
    host, port = url.removeprefix("http://").split(":")
    latencies: list[float] = []
    failures: list[str] = []
    numbers = itertools.count()
    run = f"{os.getpid()}{time.monotonic_ns() % 10**6}"
    started = time.perf_counter()
    deadline = started + seconds
    await asyncio.gather(
        *(
            _connection(host, int(port), slugs, numbers, run, deadline, latencies, failures)
            for _ in range(concurrency)
        )
    )
    elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    return {
        "ok": len(latencies),
        "failures": len(failures),
        "elapsed": elapsed,
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "max_ms": latencies[-1] * 1000,
    }


# -- orchestration -------------------------------------------------------------------------


def _start_server(workdir: Path, manifest: Path) -> tuple[subprocess.Popen[bytes], str]:
    log = (workdir / "server.log").open("wb")
    command = [
        sys.executable,
        "-m",
        "builder.votes",
        "serve",
        "--db",
        str(workdir / "votes.sqlite3"),
        "--manifest",
        str(manifest),
        "--port",
        "0",
        "--rate-limit",
        "0",
    ]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    log.close()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        match = re.search(rb"on (http://[\d.]+:\d+) ", (workdir / "server.log").read_bytes())
        if match:
            return proc, match.group(1).decode()
        if proc.poll() is not None:
            break
        time.sleep(0.02)
    proc.kill()
    raise SystemExit("endpoint did not start:\n" + (workdir / "server.log").read_text())


def _get_json(url: str) -> dict[str, object]:
    with urllib.request.urlopen(url, timeout=10) as response:
        result: dict[str, object] = json.load(response)
        return result


def _cpu_seconds(pid: int) -> float:
    # utime + stime of the endpoint process: its own cost per vote, whatever else the machine
    # is busy with while the benchmark runs.
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _filesystem(path: Path) -> str:
    best = ("", "?")
    with open("/proc/mounts") as mounts:
        for line in mounts:
            _, mount_point, fs_type, *_ = line.split()
            if str(path).startswith(mount_point) and len(mount_point) > len(best[0]):
                best = (mount_point, fs_type)
    return best[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--predictions", type=int, default=20)
    parser.add_argument(
        "--workdir",
        type=Path,
        default=REPO / "benchmarks" / "work",
        help="where the database goes: a real disk, not tmpfs (default: %(default)s)",
    )
    parser.add_argument("--client", help=argparse.SUPPRESS)  # internal: be the load generator
    args = parser.parse_args()

    slugs = [f"prediction-{i:03d}" for i in range(args.predictions)]
    if args.client:
        result = asyncio.run(_load(args.client, slugs, args.seconds, args.concurrency))
        print(json.dumps(result))
        return 0

    args.workdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=args.workdir, prefix="votes-bench-") as tmp:
        workdir = Path(tmp)
        manifest = workdir / "votes-manifest.json"
        target = datetime.date.today() + datetime.timedelta(days=365)
        manifest.write_bytes(build_manifest((slug, target) for slug in slugs))
        proc, url = _start_server(workdir, manifest)
        try:
            cpu_before = _cpu_seconds(proc.pid)
            client = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--client",
                    url,
                    "--seconds",
                    str(args.seconds),
                    "--concurrency",
                    str(args.concurrency),
                    "--predictions",
                    str(args.predictions),
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            result = json.loads(client.stdout)
            cpu_used = _cpu_seconds(proc.pid) - cpu_before
            batch = _get_json(f"{url}/v1/votes?ids={','.join(slugs)}")["votes"]
            assert isinstance(batch, dict)
            counted = sum(v["total"] for v in batch.values())
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=15)

    rate = result["ok"] / result["elapsed"]
    print(f"votes/second sustained: {rate:,.0f}")
    print(
        f"  {result['ok']} votes acknowledged in {result['elapsed']:.1f} s, "
        f"{result['failures']} failures; {args.concurrency} connections, "
        f"{args.predictions} predictions"
    )
    print(
        f"  latency p50 {result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms, "
        f"max {result['max_ms']:.1f} ms"
    )
    print(
        f"  endpoint CPU time {cpu_used * 1000 / max(1, result['ok']):.2f} ms per vote "
        f"(so about {result['ok'] / max(cpu_used, 1e-9):,.0f} votes/s per fully available core)"
    )
    verdict = "consistent" if counted == result["ok"] else "MISMATCH"
    print(f"  endpoint counted {counted} votes ({verdict})")
    print(
        f"  SQLite WAL + synchronous=FULL on {_filesystem(args.workdir.resolve())}; "
        f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f}"
    )
    return 0 if counted == result["ok"] and result["failures"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
