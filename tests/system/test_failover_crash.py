# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Issue 23: a planned failover or failback stopped at any point is finished by a plain re-run.

The stop is a crash of the controller (ansible-playbook and every process under it, the module's
included: Ansible's workers start their own sessions, so the whole tree is killed, not one
process group) or of the clusters (the simulator SIGKILLed and restarted on its state). The
point is chosen with the simulator's hang fault: the first call of the phase is held, unapplied,
and logged; the test sees it in the call log and crashes there. Then: a plain re-run (same
options, no force) succeeds; on both clusters every pair is in the new direction, Active, and
its two halves point at each other; a second re-run makes no mutating call. No pair is
readWrite on both sides after any stop.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from element_sim.harness import SimulatorProcess
from helpers import ANSIBLE_BIN, Ansible, clear_calls, mutating, pair_clusters_raw, pair_volumes_raw, volume_named

VOLUMES = ("vol-0001", "vol-0002", "vol-0003")
WAIT_SECONDS = 60  # every wait for the simulator or a process is bounded


@pytest.fixture
def clusters(tmp_path, collections_path):
    """A simulator of its own (it is killed), prod replicating vol-0001..3 to dr, Active."""
    sim = SimulatorProcess(tmp_path / "sim", clusters=2, volumes=len(VOLUMES), names=["prod", "dr"])
    sim.start()
    try:
        prod, dr = sim.cluster("prod"), sim.cluster("dr")
        pair_clusters_raw(prod, dr)
        for name in VOLUMES:
            pair_volumes_raw(prod, dr, volume_named(prod, name)["volumeID"], volume_named(dr, name)["volumeID"])
        yield sim, Ansible(sim, tmp_path, collections_path)
    finally:
        sim.stop()


def failover_play(ansible, primary):
    return [{"name": "crash test", "hosts": "localhost", "connection": "local", "gather_facts": False,
             "module_defaults": ansible.defaults(), "tasks": [
                 {"name": "failover", "element.replication.element_replication_failover": dict(
                     primary=primary, pairs=[{"volume": v} for v in VOLUMES], wait_timeout=30)}]}]


