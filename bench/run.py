# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""`make bench`: speed and API-call figures of element.replication against the simulator.

    .venv/bin/python bench/run.py [--sizes 10,100,1000] [--repeats 3] [--results-dir bench/results] [--quick]
    .venv/bin/python bench/run.py --audit-only --sizes 1000   # the drift audit's figures alone (about 30 s)

Prints a table (see bench/README.md for what each figure means) and writes it as JSON to
RESULTS_DIR/bench-<timestamp>.json and RESULTS_DIR/latest.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import report
import scenarios
import wan
from workload import BENCH, REPO, Workspace

LOOP_SIZES = (10, 100)  # the old way is too slow to be worth measuring at 1000
REHEARSAL_SIZES = (100, 1000)  # issue 16's sizes; at 1000 the clone jobs (8 at a time) take about a minute
LONG_RUN_S = 20.0  # a measurement whose first run takes longer is not repeated: the noise is small beside it
EVENT_SOURCE_SIZES = (1000,)  # issue 27: one poll of the EDA source at N = 1000
THROUGHPUT_CONNECTIONS = (1, 4)  # 4: the module's default pool per cluster


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="bench/run.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10,100,1000", help="volume pairs per measurement, comma-separated")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each short measurement; the median is shown")
    parser.add_argument("--results-dir", default=str(BENCH / "results"), help="where the JSON goes")
    parser.add_argument("--quick", action="store_true", help="smoke mode: N=10, one run each (under a minute)")
    parser.add_argument("--rtt", type=float, default=50.0,
                        help="WAN rows: the delay of every API call, in milliseconds (default 50)")
    parser.add_argument("--wan-sizes", default="100,1000",
                        help="volume pairs of the WAN rows, comma-separated; empty: no WAN rows")
    parser.add_argument("--wan-failover-only", action="store_true",
                        help="only the WAN failover rows (planned failover and failback, unplanned with the lost "
                             "site closing, hanging and dropping packets) at --wan-sizes; no loopback table")
    parser.add_argument("--audit-only", action="store_true",
                        help="only the drift audit rows at --sizes (after one converge) and their targets; no WAN rows")
    parser.add_argument("--collection", default=str(REPO),
                        help="root of the collection to measure (another checkout, to compare a change)")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.repeats, args.wan_sizes = "10", 1, "10"
    if args.audit_only:
        args.wan_sizes = ""
    args.sizes = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    args.wan_sizes = sorted({int(s) for s in args.wan_sizes.split(",") if s.strip()})
    args.rtt /= 1000.0
    if not args.sizes or min(args.sizes) < 1 or args.repeats < 1:
        parser.error("sizes and repeats must be positive")
    return args


def repeat(measure, repeats, runs=()):
    """Run a measurement until there are `repeats` runs of it, or fewer when a run is long (the
    machine's noise is small beside it) or the measurement is not available; the combined figures."""
    runs = list(runs)
    while len(runs) < repeats and all(r.get("available", True) and r["wall_s"] <= LONG_RUN_S for r in runs):
        runs.append(measure())
    return report.combine(runs)


def machine_facts():
    from ansible.release import __version__ as ansible_version  # the venv's ansible-core
    return {"nproc": os.cpu_count(), "usable_cpus": len(os.sched_getaffinity(0)),
            "python": platform.python_version(), "ansible_core": ansible_version,
            "platform": platform.platform(), "load_average_at_start": os.getloadavg()}


def audit_figures(args, workspace, sim, size):
    """The drift audit as it is scheduled: the runs measured find the report that a first run wrote,
    unchanged (a clean audit then reports changed=false, which the figures show)."""
    reports = workspace.path("audit-report")
    first = scenarios.audit(workspace, sim, size, reports)
    if not first.get("available", True):
        return first
    changed = []

    def measured():
        run = scenarios.audit(workspace, sim, size, reports)
        changed.append(run.get("counts", {}).get("changed", 0))
        return run

    figures = repeat(measured, args.repeats)
    figures["first_run_changed"] = first["counts"].get("changed", 0)
    figures["changed_in_runs"] = changed
    return figures


