"""Fault injection and the /sim/ control API (spec: Fault injection)."""

import threading
import time

import pytest
import requests

from element_sim.harness import SimRPCError
from helpers import error_of, pair_clusters, pair_status, pair_volumes

GIB = 1024 ** 3


def volume_count(cluster):
    return len(cluster.volumes())


def create(cluster, name="f"):
    return cluster.call("CreateVolume", name=name, accountID=1, totalSize=GIB, enable512e=True)


def test_error_action_answers_the_error_without_applying(sim):
    a = sim.clusters[0]
    before = volume_count(a)
    a.add_fault("CreateVolume", "error", error="xDBConnectionLoss", message="try again")
    with pytest.raises(SimRPCError) as info:
        create(a)
    assert (info.value.name, info.value.message) == ("xDBConnectionLoss", "try again")
    assert volume_count(a) == before
    create(a)  # count 1: consumed
    assert volume_count(a) == before + 1
    assert [c["outcome"] for c in a.calls() if c["method"] == "CreateVolume"] == [
        "xDBConnectionLoss", "ok"]


def test_error_action_default_message(sim):
    a = sim.clusters[0]
    a.add_fault("GetClusterInfo", "error", error="xNotPrimary")
    answer = a.rpc("GetClusterInfo")
    assert answer["error"] == {"code": 500, "name": "xNotPrimary", "message": "xNotPrimary"}


def test_http_status_action(sim):
    a = sim.clusters[0]
    before = volume_count(a)
    a.add_fault("CreateVolume", "http_status", status=503)
    response = a.session.post(a.url + "/json-rpc/12.5", timeout=10, json={
        "method": "CreateVolume",
        "params": {"name": "x", "accountID": 1, "totalSize": GIB, "enable512e": True}})
    assert response.status_code == 503 and "<html>" in response.text
    assert volume_count(a) == before
    assert a.calls()[-2]["outcome"] == "http_503"


def test_drop_before_closes_without_answer_and_does_not_apply(sim):
    a = sim.clusters[0]
    before = volume_count(a)
    a.add_fault("CreateVolume", "drop_before")
    with pytest.raises(requests.ConnectionError):
        create(a)
    assert volume_count(a) == before
    assert a.calls()[-2]["outcome"] == "dropped_before"


def test_drop_after_applies_then_closes(sim):
    a = sim.clusters[0]
    before = volume_count(a)
    a.add_fault("CreateVolume", "drop_after")
    with pytest.raises(requests.ConnectionError):
        create(a, name="applied-anyway")
    names = [v["name"] for v in a.volumes()]
    assert len(names) == before + 1 and names[-1] == "applied-anyway"
    assert a.calls()[-2]["outcome"] == "dropped_after"


def test_delay_action(sim):
    a = sim.clusters[0]
    a.add_fault("GetAPI", "delay", seconds=0.5)
    started = time.monotonic()
    a.call("GetAPI")
    assert time.monotonic() - started >= 0.5
    started = time.monotonic()
    a.call("GetAPI")
    assert time.monotonic() - started < 0.5


def test_counts_fifo_and_wildcard(sim):
    a = sim.clusters[0]
    a.add_fault("GetLimits", "error", count=2, error="xFirst")
    a.add_fault("GetLimits", "error", error="xSecond")
    a.add_fault("*", "error", error="xAny")
    assert [f["method"] for f in a.faults()] == ["GetLimits", "GetLimits", "*"]
    assert error_of(a, "GetLimits") == "xFirst"
    assert error_of(a, "ListAccounts") == "xAny"  # the wildcard matches any other method
    assert error_of(a, "GetLimits") == "xFirst"
    assert error_of(a, "GetLimits") == "xSecond"
    assert a.call("GetLimits")["clusterPairsCountMax"] == 4
    assert a.faults() == []


def test_wildcard_first_in_line_wins(sim):
    a = sim.clusters[0]
    a.add_fault("*", "error", error="xWildFirst")
    a.add_fault("GetLimits", "error", error="xSpecific")
    assert error_of(a, "GetLimits") == "xWildFirst"
    assert error_of(a, "GetLimits") == "xSpecific"


