"""Cluster pairing rules (spec §2.1-2.4, §2.11)."""

import json
import re
import time

import pytest

from element_sim.harness import SimRPCError
from helpers import decode_key, error_of, pair_clusters, pair_status, pair_volumes, wait_for


def test_start_creates_a_pending_pair_and_key(sim):
    a = sim.clusters[0]
    started = a.call("StartClusterPairing")
    key = decode_key(started["clusterPairingKey"])
    assert started["clusterPairingKey"] == started["clusterPairingKey"].lower()
    assert set(key) == {"clusterPairID", "clusterPairUUID", "clusterUniqueID", "mvip", "name",
                        "password", "rpcConnectionID", "username"}
    assert key["clusterPairID"] == started["clusterPairID"]
    assert (key["clusterUniqueID"], key["mvip"], key["name"]) == (a.unique_id, a.mvip, a.name)
    assert re.fullmatch(r"__SF_pair_[A-Za-z0-9]{16}", key["username"])
    assert len(key["password"]) == 16 and isinstance(key["rpcConnectionID"], int)
    # The key is compact JSON with sorted keys, hex encoded.
    raw = bytes.fromhex(started["clusterPairingKey"]).decode()
    assert raw.startswith('{"clusterPairID":') and ", " not in raw
    assert a.cluster_pairs() == [{
        "clusterName": "", "clusterPairID": started["clusterPairID"],
        "clusterPairUUID": key["clusterPairUUID"], "clusterUUID": "", "latency": 0, "mvip": "",
        "status": "Unconfigured", "version": ""}]
    second = decode_key(a.call("StartClusterPairing")["clusterPairingKey"])
    assert second["username"] != key["username"] and second["password"] != key["password"]
    assert second["clusterPairUUID"] != key["clusterPairUUID"]
    assert len(a.cluster_pairs()) == 2


def test_complete_pairs_both_sides(sim):
    a, b = sim.clusters
    started = a.call("StartClusterPairing")
    key = decode_key(started["clusterPairingKey"])
    a_id, b_id = started["clusterPairID"], b.call(
        "CompleteClusterPairing", clusterPairingKey=started["clusterPairingKey"])["clusterPairID"]
    (on_a,), (on_b,) = a.cluster_pairs(), b.cluster_pairs()
    assert on_a["clusterPairID"] == a_id and on_b["clusterPairID"] == b_id
    assert on_a["clusterPairUUID"] == on_b["clusterPairUUID"] == key["clusterPairUUID"]
    assert (on_a["clusterName"], on_a["mvip"], on_a["clusterUUID"]) == (b.name, b.mvip,
                                                                        b.unique_id)
    assert (on_b["clusterName"], on_b["mvip"], on_b["clusterUUID"]) == (a.name, a.mvip,
                                                                        a.unique_id)
    for pair in (on_a, on_b):
        assert pair["status"] == "Connected" and pair["version"] == "12.5.0.897"
        assert isinstance(pair["latency"], int) and isinstance(pair["clusterUUID"], str)


def test_complete_calls_the_originating_cluster_over_http(sim):
    a, b = sim.clusters
    a.clear_calls()
    pair_clusters(a, b)
    peer_calls = [c for c in a.calls(include_peer=True) if c["caller"] == "peer"]
    assert peer_calls[0]["method"] == "SimPeerCompleteClusterPairing"
    assert peer_calls[0]["outcome"] == "ok" and peer_calls[0]["mutating"] is True
    assert peer_calls[0]["params"]["pairCredentials"] == "********"
    assert all(c["caller"] == "client" for c in a.calls())  # hidden without include_peer


def test_complete_fails_when_the_originating_cluster_is_offline(sim):
    a, b = sim.clusters
    key = a.call("StartClusterPairing")["clusterPairingKey"]
    a.set_offline()
    try:
        assert error_of(b, "CompleteClusterPairing", clusterPairingKey=key) == "xRpcTimeout"
    finally:
        a.set_online()
    assert b.cluster_pairs() == []
    assert [p["status"] for p in a.cluster_pairs()] == ["Unconfigured"]
    b.call("CompleteClusterPairing", clusterPairingKey=key)  # the key still works afterwards
    assert [p["status"] for p in b.cluster_pairs()] == ["Connected"]


def test_completing_twice_or_with_a_used_key(make_sim):
    sim = make_sim(clusters=3, volumes=0)
    a, b, c = sim.clusters
    key = a.call("StartClusterPairing")["clusterPairingKey"]
    b.call("CompleteClusterPairing", clusterPairingKey=key)
    assert error_of(b, "CompleteClusterPairing", clusterPairingKey=key) == "xPairingAlreadyExists"
    assert error_of(c, "CompleteClusterPairing", clusterPairingKey=key) == "xInvalidPairingKey"
    fresh = a.call("StartClusterPairing")["clusterPairingKey"]  # already paired with b
    assert error_of(b, "CompleteClusterPairing", clusterPairingKey=fresh) \
        == "xPairingAlreadyExists"
    assert len(b.cluster_pairs()) == 1


def test_bad_keys(sim):
    a, b = sim.clusters
    own = a.call("StartClusterPairing")["clusterPairingKey"]
    assert error_of(a, "CompleteClusterPairing", clusterPairingKey=own) == "xInvalidPairingKey"
    fields = decode_key(own)
    edited_password = dict(fields, password=fields["password"][::-1])
    bad_keys = ["zz", "7b", own[:-2], own.upper(), own + "0",
                json.dumps(edited_password, sort_keys=True).encode().hex(),
                '{"a":1}'.encode().hex(), "[]".encode().hex()]
    for missing in ("username", "clusterPairUUID", "mvip"):
        broken = {k: v for k, v in fields.items() if k != missing}
        bad_keys.append(json.dumps(broken).encode().hex())
    for key in bad_keys:
        assert error_of(b, "CompleteClusterPairing", clusterPairingKey=key) \
            == "xInvalidPairingKey", key
    assert b.cluster_pairs() == []


