"""State survives SIGKILL and restarts (spec: Persistence, Command line)."""

from helpers import (pair_clusters, pair_entry, pair_status, pair_volumes, start_on_fixed_ports,
                     state, volume)

GIB = 1024 ** 3


def snapshot_of_state(sim):
    """Everything a client can read that must survive a restart."""
    out = {}
    for c in sim.clusters:
        info = c.call("GetClusterInfo")["clusterInfo"]
        out[c.name] = {
            "identity": (info["name"], info["uniqueID"], info["uuid"], c.username, c.password),
            "accounts": c.call("ListAccounts")["accounts"],
            "volumes": [{k: v for k, v in vol.items() if k != "volumePairs"}
                        for vol in c.volumes()],
            "volume_pairs": {v["volumeID"]: v["volumePairs"] for v in c.volumes()},
            "cluster_pairs": [{k: v for k, v in p.items() if k not in ("latency", "mvip")}
                              for p in c.cluster_pairs()],
            "snapshots": c.call("ListSnapshots")["snapshots"],
        }
    return out


def build_state(sim):
    a, b = sim.clusters
    a_pair, b_pair = pair_clusters(a, b)
    pair_volumes(a, 1, b, 1, mode="Sync")
    a.call("ModifyVolumePair", volumeID=1, pausedManual=True)
    a.call("ModifyVolumePair", volumeID=1, pausedManual=False)
    a.call("CreateSnapshot", volumeID=1, name="s1", enableRemoteReplication=True)
    a.call("AddAccount", username="extra")
    b.call("StartVolumePairing", volumeID=2, mode="snapshotsonly")  # a pending entry
    a.call("StartClusterPairing")  # a pending cluster pair
    a.call("DeleteVolume", volumeID=3)
    return a_pair, b_pair


def test_sigkill_and_restart_on_fixed_ports_keeps_everything(make_sim):
    sim = start_on_fixed_ports(lambda base: make_sim(base_port=base), 2)
    base = sim.clusters[0].port
    assert [c.port for c in sim.clusters] == [base, base + 1]
    a_pair, b_pair = build_state(sim)
    before = snapshot_of_state(sim)
    sim.restart(kill=True)
    assert [c.port for c in sim.clusters] == [base, base + 1]
    assert [c.mvip for c in sim.clusters] == [f"127.0.0.1:{base}", f"127.0.0.1:{base + 1}"]
    assert snapshot_of_state(sim) == before
    a, b = sim.clusters
    assert pair_status(a, a_pair) == "Connected" and pair_status(b, b_pair) == "Connected"
    assert state(a, 1) == state(b, 1) == "Active"


def test_acknowledged_change_survives_an_immediate_sigkill(sim):
    a = sim.clusters[0]
    vid = a.call("CreateVolume", name="last-write", accountID=1, totalSize=GIB,
                 enable512e=True)["volumeID"]
    sim.kill()
    sim.start()
    assert volume(sim.clusters[0], vid)["name"] == "last-write"


def test_restart_on_new_ports_keeps_pairs_working(sim):
    a, b = sim.clusters
    a_pair, b_pair = pair_clusters(a, b)
    pair_volumes(a, 1, b, 1)
    old_mvips = [c.mvip for c in sim.clusters]
    sim.restart()
    a, b = sim.clusters
    assert [c.mvip for c in sim.clusters] != old_mvips  # base port 0: new ports
    on_a = {p["clusterPairID"]: p for p in a.cluster_pairs()}[a_pair]
    assert on_a["status"] == "Connected" and on_a["mvip"] == b.mvip  # the peer's new MVIP
    assert state(a, 1) == state(b, 1) == "Active"
    pair_volumes(a, 2, b, 2)  # keys carry the new MVIP, which b finds through the pair
    assert pair_entry(b, 2)["clusterPairID"] == b_pair
    snap = a.call("CreateSnapshot", volumeID=2, enableRemoteReplication=True)["snapshot"]
    assert snap["remoteStatuses"][0]["remoteStatus"] == "Present"


def test_seed_volumes_only_on_a_new_state_dir(sim):
    a = sim.clusters[0]
    a.call("DeleteVolume", volumeID=4)
    a.call("PurgeDeletedVolume", volumeID=4)
    sim.restart(volumes=10)
    names = [v["name"] for v in sim.clusters[0].volumes()]
    assert names == ["vol-0001", "vol-0002", "vol-0003"]


def test_seeded_volumes_make_natural_pairs(make_sim):
    sim = make_sim(volumes=5)
    sizes = [[(v["name"], v["totalSize"]) for v in c.volumes()] for c in sim.clusters]
    assert sizes[0] == sizes[1]
    assert [s for _, s in sizes[0]] == [2 * GIB, 3 * GIB, 4 * GIB, 1 * GIB, 2 * GIB]
    (account,) = sim.clusters[0].call("ListAccounts")["accounts"]
    assert account["username"] == "replication" and account["volumes"] == [1, 2, 3, 4, 5]
    vol = sim.clusters[0].volumes()[0]
    assert vol["enable512e"] is True and vol["access"] == "readWrite"


def test_offline_is_not_persisted(sim):
    sim.clusters[1].set_offline()
    sim.restart()
    assert sim.clusters[1].call("GetClusterInfo")["clusterInfo"]["name"] == "cluster2"
