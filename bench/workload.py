# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The pieces every benchmark measurement is built from: a throw-away workspace in which the
collection is importable, a fresh simulator per measurement, and one timed ansible-playbook run
with its API calls and CPU time accounted for."""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

from element_sim.harness import SimulatorProcess

REPO = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
ANSIBLE_PLAYBOOK = Path(sys.executable).parent / "ansible-playbook"
CLUSTERS = ("prod", "dr")
PLAYBOOK_TIMEOUT = 1200  # seconds; the slowest run, the N=100 loop, took 450 s on a heavily loaded machine
SIM_START_TIMEOUT = 120  # seeding 1000 volumes per cluster on a loaded machine
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def volume_name(index):
    """The simulator's name of seeded volume `index` (vol-0001..; more digits above 9999)."""
    return "vol-%04d" % index


class Workspace:
    """A temporary directory holding a collections path (element.replication -> the collection
    measured, this checkout by default), and the playbooks, state dirs and reports of the runs.
    Removed on close."""

    def __init__(self, collection=REPO):
        self.collection = Path(collection).resolve()
        self.root = Path(tempfile.mkdtemp(prefix="element-bench-"))
        namespace = self.root / "collections" / "ansible_collections" / "element"
        namespace.mkdir(parents=True)
        (namespace / "replication").symlink_to(self.collection)
        self._serial = 0

    def path(self, stem, suffix=""):
        """A new, unique path in the workspace."""
        self._serial += 1
        return self.root / ("%s-%d%s" % (stem, self._serial, suffix))

    def env(self, timer_file):
        env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
        env.update({
            "ANSIBLE_COLLECTIONS_PATH": str(self.root / "collections"),
            "ANSIBLE_CALLBACK_PLUGINS": str(BENCH / "callback_plugins"),
            "ANSIBLE_CALLBACKS_ENABLED": "bench_timer",
            "ANSIBLE_NOCOLOR": "1",
            "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
            "ANSIBLE_LOCALHOST_WARNING": "false",
            "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false",
            "ANSIBLE_RETRY_FILES_ENABLED": "false",
            "ANSIBLE_LOCAL_TEMP": str(self.root / "ansible-tmp"),
            "BENCH_TIMER_FILE": str(timer_file),
            "PATH": "%s:%s" % (ANSIBLE_PLAYBOOK.parent, os.environ.get("PATH", "")),
        })
        return env

    def close(self):
        shutil.rmtree(self.root, ignore_errors=True)


def cpu_seconds(pid):
    """User + system CPU seconds of a live process (all its threads), from /proc."""
    with open("/proc/%d/stat" % pid, encoding="ascii") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime


def children_cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class Sim:
    """A running simulator with clusters prod and dr and `volumes` seeded volumes each."""

    def __init__(self, process):
        self.process = process
        self.clusters = [process.cluster(name) for name in CLUSTERS]
        self.prod, self.dr = self.clusters
        self.delay = 0.0  # seconds every API call waits before the cluster takes it up (wan.delayed)
        self.dropping = None  # a cluster whose packets are dropped: its own port cannot be asked for its log

    def lose(self, cluster, outage):
        """Take a cluster off the network (outage: close, hang or drop), through the other's port."""
        other = self.dr if cluster is self.prod else self.prod
        cluster.set_offline(outage, via=other)
        self.dropping = cluster if outage == "drop" else None

    def pair_clusters(self):
        """The cluster pair every volume-pair figure needs; made with raw calls, not counted."""
        key = self.prod.call("StartClusterPairing")["clusterPairingKey"]
        self.dr.call("CompleteClusterPairing", clusterPairingKey=key)
        self.clear_calls()

    def reachable(self):
        return [cluster for cluster in self.clusters if cluster is not self.dropping]

    def clear_calls(self):
        for cluster in self.reachable():
            cluster.clear_calls()

    def take_calls(self):
        """The client calls both clusters logged since the last take, then an empty log."""
        # A cluster that drops packets takes no call: nothing reaches it to log.
        calls = [c for cluster in self.reachable() for c in cluster.calls()]
        self.clear_calls()
        return calls

    def cpu_seconds(self):
        return cpu_seconds(self.process.process.pid)

    def completed_pairs(self):
        """How many prod volumes have a completed pair whose target is a replicationTarget on dr."""
        targets = {v["volumeID"] for v in self.dr.paired_volumes() if v["access"] == "replicationTarget"}
        done = [v for v in self.prod.paired_volumes()
                if v["volumePairs"] and v["volumePairs"][0]["remoteVolumeID"] in targets]
        self.clear_calls()  # the check's own reads are not part of any figure
        return len(done)

    def connection(self, name):
        cluster = self.process.cluster(name)
        return {"hostname": cluster.host, "port": cluster.port, "username": cluster.username,
                "password": cluster.password, "ca_path": cluster.ca_cert}


