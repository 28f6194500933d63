# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""WAN rows of `make bench`: each scenario once on the loopback and once with every API call
delayed by the round-trip time (the simulator's `delay` fault on `*`, both clusters). In the
delayed run, the time with at least one call on its way (the union of every call's [started,
started + delay] from the call log) divided by the delay is the number of round trips on the
critical path: what a user far from the clusters waits for. calls x delay / that time is how
much the calls overlap. The loopback run gives the wall time without the delay, for reference.
"""

from __future__ import annotations

from contextlib import contextmanager

import scenarios
from workload import fresh_sim, run_playbook, volume_name

DELAYED_CALLS = 10 ** 6  # the fault's count: every call of a run
TARGETS = {  # round trips on the critical path at N = 1000 (issue 16)
    "converge": 150, "noop": 4, "audit": 6, "failover": 150, "unplanned": 80,
}
WRITABLE_TARGETS = {  # round trips until the last volume is readWrite at N = 1000 (issue 23)
    "failover": 10, "unplanned": 6,
}
SCENARIOS = (
    ("converge", "converge, new pairs"),
    ("noop", "no-op"),
    ("audit", "drift audit --check"),
    ("failover", "planned failover"),
    ("failback", "planned failback"),
    ("unplanned", "unplanned failover"),
    ("unplanned_hang", "unplanned, lost site hangs"),
    ("unplanned_drop", "unplanned, lost drops pkts"),
    ("rehearsal", "rehearsal at dr"),
)
FAILOVER_ROWS = ("failover", "failback", "unplanned", "unplanned_hang", "unplanned_drop")
LOST_SITES = (("unplanned", "close"), ("unplanned_hang", "hang"), ("unplanned_drop", "drop"))


@contextmanager
def delayed(sim, seconds):
    """Every API call to both clusters answers `seconds` late while inside."""
    for cluster in sim.reachable():
        cluster.add_fault("*", "delay", count=DELAYED_CALLS, seconds=seconds)
    sim.delay = seconds
    try:
        yield
    finally:
        sim.delay = 0.0
        for cluster in sim.reachable():
            cluster.clear_faults()


def failover_task(count, primary, **params):
    return {"name": "fail over", "element.replication.element_replication_failover": dict(
        primary=primary, pairs=[{"volume": volume_name(i)} for i in range(1, count + 1)], **params)}


def _run(workspace, sim, task):
    return run_playbook(workspace, scenarios.play(sim, [task]), sim)


def _pair(plain, slow, rtt):
    """The WAN figures of one scenario from its run without and with the delay. The round trips
    come from the delayed run's call log (time with a call on its way), not from the difference
    of wall times, which on a shared two-core machine varies by seconds from run to run."""
    extra = slow["wall_s"] - plain["wall_s"]
    waited = slow.get("wire_s", 0.0)
    row = {"wall_s": plain["wall_s"], "wall_s_delayed": slow["wall_s"], "calls": slow.get("calls"),
           "mutating": slow.get("mutating"), "extra_s": extra, "waited_s": waited}
    if "writable_wire_s" in slow:
        row["writable_round_trips"] = slow["writable_wire_s"] / rtt
    if slow.get("calls"):
        row["round_trips"] = waited / rtt
        row["wall_round_trips"] = extra / rtt  # the first definition; noisy on a shared machine
        row["overlap"] = slow["calls"] * rtt / waited if waited > 0 else None
    return row


def measure(workspace, size, rtt, log, rehearse=False, only=None):
    """The WAN rows of one size: {scenario: figures}. `rehearse`: with the rehearsal row, whose wall
    time is mostly the clone jobs' simulated time (8 at a time); its round trips leave that out.
    `only`: the failover rows alone (their pairs made by a converge that is not measured)."""
    if only == "failover":
        return measure_failover(workspace, size, rtt, log)
    rows = {}
    log("WAN N=%d: converge on the loopback and with %d ms per call, each on a fresh simulator" % (size, rtt * 1000))
    with fresh_sim(workspace, size) as sim:
        sim.pair_clusters()
        plain = _run(workspace, sim, scenarios.bulk_task(size))
    with fresh_sim(workspace, size) as sim:
        sim.pair_clusters()
        with delayed(sim, rtt):
            slow = _run(workspace, sim, scenarios.bulk_task(size))
        rows["converge"] = _pair(plain, slow, rtt)
        log("WAN N=%d: no-op, audit, planned failover and failback on its state" % size)
        rows["noop"] = _pair(_run(workspace, sim, scenarios.bulk_task(size)),
                             _delayed_run(workspace, sim, scenarios.bulk_task(size), rtt), rtt)
        audit_plain = scenarios.audit(workspace, sim, size)
        with delayed(sim, rtt):
            audit_slow = scenarios.audit(workspace, sim, size)
        if audit_plain.get("available") and audit_slow.get("available"):
            rows["audit"] = _pair(audit_plain, audit_slow, rtt)
        rows.update(_planned(workspace, sim, size, rtt))
        if rehearse:
            log("WAN N=%d: rehearsal at dr (clone every target), each run cleaned up after" % size)
            rehearsal_plain = scenarios.rehearsal(workspace, sim, size)
            scenarios.rehearsal(workspace, sim, size, state="absent")
            with delayed(sim, rtt):
                rehearsal_slow = scenarios.rehearsal(workspace, sim, size)
            scenarios.rehearsal(workspace, sim, size, state="absent")
            rows["rehearsal"] = _pair(rehearsal_plain, rehearsal_slow, rtt)
    rows.update(_unplanned(workspace, size, rtt, log))
    return rows


def measure_failover(workspace, size, rtt, log):
    """The failover rows alone: planned failover and failback on converged pairs, and the
    unplanned failover with the lost site closing, hanging and dropping packets."""
    log("WAN N=%d: converge (not measured), then planned failover and failback" % size)
    with fresh_sim(workspace, size) as sim:
        sim.pair_clusters()
        _run(workspace, sim, scenarios.bulk_task(size))
        rows = _planned(workspace, sim, size, rtt)
    rows.update(_unplanned(workspace, size, rtt, log))
    return rows


def _planned(workspace, sim, size, rtt):
    plain_over = _run(workspace, sim, failover_task(size, "peer"))
    plain_back = _run(workspace, sim, failover_task(size, "local"))
    return {"failover": _pair(plain_over, _delayed_run(workspace, sim, failover_task(size, "peer"), rtt), rtt),
            "failback": _pair(plain_back, _delayed_run(workspace, sim, failover_task(size, "local"), rtt), rtt)}


def _unplanned(workspace, size, rtt, log):
    """prod lost three ways: it closes connections, accepts and hangs, or drops packets. The
    probe's timeout (probe_timeout, 5 s by default) is what the last two cost: it is in the wall
    time, not in the round trips (no call reaches a lost cluster's log but a hung one's)."""
    rows = {}
    for key, outage in LOST_SITES:
        log("WAN N=%d: unplanned failover, prod lost (%s), on fresh simulators" % (size, outage))
        runs = []
        for delay in (0, rtt):
            with fresh_sim(workspace, size) as sim:
                sim.pair_clusters()
                _run(workspace, sim, scenarios.bulk_task(size))
                sim.lose(sim.prod, outage)
                sim.clear_calls()
                task = failover_task(size, "peer", type="unplanned")
                runs.append(_delayed_run(workspace, sim, task, delay) if delay else _run(workspace, sim, task))
                sim.prod.set_online(via=sim.dr)
                sim.dropping = None
        rows[key] = _pair(runs[0], runs[1], rtt)
    return rows


def _delayed_run(workspace, sim, task, rtt):
    with delayed(sim, rtt):
        return _run(workspace, sim, task)


def targets(wan, rtt):
    """[(target, measured, met)] for the round-trip targets at N = 1000."""
    rows = wan.get(1000, {})
    found = []
    for key, limit in TARGETS.items():
        label = "WAN N=1000, %d ms: %s in at most %d round trips" % (rtt * 1000, dict(SCENARIOS)[key], limit)
        row = rows.get(key)
        if row is None or "round_trips" not in row:
            found.append((label, "not measured", None))
        else:
            found.append((label, "%.0f (%d calls, overlap %.1fx)" % (row["round_trips"], row["calls"] or 0,
                                                                     row.get("overlap") or 0),
                          row["round_trips"] <= limit))
    for key, limit in WRITABLE_TARGETS.items():
        label = "WAN N=1000, %d ms: %s, volumes writable within %d round trips" % (
            rtt * 1000, dict(SCENARIOS)[key], limit)
        row = rows.get(key)
        if row is None or "writable_round_trips" not in row:
            found.append((label, "not measured", None))
        else:
            found.append((label, "%.1f" % row["writable_round_trips"], row["writable_round_trips"] <= limit))
    return found


def table(wan, rtt):
    lines = ["WAN: every call %d ms late. waited s = time with at least one call on its way (call log); "
             "round trips = waited / delay; rt->rw = round trips until the last volume was readWrite (the calls up to the last promote); overlap = calls x delay / waited. Wall times for reference: "
             "wall rt = (wan s - loop s) / delay, which on a shared machine carries the noise of both runs."
             % (rtt * 1000)]
    header = "%-6s %-25s %9s %9s %8s %7s %6s %6s %8s %8s %7s %14s" % (
        "N", "scenario", "loop s", "wan s", "waited s", "calls", "mut", "rt->rw", "rtrips", "overlap", "wall rt",
        "target")
    lines += [header, "-" * len(header)]
    for size, rows in sorted(wan.items()):
        for key, label in SCENARIOS:
            row = rows.get(key)
            if row is None:
                continue
            base = {"failback": "failover", "unplanned_hang": "unplanned", "unplanned_drop": "unplanned"}.get(key, key)
            target = TARGETS.get(base)
            writable = WRITABLE_TARGETS.get(base)
            target_text = ("<= %d" % target if target else "") + (" (rw <= %d)" % writable if writable else "")
            lines.append("%-6s %-25s %9.2f %9.2f %8.2f %7s %6s %6s %8s %8s %7s %14s" % (
                size, label, row["wall_s"], row["wall_s_delayed"], row.get("waited_s", 0.0), row.get("calls") or "-",
                row.get("mutating") if row.get("mutating") is not None else "-",
                "%.1f" % row["writable_round_trips"] if "writable_round_trips" in row else "-",
                "%.0f" % row["round_trips"] if "round_trips" in row else "-",
                "%.1fx" % row["overlap"] if row.get("overlap") else "-",
                "%.0f" % row["wall_round_trips"] if "wall_round_trips" in row else "-",
                target_text if size == 1000 else ""))
    return "\n".join(lines)