def measure_size(args, workspace, size, log):
    """Every figure of one size. The first converge's state also serves the no-op runs, the audits
    and (for the largest size) the simulator's throughput; further converges start afresh."""
    figures = {}
    log("N=%d: bulk converge, then no-op re-runs and drift audits on its state" % size)
    with scenarios.converged(workspace, size) as (sim, first):
        figures["noop"] = repeat(lambda: scenarios.noop(workspace, sim, size), args.repeats)
        figures["audit"] = audit_figures(args, workspace, sim, size)
        if size in EVENT_SOURCE_SIZES or args.quick:
            log("N=%d: polls of the EDA event source" % size)
            figures["event_source"] = repeat(lambda: scenarios.event_source(workspace, sim, size), args.repeats)
        if size in REHEARSAL_SIZES or args.quick:
            log("N=%d: a rehearsal at dr, then its cleanup" % size)
            figures["rehearsal"] = report.combine([scenarios.rehearsal(workspace, sim, size)])
            figures["rehearsal_cleanup"] = report.combine([scenarios.rehearsal(workspace, sim, size, state="absent")])
        if size == max(args.sizes):
            log("N=%d: simulator throughput" % size)
            figures["throughput"] = scenarios.throughput(sim, size, 0.5 if args.quick else 2.0,
                                                         THROUGHPUT_CONNECTIONS)
            figures["client_cost"] = scenarios.client_cost(workspace, sim, 200 if args.quick else 1000)
    log("N=%d: more bulk converges, each on a fresh simulator" % size)
    figures["converge"] = repeat(lambda: scenarios.converge(workspace, size, scenarios.bulk_task(size)),
                                 args.repeats, [first])
    if not args.quick:  # the same code path as the default; its figure matters at large N
        log("N=%d: bulk converge with parallel=1" % size)
        figures["converge_p1"] = repeat(
            lambda: scenarios.converge(workspace, size, scenarios.bulk_task(size, parallel=1)), args.repeats)
    if size in LOOP_SIZES:
        log("N=%d: loop of single-pair tasks" % size)
        figures["loop"] = repeat(lambda: scenarios.converge(workspace, size, scenarios.loop_task(size)), args.repeats)
    report.derive(size, figures)
    return figures


def measure_wan_failover(args, workspace, log):
    result = {"machine": machine_facts(), "options": {"collection": args.collection, "wan_failover_only": True},
              "wan": {"rtt_s": args.rtt, "sizes": {}}}
    for size in args.wan_sizes:
        result["wan"]["sizes"][size] = wan.measure(workspace, size, args.rtt, log, only="failover")
    result["targets"] = [t for t in wan.targets(result["wan"]["sizes"], args.rtt) if t[1] != "not measured"]
    result["machine"]["load_average_at_end"] = os.getloadavg()
    return result


def measure(args, workspace, log):
    if args.wan_failover_only:
        return measure_wan_failover(args, workspace, log)
    result = {"machine": machine_facts(),
              "options": {"collection": args.collection, "sizes": args.sizes, "repeats": args.repeats,
                          "quick": args.quick, "long_run_s": LONG_RUN_S,
                          "loop_sizes": [n for n in args.sizes if n in LOOP_SIZES]},
              "baseline": {}, "sizes": {}}
    log("Ansible alone")
    for key, tasks in (("empty_play", []), ("one_ping_task", [{"name": "ping", "ansible.builtin.ping": {}}])):
        result["baseline"][key] = repeat(lambda: scenarios.ansible_alone(workspace, tasks), args.repeats)
    for size in args.sizes:
        if args.audit_only:
            log("N=%d: a converge, then drift audits on its state" % size)
            with scenarios.converged(workspace, size) as (sim, _first):
                result["sizes"][size] = {"audit": audit_figures(args, workspace, sim, size)}
            continue
        figures = result["sizes"][size] = measure_size(args, workspace, size, log)
        for key in ("throughput", "client_cost"):
            if key in figures:
                result[key] = figures.pop(key)
    result["wan"] = {"rtt_s": args.rtt, "sizes": {}}
    for size in args.wan_sizes:
        result["wan"]["sizes"][size] = wan.measure(workspace, size, args.rtt, log,
                                                   rehearse=size in REHEARSAL_SIZES or args.quick)
    result["targets"] = report.targets(result["sizes"]) + wan.targets(result["wan"]["sizes"], args.rtt) \
        + report.ratio_targets(result)
    result["machine"]["load_average_at_end"] = os.getloadavg()
    return result


def write(result, results_dir):
    results_dir = Path(results_dir)
    results_dir.mkdir(parents=True, exist_ok=True)
    text = json.dumps(result, indent=1, default=str)
    path = results_dir / ("bench-%s.json" % time.strftime("%Y%m%dT%H%M%S"))
    path.write_text(text)
    (results_dir / "latest.json").write_text(text)
    return path


def main(argv=None):
    args = parse_args(argv)
    started = time.monotonic()

    def log(message):  # progress on stderr, so stdout is the table alone
        print("[%5.0f s] %s" % (time.monotonic() - started, message), file=sys.stderr, flush=True)

    workspace = Workspace(args.collection)
    try:
        result = measure(args, workspace, log)
    finally:
        workspace.close()
    result["duration_s"] = round(time.monotonic() - started, 1)
    if "sizes" in result:
        print(report.table(result))
    else:
        print("\n".join("[%s] %-70s %s" % ("n/a   " if met is None else ("met   " if met else "MISSED"), label, measured)
                        for label, measured, met in result["targets"]))
    if result["wan"]["sizes"]:
        print("\n" + wan.table(result["wan"]["sizes"], result["wan"]["rtt_s"]))
    print("\nTotal %.0f s. JSON: %s" % (result["duration_s"], write(result, args.results_dir)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