@contextmanager
def fresh_sim(workspace, volumes):
    """A new simulator state (new state dir) for one measurement; always stopped afterwards."""
    process = SimulatorProcess(workspace.path("sim"), volumes=volumes, names=list(CLUSTERS))
    try:
        process.start(timeout=SIM_START_TIMEOUT)
        yield Sim(process)
    finally:
        process.stop()


class PlaybookFailed(RuntimeError):
    pass


def writable_calls(calls):
    """The calls up to the last one that made a volume readWrite (the ModifyVolume(s) that ends a
    failover's promote), or None when no call did: what a user waits for until the volumes are
    writable."""
    promotes = [c["started"] for c in calls if c["method"] in ("ModifyVolume", "ModifyVolumes")
                and (c.get("params") or {}).get("access") == "readWrite" and c.get("outcome") == "ok"]
    if not promotes:
        return None
    return [c for c in calls if c["started"] <= max(promotes)]


def on_the_wire_seconds(calls, delay):
    """How long at least one call was on its way, with every call held `delay` seconds before the
    cluster takes it up: the union of the calls' [started, started + delay] intervals (both
    clusters' logs). Divided by the delay it counts the round trips a user far from the clusters
    waits for. The clusters' and the controller's CPU time is not in it: it is there on the loopback too."""
    total, end = 0.0, None
    for start in sorted(c["started"] for c in calls):
        stop = start + delay
        if end is None or start > end:
            total += delay
        elif stop > end:
            total += stop - end
        end = stop if end is None or stop > end else end
    return total


def run_playbook(workspace, playbook, sim=None, args=(), allow_failure=False):
    """Run ansible-playbook once and measure it.

    Returns wall seconds, the CPU seconds of Ansible with its module processes and of the
    simulator, the API calls the clusters logged during the run (every earlier call has been
    taken off the log), the span between the first and the last of them, and the timer
    callback's findings.
    """
    if isinstance(playbook, list):  # plays: JSON is YAML, so no YAML writer is needed
        path = workspace.path("playbook", ".yml")
        path.write_text(json.dumps(playbook, indent=1))
        playbook = path
    timer_file = workspace.path("timer", ".json")
    command = [str(ANSIBLE_PLAYBOOK), str(playbook)] + list(args)
    if not any(a in ("-i", "--inventory") for a in args):
        command += ["-i", "localhost,"]
    sim_cpu = sim.cpu_seconds() if sim else 0.0
    own_cpu = children_cpu_seconds()
    started = time.monotonic()
    proc = subprocess.run(command, cwd=str(workspace.root), env=workspace.env(timer_file), capture_output=True,
                          text=True, timeout=PLAYBOOK_TIMEOUT, check=False)
    wall = time.monotonic() - started
    result = {"wall_s": wall, "ansible_cpu_s": children_cpu_seconds() - own_cpu, "rc": proc.returncode}
    if sim:
        result["sim_cpu_s"] = sim.cpu_seconds() - sim_cpu
        calls = sim.take_calls()
        times = [c["time"] for c in calls] or [0.0]  # two clusters' logs: the span covers both
        result.update(calls=len(calls), mutating=sum(1 for c in calls if c["mutating"]),
                      methods=dict(Counter(c["method"] for c in calls)), api_span_s=max(times) - min(times))
        if sim.delay:
            result["wire_s"] = on_the_wire_seconds(calls, sim.delay)
            until_writable = writable_calls(calls)
            if until_writable is not None:
                result["writable_wire_s"] = on_the_wire_seconds(until_writable, sim.delay)
    timer = json.loads(timer_file.read_text()) if timer_file.exists() else {"tasks": [], "counts": {}}
    result["tasks"] = timer["tasks"]
    result["counts"] = timer["counts"]
    if proc.returncode != 0:
        result["reason"] = failure_reason(proc.stdout, proc.stderr)
        if not allow_failure:
            raise PlaybookFailed("%s failed with rc %d: %s" % (Path(playbook).name, proc.returncode, result["reason"]))
    return result


def failure_reason(stdout, stderr):
    """The first failure message of a run, short enough for a table row."""
    for text in (stdout, stderr):
        found = re.search(r'(?:fatal|failed): \[[^\]]*\].*?"msg": "((?:[^"\\]|\\.)*)"', text, re.S) \
            or re.search(r"^ERROR!? ?(.*)$", text, re.M) or re.search(r"^\[ERROR\]:? ?(.*)$", text, re.M)
        if found:
            return found.group(1)[:300]
    lines = [line for line in (stderr or stdout).strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else "no output"