def test_list_and_clear_faults(sim):
    a = sim.clusters[0]
    fault_id = a.add_fault("GetAPI", "delay", count=3, seconds=1)
    (listed,) = a.faults()
    assert listed == {"fault_id": fault_id, "method": "GetAPI", "action": "delay",
                      "remaining": 3, "peer": False, "seconds": 1.0}
    a.clear_faults()
    assert a.faults() == []


def test_faults_are_per_cluster(sim):
    a, b = sim.clusters
    a.add_fault("GetAPI", "error", error="xOnlyA")
    assert b.call("GetAPI")
    assert error_of(a, "GetAPI") == "xOnlyA"


def test_peer_calls_are_spared_unless_asked(sim):
    a, b = sim.clusters
    a_pair, _ = pair_clusters(a, b)
    b.add_fault("SimPeerView", "drop_before")  # client-only: ignored by peer calls
    assert pair_status(a, a_pair) == "Connected"
    b.clear_faults()
    b.add_fault("SimPeerView", "drop_before", peer=True)
    assert pair_status(a, a_pair) == "Disconnected"
    assert pair_status(a, a_pair) == "Connected"


@pytest.mark.parametrize("body", [
    {"action": "error", "error": "xA"},
    {"method": "GetAPI", "action": "explode"},
    {"method": "GetAPI", "action": "error"},
    {"method": "GetAPI", "action": "http_status", "status": 200},
    {"method": "GetAPI", "action": "delay"},
    {"method": "GetAPI", "action": "delay", "seconds": -1},
    {"method": "GetAPI", "action": "error", "error": "xA", "count": 0},
    {"method": "GetAPI", "action": "error", "error": "xA", "peer": "yes"},
    [1, 2],
])
def test_bad_fault_specs_are_400(sim, body):
    a = sim.clusters[0]
    response = a.session.post(a.url + "/sim/faults", json=body, timeout=10)
    assert response.status_code == 400 and "error" in response.json()
    assert a.faults() == []


def test_offline_drops_json_rpc_but_keeps_sim_api(sim):
    a = sim.clusters[0]
    a.set_offline()
    try:
        with pytest.raises(requests.ConnectionError):
            a.call("GetAPI")
        assert a.session.get(a.url + "/sim/clusters", timeout=10).json()["clusters"][0][
            "offline"] is True
        assert a.calls()[-1]["outcome"] == "dropped_before"
    finally:
        a.set_online()
    assert a.call("GetAPI")["currentVersion"] == "12.5"


def test_settings(sim):
    a, b = sim.clusters
    assert a.settings() == {"cluster_pair_connect_delay": 0.0, "volume_pair_sync_delay": 0.0,
                            "clone_seconds": 0.5, "async_delay_seconds": 0.5,
                            "lag_drain_rate": 10.0, "snapshot_transfer_seconds": 0.0}
    assert a.settings(volume_pair_sync_delay=2)["volume_pair_sync_delay"] == 2.0
    assert b.settings()["volume_pair_sync_delay"] == 2.0  # process-wide
    for bad in ({"nope": 1}, {"volume_pair_sync_delay": -1}, {"volume_pair_sync_delay": "2"},
                {"cluster_pair_connect_delay": True}):
        response = a.session.post(a.url + "/sim/settings", json=bad, timeout=10)
        assert response.status_code == 400 and "error" in response.json()


def test_sim_api_needs_this_clusters_admin(sim):
    a, b = sim.clusters
    for auth in (None, ("admin", "wrong"), (b.username, b.password)):
        response = requests.get(a.url + "/sim/calls", auth=auth, verify=a.ca_cert, timeout=10)
        assert response.status_code == 401 and "error" in response.json()


def test_unknown_sim_endpoint_is_json_404(sim):
    a = sim.clusters[0]
    response = a.session.get(a.url + "/sim/nothing", timeout=10)
    assert response.status_code == 404 and "error" in response.json()
    response = a.session.post(a.url + "/sim/faults", data="{bad", timeout=10)
    assert response.status_code == 400