def start_controller(ansible, primary):
    """ansible-playbook with the failover task, in the background."""
    path = ansible.workdir / ("crash-%s-%d.yml" % (primary, time.monotonic_ns()))
    path.write_text(yaml.safe_dump(failover_play(ansible, primary), sort_keys=False))
    return subprocess.Popen([str(ANSIBLE_BIN / "ansible-playbook"), str(path), "-i", "localhost,"],
                            cwd=str(ansible.workdir), env=ansible.env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def descendants(pid):
    """Every process under pid, by parent links in /proc."""
    children = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def command_line(pid):
    try:
        return Path("/proc/%d/cmdline" % pid).read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def kill_tree(controller):
    """SIGKILL ansible-playbook and every process under it, as a crashed controller host would:
    stopped first, so that none can start another. Returns the command lines killed."""
    tree = [controller.pid] + descendants(controller.pid)
    killed = [command_line(pid) for pid in tree]
    for sig in (signal.SIGSTOP, signal.SIGKILL):
        for pid in tree:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
    controller.wait(WAIT_SECONDS)
    deadline = time.monotonic() + WAIT_SECONDS
    while any(Path("/proc/%d" % pid).exists() and "zombie" not in _status(pid) for pid in tree[1:]):
        assert time.monotonic() < deadline, "the controller's processes outlived SIGKILL"
        time.sleep(0.05)
    return killed


def _status(pid):
    try:
        return Path("/proc/%d/status" % pid).read_text().lower()
    except OSError:
        return "zombie"


def wait_for_call(cluster, method, outcome, access=None):
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        found = [c for c in cluster.calls() if c["method"] == method and c["outcome"] == outcome
                 and (access is None or c["params"].get("access") == access)]
        if found:
            return found[0]
        assert time.monotonic() < deadline, "%s never showed %s %s" % (cluster.name, method, outcome)
        time.sleep(0.05)


def pairs(prod, dr):
    """{volume: (access on prod, access on dr, state on prod, state on dr, halves point at each other)}."""
    found = {}
    for name in VOLUMES:
        a, b = volume_named(prod, name), volume_named(dr, name)
        pa, pb = a["volumePairs"][0], b["volumePairs"][0]
        found[name] = (a["access"], b["access"], pa["remoteReplication"]["state"], pb["remoteReplication"]["state"],
                       pa["remoteVolumeID"] == b["volumeID"] and pb["remoteVolumeID"] == a["volumeID"]
                       and pa["volumePairUUID"] == pb["volumePairUUID"])
    return found


DIRECTION = {"peer": ("replicationTarget", "readWrite", "Active", "Active", True),
             "local": ("readWrite", "replicationTarget", "Active", "Active", True)}
# phase -> (cluster whose call is held: "old" or "new" source, the call)
PHASES = {"demote": ("old", "ModifyVolumes"), "promote": ("new", "ModifyVolumes")}


def fail_over_by_hand(prod, dr):
    """The state after a failover to dr: demote prod, then promote dr."""
    for name in VOLUMES:
        prod.call("ModifyVolume", volumeID=volume_named(prod, name)["volumeID"], access="replicationTarget")
    for name in VOLUMES:
        dr.call("ModifyVolume", volumeID=volume_named(dr, name)["volumeID"], access="readWrite")


@pytest.mark.parametrize("primary, phase, crash", [
    ("peer", "demote", "controller"),
    ("peer", "promote", "controller"),
    ("peer", "settle", "controller"),
    ("local", "promote", "controller"),
    ("local", "settle", "controller"),
    ("peer", "promote", "clusters"),
    ("local", "demote", "clusters"),
])
def test_a_failover_stopped_by_a_crash_is_finished_by_a_plain_rerun(clusters, primary, phase, crash):
    sim, ansible = clusters
    prod, dr = sim.cluster("prod"), sim.cluster("dr")
    if primary == "local":  # a failback: dr is the source
        fail_over_by_hand(prod, dr)
    new, old = (dr, prod) if primary == "peer" else (prod, dr)
    clear_calls(prod, dr)
    if phase == "settle":
        prod.settings(volume_pair_sync_delay=600)  # moved pairs stay ResumingConnected: the module waits
        prod.advance_clock(1200)  # while the pairs made before are Active
    else:
        held = {"old": old, "new": new}[PHASES[phase][0]]
        held.add_fault(PHASES[phase][1], "hang", seconds=120)

    controller = start_controller(ansible, primary)
    try:
        if phase == "settle":
            wait_for_call(new, "ModifyVolumes", "ok", access="readWrite")
            time.sleep(0.5)  # into the wait for Active
        else:
            wait_for_call(held, PHASES[phase][1], "hung")
        if crash == "controller":
            killed = kill_tree(controller)
            assert any("element_replication_failover" in line or "AnsiballZ" in line for line in killed), killed
            held_cluster = None if phase == "settle" else held
            if held_cluster is not None:
                held_cluster.clear_faults()  # the held call ends unapplied, as if lost with the controller
        else:
            sim.kill()
            sim.start()
            prod, dr = sim.cluster("prod"), sim.cluster("dr")
            new, old = (dr, prod) if primary == "peer" else (prod, dr)
            controller.wait(WAIT_SECONDS)  # the module meets the crash on its own; a re-run follows anyway
    finally:
        if controller.poll() is None:
            kill_tree(controller)
    prod.settings(volume_pair_sync_delay=0)

    stopped = pairs(prod, dr)
    assert not any(p[:2] == ("readWrite", "readWrite") for p in stopped.values()), stopped
    if phase == "promote":
        assert {p[:2] for p in stopped.values()} == {("replicationTarget", "replicationTarget")}, \
            "stopped between demote and promote: both sides targets, nothing writable"

    rerun = ansible.playbook(failover_play(ansible, primary))
    assert rerun.rc == 0, rerun
    assert set(pairs(prod, dr).values()) == {DIRECTION[primary]}

    clear_calls(prod, dr)
    again = ansible.playbook(failover_play(ansible, primary))
    assert again.rc == 0 and again.task("failover")["changed"] is False, again
    assert mutating(prod) == [] and mutating(dr) == []
