# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Medians of repeated runs, the issue's targets, and the printed table."""

from __future__ import annotations

import statistics

# (key, label) of the measurements of one size, in table order.
ROWS = (
    ("converge", "converge, bulk (parallel=default)"),
    ("converge_p1", "converge, bulk (parallel=1)"),
    ("noop", "no-op re-run"),
    ("audit", "drift audit --check"),
    ("event_source", "EDA source: one poll (steady)"),
    ("rehearsal", "rehearsal at dr (clone every target)"),
    ("rehearsal_cleanup", "rehearsal cleanup"),
    ("loop", "converge, loop of single tasks"),
)
PER_PAIR = ("converge", "converge_p1", "loop")  # rows whose calls are divided by N


def combine(runs):
    """One measurement from several runs of it: the median of every number, the other details
    (task times, methods) of the run with the median wall time, and every run's wall time."""
    available = [r for r in runs if r.get("available", True)]
    if not available:
        return runs[0]
    ordered = sorted(available, key=lambda r: r["wall_s"])
    combined = dict(ordered[(len(ordered) - 1) // 2])
    for key, value in combined.items():
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            combined[key] = statistics.median(r[key] for r in available)
    combined["wall_s_runs"] = [round(r["wall_s"], 3) for r in available]
    return combined


def derive(size, figures):
    """Per-pair figures and reads, added to the measurements of one size."""
    for key in PER_PAIR:
        row = figures.get(key)
        if row and "calls" in row:
            row["calls_per_pair"] = row["calls"] / size
            row["mutating_per_pair"] = row["mutating"] / size
            row["reads"] = row["calls"] - row["mutating"]
    # Ratios of wall times (the targets), and of CPU times, which a busy machine skews far less.
    for key, slow in (("loop_over_bulk", "loop"), ("p1_over_default", "converge_p1")):
        if slow in figures and "converge" in figures:
            figures[key] = figures[slow]["wall_s"] / figures["converge"]["wall_s"]
            figures[key + "_cpu"] = figures[slow]["ansible_cpu_s"] / figures["converge"]["ansible_cpu_s"]


def targets(sizes):
    """[(target, measured, met)] for the issue's targets; met is None when not measured."""
    found = []
    noop = {n: f["noop"]["calls"] for n, f in sizes.items() if "noop" in f}
    found.append(("no-op: at most 6 API calls for every N", _by_size(noop),
                  all(v <= 6 for v in noop.values()) if noop else None))
    mutating = {n: max(f[k]["mutating_per_pair"] for k in ("converge", "converge_p1") if k in f)
                for n, f in sizes.items() if "converge" in f}
    found.append(("converge: at most 3 mutating calls per new pair", _by_size(mutating, "%.2f"),
                  all(v <= 3 for v in mutating.values()) if mutating else None))
    reads = {n: f["converge"]["reads"] for n, f in sizes.items() if "converge" in f}
    found.append(("converge: a constant number of reads (same for every N)", _by_size(reads),
                  len(set(reads.values())) == 1 if len(reads) > 1 else None))
    big = sizes.get(1000, {})
    for key, label, limit in (("converge", "N=1000: converge under 30 s", 30), ("noop", "N=1000: no-op under 5 s", 5),
                              ("audit", "N=1000: audit under 10 s", 10)):
        row = big.get(key)
        if row is None or not row.get("available", True):
            found.append((label, "not measured" if row is None else "not available", None))
        else:
            found.append((label, "%.1f s" % row["wall_s"], row["wall_s"] < limit))
    audit = big.get("audit")
    if audit is None or "changed_in_runs" not in audit:
        found.append(("N=1000: a clean audit run again reports changed=false", "not measured", None))
    else:
        runs = audit["changed_in_runs"]
        found.append(("N=1000: a clean audit run again reports changed=false",
                      "changed in %d of %d runs after the first (which wrote the report: changed=%d)" % (
                          sum(1 for c in runs if c), len(runs), audit["first_run_changed"]), not any(runs)))
    ratio = sizes.get(100, {}).get("loop_over_bulk")
    found.append(("N=100: bulk at least 20 times faster than the loop",
                  "not measured" if ratio is None else "%.1fx" % ratio, None if ratio is None else ratio >= 20))
    return found


def _by_size(values, fmt="%s"):
    return ", ".join(("N=%s: " + fmt) % (n, v) for n, v in sorted(values.items())) or "not measured"


def _number(value, fmt):
    return (fmt % value) if isinstance(value, (int, float)) else "-"


def table(report):
    """The printed report: one block per size, then baseline, throughput and targets."""
    machine = report["machine"]
    lines = ["%d CPUs, Python %s, ansible-core %s; load average %.1f at the start, %.1f at the end%s" % (
        machine["nproc"], machine["python"], machine["ansible_core"], machine["load_average_at_start"][0],
        machine["load_average_at_end"][0],
        " (busy: compare CPU seconds)" if max(machine["load_average_at_start"][0],
                                               machine["load_average_at_end"][0]) > machine["nproc"] else ""), ""]
    header = "%-6s %-35s %8s %5s %7s %6s %7s %7s %8s %8s %8s" % (
        "N", "measurement", "wall s", "runs", "calls", "mut", "call/pr", "mut/pr", "ans cpu", "sim cpu", "api span")
    lines += [header, "-" * len(header)]
    for size, figures in sorted(report["sizes"].items()):
        for key, label in ROWS:
            row = figures.get(key)
            if row is None:
                continue
            if not row.get("available", True):
                lines.append("%-6s %-35s %s" % (size, label, "audit: not available (%s)" % row["reason"]))
                continue
            lines.append("%-6s %-35s %8.2f %5d %7s %6s %7s %7s %8s %8s %8s" % (
                size, label, row["wall_s"], len(row["wall_s_runs"]), _number(row.get("calls"), "%d"),
                _number(row.get("mutating"), "%d"), _number(row.get("calls_per_pair"), "%.2f"),
                _number(row.get("mutating_per_pair"), "%.2f"), _number(row.get("ansible_cpu_s"), "%.2f"),
                _number(row.get("sim_cpu_s"), "%.2f"), _number(row.get("api_span_s"), "%.2f")))
        for key, label in (("loop_over_bulk", "ratio loop / bulk (wall)"),
                           ("p1_over_default", "ratio parallel=1 / default (wall)")):
            if key in figures:
                lines.append("%-6s %-35s %7.1fx   (CPU: %.1fx)" % (size, label, figures[key], figures[key + "_cpu"]))
        lines.append("")
    lines.append("Ansible alone (no Element task):")
    for key, row in report["baseline"].items():
        lines.append("  %-33s %8.2f s wall, %.2f s CPU (%d runs)" % (
            key.replace("_", " "), row["wall_s"], row["ansible_cpu_s"], len(row["wall_s_runs"])))
    if "throughput" in report:
        lines.append("Simulator throughput, one cluster, keep-alive (state: %s):" % report["throughput"]["state"])
    for key, row in report.get("throughput", {}).get("results", {}).items():
        lines.append("  %-45s %8.0f req/s  p50 %.2f ms  errors %d" % (
            key, row["requests_per_second"], row["p50_ms"] or 0, row["errors"]))
    if "client_cost" in report:
        cost = report["client_cost"]
        lines.append("The collection's client alone, GetClusterInfo one after the other (%d calls): "
                     "%.2f ms wall, %.2f ms CPU per call" % (cost["calls"], cost["wall_ms_per_call"],
                                                             cost["cpu_ms_per_call"]))
    lines.append("Targets:")
    for label, measured, met in report["targets"]:
        status = "n/a   " if met is None else ("met   " if met else "MISSED")
        lines.append("  [%s] %-55s %s" % (status, label, measured))
    return "\n".join(lines)


def ratio_targets(result):
    """The loopback targets of issue 16, as ratios to an empty play in the same run (wall times on a
    shared machine are noise; the ratio much less)."""
    empty = result["baseline"]["empty_play"]["wall_s"]
    found = []
    audit = result["sizes"].get(1000, {}).get("audit")
    if audit is None or not audit.get("available", True):
        found.append(("N=1000 loopback: audit at most 3x an empty play in CPU seconds", "not measured", None))
    else:
        empty_cpu = result["baseline"]["empty_play"].get("ansible_cpu_s") or 0.0
        cpu_ratio = audit["ansible_cpu_s"] / empty_cpu if empty_cpu else float("inf")
        found.append(("N=1000 loopback: audit at most 3x an empty play in CPU seconds", "%.1fx (%.2f s / %.2f s)" % (
            cpu_ratio, audit["ansible_cpu_s"], empty_cpu), cpu_ratio <= 3))
    for label, row, limit, explain in (
            ("N=1000 loopback: audit at most 3x an empty play", audit, 3, _slowest),
            ("N=1000 loopback: unplanned failover at most 2x an empty play",
             result.get("wan", {}).get("sizes", {}).get(1000, {}).get("unplanned"), 2,
             lambda row: _floor(result, row, empty))):
        if row is None or not row.get("available", True):
            found.append((label, "not measured", None))
        else:
            ratio = row["wall_s"] / empty
            found.append((label, "%.1fx (%.1f s / %.1f s)%s" % (ratio, row["wall_s"], empty, explain(row)),
                          ratio <= limit))
    return found


def _slowest(row, count=3):
    """The tasks that take the time of a play of many tasks."""
    tasks = sorted(row.get("tasks") or [], key=lambda task: -task[1])[:count]
    return "; slowest tasks: " + ", ".join("%s %.2f s" % (name.split(" : ")[-1], seconds)
                                           for name, seconds in tasks) if tasks else ""


def _floor(result, row, empty):
    """What the run cannot go below on this machine: Ansible's start and one module task, plus the
    client's CPU for the row's calls (a module's Python runs on one core at a time, whatever its
    threads, so that CPU does not overlap; the simulator's time is left out, as if it were free)."""
    cost = result.get("client_cost")
    ping = result["baseline"].get("one_ping_task")
    if not cost or not ping or not row.get("calls"):
        return ""
    floor = ping["wall_s"] + row["calls"] * cost["cpu_ms_per_call"] / 1000
    return "; floor %.1fx: one task %.2f s + %d calls x %.2f ms of client CPU" % (
        floor / empty, ping["wall_s"], row["calls"], cost["cpu_ms_per_call"])