def test_cut_link_partitions_two_clusters_but_not_their_clients(make_sim):
    a, b, c = make_sim(clusters=3).clusters
    a_id, b_id = pair_clusters(a, b)
    source, target = a.volumes()[0]["volumeID"], b.volumes()[0]["volumeID"]
    pair_volumes(a, source, b, target)
    a.set_link(b.name, up=False)
    c.set_link(a.name, up=False)
    try:
        down = a.session.get(a.url + "/sim/links", timeout=10).json()["down"]
        assert sorted(map(sorted, down)) == sorted([sorted([a.name, b.name]), sorted([a.name, c.name])])
        assert pair_status(a, a_id) == pair_status(b, b_id) == "Disconnected"
        states = [v["volumePairs"][0]["remoteReplication"]["state"] for v in (a.paired_volumes()[0], b.paired_volumes()[0])]
        assert states == ["PausedDisconnected", "PausedDisconnected"]
        key = a.call("StartClusterPairing")["clusterPairingKey"]
        with pytest.raises(SimRPCError) as error:
            c.call("CompleteClusterPairing", clusterPairingKey=key)
        assert error.value.name == "xRpcTimeout"
    finally:
        b.restore_links()
    assert pair_status(a, a_id) == pair_status(b, b_id) == "Connected"
    assert a.session.get(a.url + "/sim/links", timeout=10).json() == {"down": []}


def test_a_delayed_call_shows_its_delay_in_the_call_log(sim):
    """make bench counts round trips from when each call arrived (started) and the delay."""
    a = sim.clusters[0]
    a.clear_calls()
    a.add_fault("GetClusterInfo", "delay", seconds=0.3)
    a.call("GetClusterInfo")
    (call,) = a.calls()
    assert call["time"] - call["started"] >= 0.3


def _post_within(cluster, seconds):
    """What a client sees of one GetAPI with connect and read timeouts of `seconds`."""
    try:
        requests.post(cluster.url + "/json-rpc/12.5", json={"method": "GetAPI", "id": 1},
                      auth=(cluster.username, cluster.password), verify=cluster.ca_cert,
                      timeout=(seconds, seconds))
    except requests.exceptions.ConnectTimeout:
        return "connect timeout"
    except requests.exceptions.ReadTimeout:
        return "read timeout"
    except requests.ConnectionError:
        return "connection closed"
    return "answered"


@pytest.mark.parametrize("outage, seen", [("close", "connection closed"), ("hang", "read timeout"),
                                          ("drop", "connect timeout")])
def test_an_offline_cluster_fails_its_clients_the_way_asked(sim, outage, seen):
    """A lost site that drops packets (connect timeout), one that accepts and never answers (read
    timeout), and one that closes the connection; the peer sees each as unreachable, and the
    cluster comes back online through another cluster's port."""
    a, b = sim.clusters
    a.set_offline(outage, via=b)
    try:
        assert _post_within(a, 0.5) == seen
        assert [c for c in b.session.get(b.url + "/sim/clusters", timeout=10).json()["clusters"]
                if c["name"] == a.name][0]["outage"] == outage
    finally:
        a.set_online(via=b)
    assert _post_within(a, 5) == "answered"


def test_a_hang_fault_holds_the_call_unapplied_until_the_faults_are_cleared(sim):
    a, _b = sim.clusters
    volume = a.call("ListVolumes")["volumes"][0]
    a.add_fault("ModifyVolume", "hang", seconds=30)
    seen = {}

    def modify():
        try:
            a.rpc("ModifyVolume", {"volumeID": volume["volumeID"], "access": "readOnly"}, timeout=40)
            seen["outcome"] = "answered"
        except requests.ConnectionError:
            seen["outcome"] = "closed"
    thread = threading.Thread(target=modify)
    thread.start()
    deadline = time.monotonic() + 10
    while not [c for c in a.calls() if c["method"] == "ModifyVolume"] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [c["outcome"] for c in a.calls() if c["method"] == "ModifyVolume"] == ["hung"]
    a.clear_faults()
    thread.join(10)
    assert seen == {"outcome": "closed"}
    assert [v for v in a.call("ListVolumes")["volumes"] if v["volumeID"] == volume["volumeID"]][0]["access"] \
        == volume["access"], "a held call is not applied"
