"""Helpers shared by the tests."""

import json
import socket
import time

import pytest

from element_sim.harness import SimRPCError


def error_of(cluster, method, **params):
    """The Element error name a call fails with (the test fails if it succeeds)."""
    with pytest.raises(SimRPCError) as info:
        cluster.call(method, **params)
    return info.value.name


def decode_key(key):
    return json.loads(bytes.fromhex(key).decode())


def pair_clusters(a, b):
    """Pair a (originating) with b; returns (a's clusterPairID, b's clusterPairID)."""
    started = a.call("StartClusterPairing")
    completed = b.call("CompleteClusterPairing", clusterPairingKey=started["clusterPairingKey"])
    return started["clusterPairID"], completed["clusterPairID"]


def pair_volumes(source, source_id, target, target_id, mode=None, set_target=True):
    """Pair two volumes; the target gets access replicationTarget first (as Cinder does).
    Returns the volumePairUUID."""
    params = {"volumeID": source_id}
    if mode is not None:
        params["mode"] = mode
    key = source.call("StartVolumePairing", **params)["volumePairingKey"]
    if set_target:
        target.call("ModifyVolume", volumeID=target_id, access="replicationTarget")
    target.call("CompleteVolumePairing", volumeID=target_id, volumePairingKey=key)
    return decode_key(key)["volumePairUUID"]


def volume(cluster, volume_id):
    vols = cluster.call("ListVolumes", volumeIDs=[volume_id])["volumes"]
    assert len(vols) == 1, f"volume {volume_id} not found on {cluster.name}"
    return vols[0]


def pair_entry(cluster, volume_id):
    pairs = volume(cluster, volume_id)["volumePairs"]
    assert len(pairs) == 1, pairs
    return pairs[0]


def state(cluster, volume_id):
    return pair_entry(cluster, volume_id)["remoteReplication"]["state"]


def pair_status(cluster, cluster_pair_id):
    for pair in cluster.cluster_pairs():
        if pair["clusterPairID"] == cluster_pair_id:
            return pair["status"]
    raise AssertionError(f"cluster pair {cluster_pair_id} not listed on {cluster.name}")


def wait_for(predicate, timeout=5.0, interval=0.05):
    """Poll until predicate() is truthy; bounded in time. Returns its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def free_port_block(count):
    """A base port with `count` free consecutive ports (bounded number of tries)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = probe.getsockname()[1]
        if base + count > 65535:
            continue
        sockets = []
        try:
            for port in range(base, base + count):
                s = socket.socket()
                sockets.append(s)
                s.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for s in sockets:
                s.close()
    raise RuntimeError("no free port block found")


def start_on_fixed_ports(start, count):
    """start(base_port) on a block of free ports. Another test process may take a probed port
    before the simulator binds it, so a failed start is retried on a new block (bounded)."""
    from element_sim.harness import SimulatorError
    for attempt in range(5):
        try:
            return start(free_port_block(count))
        except SimulatorError:
            if attempt == 4:
                raise
