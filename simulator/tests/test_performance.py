"""Scale: 1000 volume pairs per cluster, and the throughput tool."""

import json
import os
import subprocess
import sys

import pytest

from element_sim.throughput import measure
from helpers import pair_clusters

PAIRS = 1000
LIST_BUDGET_SECONDS = 0.100
needs_proc = pytest.mark.skipif(not os.path.exists("/proc/self/stat"),
                                reason="CPU time is read from /proc")


@pytest.fixture(scope="module")
def thousand_pairs(tmp_path_factory):
    from element_sim.harness import SimulatorProcess
    sim = SimulatorProcess(tmp_path_factory.mktemp("scale"), clusters=2, volumes=PAIRS).start()
    a, b = sim.clusters
    pair_clusters(a, b)
    keys = [a.call("StartVolumePairing", volumeID=v)["volumePairingKey"]
            for v in range(1, PAIRS + 1)]
    for first in range(1, PAIRS + 1, 500):
        b.call("ModifyVolumes", volumeIDs=list(range(first, min(first + 500, PAIRS + 1))),
               access="replicationTarget")
    for vid, key in enumerate(keys, 1):
        b.call("CompleteVolumePairing", volumeID=vid, volumePairingKey=key)
    yield sim
    sim.stop()


def server_cpu_seconds(pid):
    """User + system CPU time the simulator process has used so far (Linux /proc)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        fields = f.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_per_request(sim, cluster, body, count):
    """The simulator's CPU time per request. Unlike wall-clock time it does not grow when
    other tests load the machine (pytest -n), so the budget below can be strict."""
    pid = sim.process.pid
    before = server_cpu_seconds(pid)
    for _ in range(count):
        response = cluster.session.post(cluster.url + "/json-rpc/12.5", data=body, timeout=60)
        assert response.status_code == 200 and b'"result"' in response.content[:40]
    return (server_cpu_seconds(pid) - before) / count


@needs_proc
def test_listing_a_thousand_pairs_with_derived_states(thousand_pairs):
    for cluster in thousand_pairs.clusters:
        volumes = cluster.paired_volumes()
        assert len(volumes) == PAIRS
        assert {v["volumePairs"][0]["remoteReplication"]["state"] for v in volumes} == {"Active"}
        body = '{"method":"ListActivePairedVolumes","params":{},"id":1}'
        cost = cpu_per_request(thousand_pairs, cluster, body, 10)
        assert cost < LIST_BUDGET_SECONDS, f"{cost * 1000:.1f} ms of CPU per listing"


@needs_proc
def test_small_requests_stay_cheap_with_many_pairs(thousand_pairs):
    """One volume out of 1000 paired ones: O(1) work, not O(volumes)."""
    cluster = thousand_pairs.clusters[0]
    body = '{"method":"ListVolumes","params":{"volumeIDs":[500]},"id":1}'
    cost = cpu_per_request(thousand_pairs, cluster, body, 50)
    assert cost < LIST_BUDGET_SECONDS / 20, f"{cost * 1000:.1f} ms of CPU per request"
    answer = cluster.call("ListVolumes", volumeIDs=[500])
    assert answer["volumes"][0]["volumePairs"][0]["remoteReplication"]["state"] == "Active"


def test_throughput_tool(thousand_pairs):
    cluster = thousand_pairs.clusters[0]
    result = measure(cluster.url, cluster.username, cluster.password, cluster.ca_cert,
                     seconds=0.5, method="GetClusterInfo")
    assert result["errors"] == 0 and result["requests"] > 10
    output = subprocess.run(
        [sys.executable, "-m", "element_sim.throughput", "--url", cluster.url, "--user",
         cluster.username, "--password", cluster.password, "--ca", cluster.ca_cert,
         "--seconds", "0.3", "--connections", "2"],
        capture_output=True, text=True, timeout=60, check=True).stdout
    report = json.loads(output)
    assert set(report["results"]) == {"GetClusterInfo", "ListActivePairedVolumes"}
    assert all(r["errors"] == 0 and r["requests"] > 0 for r in report["results"].values())


@needs_proc
def test_cloning_stays_cheap_with_many_volumes(thousand_pairs):
    """A rehearsal clones every target volume: each CloneVolume is O(1), not O(volumes), and
    listing the jobs is O(jobs)."""
    target = thousand_pairs.clusters[1]
    pid = thousand_pairs.process.pid
    target.settings(clone_seconds=0)  # each job completes before the next call
    clones = []
    try:
        before = server_cpu_seconds(pid)
        for vid in range(1, 51):
            body = json.dumps({"method": "CloneVolume", "id": 1, "params": {
                "volumeID": vid, "name": f"rehearsal-{vid}", "access": "readWrite"}})
            response = target.session.post(target.url + "/json-rpc/12.5", data=body, timeout=60)
            clones.append(response.json()["result"]["volumeID"])
        cost = (server_cpu_seconds(pid) - before) / 50
        assert cost < LIST_BUDGET_SECONDS / 20, f"{cost * 1000:.1f} ms of CPU per clone"
        assert len(target.async_results("Clone")) == 50
        assert {v["status"] for v in target.volumes(volumeIDs=clones)} == {"active"}
    finally:
        target.settings(clone_seconds=0.5)
        for vid in clones:
            target.call("DeleteVolume", volumeID=vid)
            target.call("PurgeDeletedVolume", volumeID=vid)