def test_pending_pair_removed_before_completion(sim):
    a, b = sim.clusters
    started = a.call("StartClusterPairing")
    a.call("RemoveClusterPair", clusterPairID=started["clusterPairID"])
    assert error_of(b, "CompleteClusterPairing",
                    clusterPairingKey=started["clusterPairingKey"]) == "xInvalidPairingKey"
    assert a.cluster_pairs() == [] and b.cluster_pairs() == []


def test_at_most_four_cluster_pairs_pending_included(make_sim):
    sim = make_sim(clusters=5, volumes=0)
    hub, others = sim.clusters[0], sim.clusters[1:]
    pair_clusters(hub, others[0])
    pair_clusters(others[1], hub)
    hub.call("StartClusterPairing")
    hub.call("StartClusterPairing")  # two pending: four in all
    assert len(hub.cluster_pairs()) == 4
    with pytest.raises(SimRPCError) as info:
        hub.call("StartClusterPairing")
    assert info.value.name == "xExceededLimit"
    assert "clusterPairsCountMax" in info.value.message  # the message names the limit
    key = others[2].call("StartClusterPairing")["clusterPairingKey"]
    assert error_of(hub, "CompleteClusterPairing", clusterPairingKey=key) == "xExceededLimit"
    assert [p["status"] for p in others[2].cluster_pairs()] == ["Unconfigured"]


def test_remove_cluster_pair_is_one_sided(sim):
    a, b = sim.clusters
    a_id, b_id = pair_clusters(a, b)
    assert error_of(a, "RemoveClusterPair", clusterPairID=9999) == "xPairingDoesNotExist"
    assert a.call("RemoveClusterPair", clusterPairID=a_id) == {}
    assert a.cluster_pairs() == []
    # The peer keeps its half; it can still reach a, which no longer knows the pair.
    assert pair_status(b, b_id) == "Misconfigured"
    assert error_of(a, "RemoveClusterPair", clusterPairID=a_id) == "xPairingDoesNotExist"
    b.call("RemoveClusterPair", clusterPairID=b_id)
    pair_clusters(b, a)  # the clusters can pair again
    assert [p["status"] for p in a.cluster_pairs()] == ["Connected"]


def test_remove_refused_while_volume_pairs_use_it(sim):
    a, b = sim.clusters
    a_id, b_id = pair_clusters(a, b)
    pair_volumes(a, 1, b, 1)
    assert error_of(a, "RemoveClusterPair", clusterPairID=a_id) == "xClusterPairHasVolumePairs"
    assert error_of(b, "RemoveClusterPair", clusterPairID=b_id) == "xClusterPairHasVolumePairs"
    a.call("RemoveVolumePair", volumeID=1)
    a.call("RemoveClusterPair", clusterPairID=a_id)  # a has no volume pair left
    assert error_of(b, "RemoveClusterPair", clusterPairID=b_id) == "xClusterPairHasVolumePairs"


def test_pending_volume_pairs_do_not_block_removal(sim):
    a, b = sim.clusters
    a_id, _ = pair_clusters(a, b)
    a.call("StartVolumePairing", volumeID=2)  # pending: belongs to no cluster pair yet
    assert a.call("RemoveClusterPair", clusterPairID=a_id) == {}


def test_disconnected_while_peer_offline(sim):
    a, b = sim.clusters
    a_id, b_id = pair_clusters(a, b)
    b.set_offline()
    try:
        (pair,) = a.cluster_pairs()
        assert pair["status"] == "Disconnected"
        assert pair["mvip"] == b.mvip and pair["clusterName"] == b.name
    finally:
        b.set_online()
    assert pair_status(a, a_id) == "Connected"
    assert pair_status(b, b_id) == "Connected"


def test_offline_any_cluster_from_any_port(sim):
    a, b = sim.clusters
    a_id, _ = pair_clusters(a, b)
    response = a.session.post(f"{a.url}/sim/clusters/{b.name}/offline", timeout=10)
    assert response.json() == {"name": b.name, "offline": True, "outage": "close"}
    assert pair_status(a, a_id) == "Disconnected"
    a.session.post(f"{a.url}/sim/clusters/{b.name}/online", timeout=10)
    assert pair_status(a, a_id) == "Connected"
    assert a.session.post(f"{a.url}/sim/clusters/nope/offline", timeout=10).status_code == 404


def test_connect_delay_shows_disconnected_first(sim):
    a, b = sim.clusters
    sim.clusters[0].settings(cluster_pair_connect_delay=1.0)
    a_id, b_id = pair_clusters(a, b)
    started = time.monotonic()
    assert pair_status(a, a_id) == "Disconnected"
    key = a.call("StartVolumePairing", volumeID=1)["volumePairingKey"]
    assert error_of(b, "CompleteVolumePairing", volumeID=1, volumePairingKey=key) \
        == "xMVIPNotPaired"
    assert wait_for(lambda: pair_status(b, b_id) == "Connected", timeout=5)
    assert time.monotonic() - started >= 0.5
    assert pair_status(a, a_id) == "Connected"
    b.call("CompleteVolumePairing", volumeID=1, volumePairingKey=key)
