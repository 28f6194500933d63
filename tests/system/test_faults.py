# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Faults a real network and real clusters produce, injected with the simulator.

Each case checks: a clear error naming the cluster and the method (when the run fails), nothing
half-done that a re-run cannot repair, a re-run that converges once the fault clears, and at the
end exactly the declared pairs on both clusters: no duplicates, no pending leftovers.
"""

from __future__ import annotations

import threading
import time

import pytest

from element_sim.harness import SimulatorProcess
from helpers import Ansible, clear_calls, pairs_between, reset, volume_pairs_between

PAIR = {"name": "pair clusters", "element.replication.element_cluster_pair": {}}


def volumes_task(count, **params):
    return {"name": "pair volumes", "element.replication.element_volume_pair": dict(
        pairs=[{"volume": "vol-%04d" % i} for i in range(1, count + 1)], **params)}


def assert_exactly(prod, dr, volume_count):
    """Exactly one cluster pair and exactly volume_count complete volume pairs, nothing else."""
    assert len(pairs_between(prod, dr)) == 1
    assert len(prod.cluster_pairs()) == 1 and len(dr.cluster_pairs()) == 1
    assert len(volume_pairs_between(prod, dr)) == volume_count
    assert len(prod.paired_volumes()) == volume_count and len(dr.paired_volumes()) == volume_count
    pending = [v for v in prod.paired_volumes() if any(e["remoteVolumeID"] == 0 for e in v["volumePairs"])]
    assert pending == []


def test_peer_down_before_pairing_starts(sim, ansible):
    prod, dr = sim.cluster("prod"), sim.cluster("dr")
    dr.set_offline()
    run = ansible.play([PAIR, volumes_task(3)])
    assert run.rc != 0
    msg = run.task("pair clusters")["msg"]
    assert "cluster 127.0.0.1:%d" % dr.port in msg and "GetClusterInfo failed" in msg
    assert [c for c in prod.calls() if c["mutating"]] == [] and prod.cluster_pairs() == []
    dr.set_online()
    assert ansible.play([PAIR, volumes_task(3)]).rc == 0
    assert_exactly(prod, dr, 3)


@pytest.mark.parametrize("cluster, method", [
    ("dr", "CompleteClusterPairing"),
    ("prod", "StartClusterPairing"),
    ("dr", "CompleteVolumePairing"),
    ("prod", "StartVolumePairing"),
    ("dr", "ModifyVolumes"),
    ("prod", "ModifyVolumePair"),
])
def test_answer_lost_after_the_call_was_applied(sim, ansible, cluster, method):
    """The connection drops after the cluster applied the call: the module reads again to learn
    what happened instead of retrying blindly, and the run still converges."""
    prod, dr = sim.cluster("prod"), sim.cluster("dr")
    sim.cluster(cluster).add_fault(method, "drop_after")
    tasks = [PAIR, volumes_task(3, paused=(method == "ModifyVolumePair"))]
    run = ansible.play(tasks)
    applied = [c for c in sim.cluster(cluster).calls() if c["method"] == method and c["outcome"] == "dropped_after"]
    assert len(applied) == 1, "the fault must have hit"
    if run.rc != 0:  # a clear error, then a re-run converges
        failed = [r for r in run.results if r["status"] == "failed"][0]["result"]["msg"]
        assert method in failed or "cluster" in failed
        run = ansible.play(tasks)
    assert run.rc == 0, run
    assert_exactly(prod, dr, 3)
    again = ansible.play(tasks)
    assert not any(r["result"].get("changed") for r in again.results)


@pytest.mark.parametrize("fault", [
    dict(action="http_status", status=503),
    dict(action="error", error="xDBVersionMismatch"),
    dict(action="drop_before"),
], ids=["http-503", "xDBVersionMismatch", "connection-reset"])
def test_transient_read_errors_are_retried(sim, ansible, fault):
    prod, dr = sim.cluster("prod"), sim.cluster("dr")
    for cluster in (prod, dr):
        for method in ("GetClusterInfo", "ListClusterPairs", "ListVolumes"):
            cluster.add_fault(method, count=2, **fault)
    run = ansible.play([PAIR, volumes_task(2)])
    assert run.rc == 0, run
    assert_exactly(prod, dr, 2)
    retried = [c for c in prod.calls() if c["method"] == "GetClusterInfo" and c["outcome"] != "ok"]
    assert len(retried) == 2


def test_read_timeout_is_a_clear_error(sim, ansible):
    prod, dr = sim.cluster("prod"), sim.cluster("dr")
    dr.add_fault("ListClusterPairs", "delay", count=10, seconds=3)
    task = {"name": "pair clusters", "element.replication.element_cluster_pair": {
        "peer": dict(ansible.connection("dr"), timeout=1)}}
    started = time.monotonic()
    run = ansible.play([task])
    assert run.rc != 0
    msg = run.task("pair clusters")["msg"]
    assert "ListClusterPairs failed" in msg and "read timeout of 1 s (option timeout)" in msg and "dr" in msg
    assert time.monotonic() - started < 60, "retries are bounded"
    assert prod.cluster_pairs() == [] and dr.cluster_pairs() == []


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    sim = SimulatorProcess(tmp_path_factory.mktemp("big"), clusters=2, volumes=200, names=["prod", "dr"]).start()
    sim.baseline = {c.name: {v["volumeID"]: v for v in c.volumes()} for c in sim.clusters}
    yield sim
    sim.stop()


def test_simulator_killed_half_way_through_a_bulk_run(big, tmp_path, collections_path):
    """SIGKILL while 200 pairs are being made; restart; the re-run ends with exactly 200 pairs."""
    reset(big)
    ansible = Ansible(big, tmp_path, collections_path)
    prod = big.cluster("prod")
    # Slow the completions down (4 in parallel, 0.1 s each) so the 80 pairs still to do after the
    # trigger take seconds, whatever the machine's load: the kill must land half-way.
    big.cluster("dr").add_fault("CompleteVolumePairing", "delay", count=200, seconds=0.1)
    outcome = {}
    runner = threading.Thread(target=lambda: outcome.setdefault("run", ansible.play([PAIR, volumes_task(200)])))
    runner.start()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(prod.mutating_calls()) < 120:
        time.sleep(0.2)
    big.kill()
    runner.join(300)
    assert outcome["run"].rc != 0, "the run must notice that the clusters went away"
    big.restart()
    prod, dr = big.cluster("prod"), big.cluster("dr")
    assert 0 < len(volume_pairs_between(prod, dr)) < 200, "the kill landed half-way"
    rerun = ansible.play([PAIR, volumes_task(200)])
    assert rerun.rc == 0, rerun
    assert_exactly(prod, dr, 200)


def test_two_runs_at_the_same_time(sim, ansible):
    """Two ansible-playbook runs converge the same topology at once: no duplicate cluster pair, no
    duplicate or pending volume pair. (The pending pairs of a run whose completion was overtaken
    are removed by that run; a run waits for pairings another run has in flight.)"""
    prod, dr = sim.cluster("prod"), sim.cluster("dr")
    clear_calls(prod, dr)
    runs = []
    threads = [threading.Thread(target=lambda: runs.append(ansible.play([PAIR, volumes_task(10)]))) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    assert len(runs) == 2
    assert all(r.rc == 0 for r in runs), runs
    assert_exactly(prod, dr, 10)
