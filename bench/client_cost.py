# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The collection's JSON-RPC client alone: `--calls` GetClusterInfo calls one after the other over
one keep-alive connection, the way a module makes them. Prints JSON: wall and CPU milliseconds per
call. Run with the collections path of the measured collection on PYTHONPATH (make bench does).
Next to the simulator's throughput it shows what a module's calls cost on the controller before
the module plans or reports anything: the floor under a figure like the unplanned failover's."""

from __future__ import annotations

import argparse
import json
import time

from ansible_collections.element.replication.plugins.module_utils._client import ElementClient


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--ca", required=True)
    parser.add_argument("--calls", type=int, default=1000)
    args = parser.parse_args()
    client = ElementClient(args.host, args.user, args.password, port=args.port, ca_path=args.ca)
    client.call("GetClusterInfo", {})  # the connection and the TLS handshake are not per call
    wall, cpu = time.monotonic(), time.process_time()
    for _ in range(args.calls):
        client.call("GetClusterInfo", {})
    wall, cpu = time.monotonic() - wall, time.process_time() - cpu
    print(json.dumps({"calls": args.calls, "wall_ms_per_call": wall * 1000 / args.calls,
                      "cpu_ms_per_call": cpu * 1000 / args.calls}))


if __name__ == "__main__":
    main()
