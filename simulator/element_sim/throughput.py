"""Requests per second against one cluster, over keep-alive connections.

python -m element_sim.throughput --url https://127.0.0.1:PORT --user admin --password .. \
    [--ca ca.pem] [--seconds 3] [--connections 1]

Measures GetClusterInfo and ListActivePairedVolumes, one after the other, for --seconds each,
and prints one JSON document. Every loop is bounded by time.
"""

import argparse
import base64
import http.client
import json
import ssl
import statistics
import threading
import time
from urllib.parse import urlsplit

METHODS = ("GetClusterInfo", "ListActivePairedVolumes")


def _connect(url, ca, timeout=10):
    parts = urlsplit(url)
    if parts.scheme == "https":
        context = ssl.create_default_context(cafile=ca) if ca else ssl._create_unverified_context()
        return http.client.HTTPSConnection(parts.hostname, parts.port, timeout=timeout,
                                           context=context)
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)


def _worker(url, ca, auth, method, version, deadline, result):
    conn = _connect(url, ca)
    body = json.dumps({"method": method, "params": {}, "id": 1})
    headers = {"Authorization": auth, "Content-Type": "application/json"}
    latencies, errors = [], 0
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            conn.request("POST", f"/json-rpc/{version}", body=body, headers=headers)
            response = conn.getresponse()
            payload = response.read()
            if response.status != 200 or b'"error"' in payload[:20]:
                errors += 1
        except (OSError, http.client.HTTPException):
            errors += 1
            conn.close()
            conn = _connect(url, ca)
            continue
        latencies.append(time.monotonic() - started)
    conn.close()
    result.append((latencies, errors))


def measure(url, user, password, ca=None, seconds=3.0, connections=1, method="GetClusterInfo",
            version="12.5"):
    auth = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
    results = []
    started = time.monotonic()
    deadline = started + seconds
    threads = [threading.Thread(target=_worker,
                                args=(url, ca, auth, method, version, deadline, results))
               for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 30)
    elapsed = time.monotonic() - started
    latencies = sorted(x for lat, _ in results for x in lat)
    errors = sum(e for _, e in results)
    ms = lambda q: round(latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000, 3) \
        if latencies else None
    return {"requests": len(latencies), "errors": errors, "seconds": round(elapsed, 3),
            "requests_per_second": round(len(latencies) / elapsed, 1),
            "latency_ms": {"p50": ms(0.5), "p99": ms(0.99),
                           "mean": round(statistics.fmean(latencies) * 1000, 3)
                           if latencies else None}}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m element_sim.throughput")
    parser.add_argument("--url", required=True, help="https://HOST:PORT of one cluster")
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--ca", help="CA file to verify the server (default: no verification)")
    parser.add_argument("--seconds", type=float, default=3.0, help="per method")
    parser.add_argument("--connections", type=int, default=1)
    parser.add_argument("--version", default="12.5", help="API version in the path")
    args = parser.parse_args(argv)
    report = {"url": args.url, "connections": args.connections, "seconds_per_method": args.seconds,
              "results": {m: measure(args.url, args.user, args.password, args.ca, args.seconds,
                                     args.connections, m, args.version) for m in METHODS}}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
