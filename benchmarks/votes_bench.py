"""Sustained votes per second of `foretell votes serve` on each engine.

    python benchmarks/votes_bench.py [--seconds 10] [--concurrency 64] [--predictions 20]
                                     [--setups sqlite,postgresql,postgresql-2] [--pg-url URL]

Three setups, one after the other, each on a fresh database:
- `sqlite`: one endpoint process on an SQLite file (WAL, synchronous=FULL);
- `postgresql`: one endpoint process on PostgreSQL;
- `postgresql-2`: two endpoint processes on the same PostgreSQL database, the load split
  between them (as a load balancer would).
Every 200 is committed, exactly as in production. PostgreSQL is a throwaway server started for
the run (`initdb` into a temporary folder, the server's default durability: fsync on,
synchronous_commit on; as the `postgres` user when run as root), or `--pg-url` (a database
whose tables the run may fill).

A separate load-generator process sends POSTs: `concurrency` keep-alive connections, each
sending its next vote as soon as the previous one is answered, every vote from a new voter.
Prints, per setup, votes/second, latency percentiles and a consistency check (the final counts
must equal the number of 200s received: acknowledged = counted), then a Markdown table.

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
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))  # pg.py

from builder.render.votes_manifest import build_manifest  # noqa: E402

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
                # Every voter from an address of its own: no vote is refused by the rate
                # limit, and every vote pays for checking it, as in production.
                f"X-Forwarded-For: 10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}\r\n"
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


async def _load(
    urls: list[str], slugs: list[str], seconds: float, concurrency: int
) -> dict[str, object]:
    addresses = [url.removeprefix("http://").split(":") for url in urls]
    latencies: list[float] = []
    failures: list[str] = []
    numbers = itertools.count()
    run = f"{os.getpid()}{time.monotonic_ns() % 10**6}"
    started = time.perf_counter()
    deadline = started + seconds
    await asyncio.gather(
        *(
            _connection(host, int(port), slugs, numbers, run, deadline, latencies, failures)
            for host, port in (addresses[i % len(addresses)] for i in range(concurrency))
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


def _start_server(
    workdir: Path, name: str, db: str, manifest: Path, rate_limit: int
) -> tuple[subprocess.Popen[bytes], str]:
    log_path = workdir / f"{name}.log"
    log = log_path.open("wb")
    command = [
        sys.executable,
        "-m",
        "builder.votes",
        "serve",
        "--db",
        db,
        "--manifest",
        str(manifest),
        "--port",
        "0",
        "--rate-limit",
        str(rate_limit),
        "--trust-forwarded-for",  # the load generator names each voter's address
    ]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    log.close()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        match = re.search(rb"on (http://[\d.]+:\d+) ", log_path.read_bytes())
        if match:
            return proc, match.group(1).decode()
        if proc.poll() is not None:
            break
        time.sleep(0.02)
    proc.kill()
    raise SystemExit("endpoint did not start:\n" + log_path.read_text())


def _get_json(url: str) -> dict[str, object]:
    with urllib.request.urlopen(url, timeout=10) as response:
        result: dict[str, object] = json.load(response)
        return result


def _cpu_seconds(pid: int) -> float:
    # utime + stime of an endpoint process: its own cost per vote, whatever else the machine
    # is busy with while the benchmark runs.
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _server_cpu_seconds(cluster: Any) -> float:
    """CPU time of a throwaway PostgreSQL: the postmaster, its live backends and the ones that
    have exited (accounted to the postmaster as children's time). 0 without one."""
    if cluster is None:
        return 0.0
    postmaster = int((cluster.data / "postmaster.pid").read_text().split()[0])
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # exited meanwhile
        pid = int(stat.parent.name)
        if pid == postmaster or int(fields[1]) == postmaster:
            ticks = int(fields[11]) + int(fields[12])
            if pid == postmaster:
                ticks += int(fields[13]) + int(fields[14])
            total += ticks / os.sysconf("SC_CLK_TCK")
    return total


def _filesystem(path: Path) -> str:
    best = ("", "?")
    with open("/proc/mounts") as mounts:
        for line in mounts:
            _, mount_point, fs_type, *_ = line.split()
            if str(path).startswith(mount_point) and len(mount_point) > len(best[0]):
                best = (mount_point, fs_type)
    return best[1]


def _run_setup(
    args: argparse.Namespace,
    workdir: Path,
    name: str,
    db: str,
    endpoints: int,
    slugs: list[str],
    cluster: Any,
) -> dict[str, Any]:
    manifest = workdir / "votes-manifest.json"
    target = datetime.date.today() + datetime.timedelta(days=365)
    manifest.write_bytes(build_manifest((slug, target) for slug in slugs))
    servers = [
        _start_server(workdir, f"{name}-{i}", db, manifest, args.rate_limit)
        for i in range(endpoints)
    ]
    try:
        cpu_before = sum(_cpu_seconds(proc.pid) for proc, _ in servers)
        server_before = _server_cpu_seconds(cluster)
        client = subprocess.run(
            [
                sys.executable,
                __file__,
                "--client",
                ",".join(url for _, url in servers),
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
        result: dict[str, Any] = json.loads(client.stdout)
        result["cpu"] = sum(_cpu_seconds(proc.pid) for proc, _ in servers) - cpu_before
        result["server_cpu"] = _server_cpu_seconds(cluster) - server_before
        batch = _get_json(f"{servers[0][1]}/v1/votes?ids={','.join(slugs)}")["votes"]
        assert isinstance(batch, dict)
        result["counted"] = sum(v["total"] for v in batch.values())
    finally:
        for proc, _ in servers:
            proc.send_signal(signal.SIGTERM)
        for proc, _ in servers:
            proc.wait(timeout=15)
    return result


def _report(name: str, result: dict[str, Any], args: argparse.Namespace) -> str:
    """Prints the setup's figures; returns its table row."""
    rate = result["ok"] / result["elapsed"]
    consistent = result["counted"] == result["ok"]
    print(f"{name}: {rate:,.0f} votes/second sustained")
    print(
        f"  {result['ok']} votes acknowledged in {result['elapsed']:.1f} s, "
        f"{result['failures']} failures; {args.concurrency} connections, "
        f"{args.predictions} predictions"
    )
    print(
        f"  latency p50 {result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms, "
        f"max {result['max_ms']:.1f} ms"
    )
    per_vote = result["cpu"] * 1000 / max(1, result["ok"])
    server = result["server_cpu"] * 1000 / max(1, result["ok"])
    print(f"  endpoint CPU time {per_vote:.2f} ms per vote (all its processes)")
    if server:
        print(f"  PostgreSQL CPU time {server:.2f} ms per vote")
    print(f"  counted {result['counted']} votes ({'consistent' if consistent else 'MISMATCH'})")
    same = "yes" if consistent and result["failures"] == 0 else "**NO**"
    return (
        f"| {name} | {rate:,.0f} | {result['p50_ms']:.0f} ms | {result['p99_ms']:.0f} ms "
        f"| {per_vote:.2f} ms | {f'{server:.2f} ms' if server else 'none'} "
        f"| {result['ok']:,} = {result['counted']:,}: {same} |"
    )


SETUPS = {"sqlite": 1, "postgresql": 1, "postgresql-2": 2}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--predictions", type=int, default=20)
    parser.add_argument("--setups", default=",".join(SETUPS), help="default: %(default)s")
    parser.add_argument(
        "--rate-limit",
        type=int,
        default=0,
        help="the endpoints' --rate-limit (default: %(default)s, none; the endpoints' own "
        "default is 60); each vote comes from an address of its own, so none is refused",
    )
    parser.add_argument("--pg-url", help="an existing PostgreSQL database to use")
    parser.add_argument(
        "--workdir",
        type=Path,
        default=REPO / "benchmarks" / "work",
        help="where the SQLite database goes: a real disk, not tmpfs (default: %(default)s)",
    )
    parser.add_argument("--client", help=argparse.SUPPRESS)  # internal: be the load generator
    args = parser.parse_args()

    slugs = [f"prediction-{i:03d}" for i in range(args.predictions)]
    if args.client:
        result = asyncio.run(_load(args.client.split(","), slugs, args.seconds, args.concurrency))
        print(json.dumps(result))
        return 0

    setups = args.setups.split(",")
    unknown = set(setups) - set(SETUPS)
    if unknown:
        parser.error(f"unknown setups: {', '.join(sorted(unknown))}")
    args.workdir.mkdir(parents=True, exist_ok=True)
    cluster = None
    if not args.pg_url and any(s.startswith("postgresql") for s in setups):
        from pg import Cluster  # tests/pg.py: a throwaway server

        cluster = Cluster(options=("max_connections=200",))  # production durability
    rows = []
    try:
        for name in setups:
            with tempfile.TemporaryDirectory(dir=args.workdir, prefix="votes-bench-") as tmp:
                workdir = Path(tmp)
                if name == "sqlite":
                    db = str(workdir / "votes.sqlite3")
                elif cluster is not None:
                    db = cluster.new_database()
                else:
                    db = args.pg_url
                on = cluster if name.startswith("postgresql") else None
                result = _run_setup(args, workdir, name, db, SETUPS[name], slugs, on)
                rows.append((result, _report(name, result, args)))
    finally:
        if cluster is not None:
            cluster.close()
    print(
        f"\nSQLite WAL + synchronous=FULL on {_filesystem(args.workdir.resolve())}; "
        f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f}\n"
    )
    print(
        "| setup | votes/s | p50 | p99 | endpoint CPU per vote | PostgreSQL CPU per vote "
        "| acknowledged = counted |"
    )
    print("|---|---:|---:|---:|---:|---:|---|")
    for _, row in rows:
        print(row)
    ok = all(r["counted"] == r["ok"] and r["failures"] == 0 for r, _ in rows)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
