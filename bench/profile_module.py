# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Where a module's own time goes, without Ansible around it.

    .venv/bin/python bench/profile_module.py [--size 1000] [--parallel 16] [--top 20] [--scenario converge]

Runs a module as a plain Python process under cProfile (the way AnsiballZ runs it, minus the
zip), against a fresh simulator with --size pairs to make. Scenarios: `converge` (element_volume_pair:
the converge of new pairs, then the no-op re-run), `info` (element_replication_info on the converged
pairs), `failover` (element_replication_failover: a planned failover, then the failback) and
`unplanned` (the failover with prod offline), `audit` (element_replication_audit of the converged pairs,
twice: writing the report, then finding it unchanged).
Prints wall seconds, the module's and the simulator's CPU seconds (steadier than wall time on a
shared machine), the API calls and the top functions by cumulative time. cProfile sees the main
thread only: with --parallel above 1 the mutating calls show up as time waiting for the worker
threads. --top 0 runs without the profiler, for CPU figures without its overhead.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import pstats
import subprocess
import sys
import time
from pathlib import Path

from workload import REPO, Workspace, children_cpu_seconds, fresh_sim, volume_name

MODULES = Path("plugins") / "modules"  # in the collection measured
RUN_TIMEOUT = 600
SORT = os.environ.get("PROFILE_SORT", "cumulative")
SCENARIOS = {  # runs in order: (label, module parameters besides the connection)
    "converge": (("converge", {}), ("no-op", {})),
    "info": (("info", {}),),
    "failover": (("failover", {"primary": "peer"}), ("failback", {"primary": "local"})),
    "unplanned": (("unplanned failover", {"primary": "peer", "type": "unplanned"}),),
    "audit": (("audit", {}), ("audit again", {})),
}
MODULE_OF = {"converge": "element_volume_pair", "no-op": "element_volume_pair", "info": "element_replication_info",
             "failover": "element_replication_failover", "failback": "element_replication_failover",
             "unplanned failover": "element_replication_failover", "audit": "element_replication_audit",
             "audit again": "element_replication_audit"}


def profile_once(workspace, sim, module, module_args, top):
    args_file = workspace.path("args", ".json")
    args_file.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": module_args}))
    stats_file = workspace.path("profile", ".pstats")
    env = dict(os.environ, PYTHONPATH=str(workspace.root / "collections"))
    sim_cpu, own_cpu = sim.cpu_seconds(), children_cpu_seconds()
    started = time.monotonic()
    profiler = ["-m", "cProfile", "-o", str(stats_file)] if top else []
    proc = subprocess.run([sys.executable] + profiler + [str(workspace.collection / MODULES / (module + ".py")), str(args_file)],
                          env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT, check=False)
    wall = time.monotonic() - started
    module_cpu = children_cpu_seconds() - own_cpu  # robust on a busy machine, unlike wall time
    sim_cpu = sim.cpu_seconds() - sim_cpu
    calls = sim.take_calls()
    answer = json.loads(proc.stdout) if proc.stdout.strip().startswith("{") else {"failed": True, "msg": proc.stderr}
    answer["result_bytes"] = len(proc.stdout)
    text = io.StringIO()
    if top:
        pstats.Stats(str(stats_file), stream=text).sort_stats(SORT).print_stats(top)
    return wall, module_cpu, sim_cpu, calls, answer, text.getvalue()


def audit_args(workspace, sim, pairs):
    """element_replication_audit's options for one topology entry prod -> dr of the pairs."""
    topology = [{"source": "prod", "target": "dr", "mode": "Async", "volumes": pairs}]
    return {"topology": topology, "report_path": str(workspace.path("audit-report")),
            "clusters": [dict(sim.connection(name), name=name) for name in ("prod", "dr")]}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="bench/profile_module.py")
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--parallel", type=int, default=16)
    parser.add_argument("--scenario", choices=sorted(SCENARIOS), default="converge")
    parser.add_argument("--top", type=int, default=20, help="functions shown; 0 runs without the profiler")
    parser.add_argument("--collection", default=str(REPO), help="root of the collection to profile")
    args = parser.parse_args(argv)
    workspace = Workspace(args.collection)
    try:
        with fresh_sim(workspace, args.size) as sim:
            sim.pair_clusters()
            connection = dict(sim.connection("prod"), peer=sim.connection("dr"))
            pairs = [{"volume": volume_name(i)} for i in range(1, args.size + 1)]
            converge = dict(connection, parallel=args.parallel, pairs=pairs)
            runs = SCENARIOS[args.scenario]
            if runs[0][0] != "converge":  # the other scenarios start from converged pairs
                profile_once(workspace, sim, "element_volume_pair", converge, 0)
            audit = audit_args(workspace, sim, pairs) if args.scenario == "audit" else None
            if args.scenario == "unplanned":
                sim.prod.set_offline()
            for label, params in runs:
                module = MODULE_OF[label]
                module_args = dict(connection, parallel=args.parallel, **params)
                if module == "element_replication_audit":
                    module_args = audit  # the same report: the second run finds it unchanged
                elif module != "element_replication_info":
                    module_args["pairs"] = pairs
                else:
                    del module_args["parallel"]
                wall, module_cpu, sim_cpu, calls, answer, profile = profile_once(workspace, sim, module,
                                                                                 module_args, args.top)
                print("== %s (%s) of %d pairs, parallel=%d: %.2f s wall, module %.2f s CPU, simulator %.2f s "
                      "CPU, %d calls (%d mutating), changed=%s failed=%s, result %d kB" % (
                          label, module, args.size, args.parallel, wall, module_cpu, sim_cpu, len(calls),
                          sum(c["mutating"] for c in calls), answer.get("changed"), answer.get("failed", False),
                          answer["result_bytes"] // 1024))
                if answer.get("failed"):
                    print(answer.get("msg"))
                print(profile)
    finally:
        workspace.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
