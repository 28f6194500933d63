"""Replicated snapshots (spec §5.3)."""

import pytest

from helpers import error_of, pair_clusters, pair_volumes, wait_for


@pytest.fixture
def pair(sim):
    a, b = sim.clusters
    pair_clusters(a, b)
    return a, b, pair_volumes(a, 1, b, 1)


def snapshots(cluster, volume_id):
    return cluster.call("ListSnapshots", volumeID=volume_id)["snapshots"]


def remote_statuses(cluster, snapshot_id):
    (snap,) = cluster.call("ListSnapshots", snapshotID=snapshot_id)["snapshots"]
    return snap["remoteStatuses"]


def test_replicated_snapshot_reaches_the_target_with_the_same_uuid(pair):
    a, b, pair_uuid = pair
    created = a.call("CreateSnapshot", volumeID=1, name="rep1", enableRemoteReplication=True,
                     attributes={"k": "v"})["snapshot"]
    assert created["remoteStatuses"] == [{"remoteStatus": "Present",
                                          "volumePairUUID": pair_uuid}]
    (copy,) = snapshots(b, 1)
    assert copy["snapshotUUID"] == created["snapshotUUID"]
    assert copy["name"] == "rep1" and copy["attributes"] == {"k": "v"}
    assert copy["status"] == "done" and copy["remoteStatuses"] == []
    assert copy["instanceSnapshotUUID"] != created["instanceSnapshotUUID"]


def test_snapshot_without_replication_stays_local(pair):
    a, b, _ = pair
    snap = a.call("CreateSnapshot", volumeID=1)["snapshot"]
    assert snap["remoteStatuses"] == []
    assert snapshots(b, 1) == []


def test_syncing_while_paused_then_delivered(pair):
    a, b, pair_uuid = pair
    b.call("ModifyVolumePair", volumeID=1, pausedManual=True)  # paused on the target side
    snap = a.call("CreateSnapshot", volumeID=1, enableRemoteReplication=True)["snapshot"]
    assert snap["remoteStatuses"] == [{"remoteStatus": "Syncing", "volumePairUUID": pair_uuid}]
    assert snapshots(b, 1) == []
    b.call("ModifyVolumePair", volumeID=1, pausedManual=False)
    # Delivered by the background loop once the pair is Active again.
    assert wait_for(lambda: snapshots(b, 1), timeout=5)
    assert snapshots(b, 1)[0]["snapshotUUID"] == snap["snapshotUUID"]
    assert wait_for(lambda: remote_statuses(a, snap["snapshotID"])[0]["remoteStatus"]
                    == "Present", timeout=5)


def test_ensure_serial_creation_refuses_while_one_is_syncing(pair):
    a, b, _ = pair
    a.call("ModifyVolumePair", volumeID=1, pausedManual=True)
    a.call("CreateSnapshot", volumeID=1, enableRemoteReplication=True)
    assert error_of(a, "CreateSnapshot", volumeID=1, enableRemoteReplication=True,
                    ensureSerialCreation=True) == "xSnapshotReplicationInProgress"
    a.call("ModifyVolumePair", volumeID=1, pausedManual=False)
    assert wait_for(lambda: snapshots(b, 1), timeout=5)
    assert wait_for(lambda: a.rpc("CreateSnapshot", {"volumeID": 1,
                                                     "ensureSerialCreation": True}).get("result"),
                    timeout=5)


def test_delivered_after_the_target_comes_back_online(pair):
    a, b, _ = pair
    b.set_offline()
    try:
        snap = a.call("CreateSnapshot", volumeID=1, enableRemoteReplication=True)["snapshot"]
        assert snap["remoteStatuses"][0]["remoteStatus"] == "Syncing"
    finally:
        b.set_online()
    assert wait_for(lambda: [s["snapshotUUID"] for s in snapshots(b, 1)]
                    == [snap["snapshotUUID"]], timeout=5)


def test_modify_snapshot_enables_replication_later(pair):
    a, b, pair_uuid = pair
    snap = a.call("CreateSnapshot", volumeID=1)["snapshot"]
    modified = a.call("ModifySnapshot", snapshotID=snap["snapshotID"],
                      enableRemoteReplication="true")["snapshot"]
    assert modified["enableRemoteReplication"] is True
    assert modified["remoteStatuses"] == [{"remoteStatus": "Present",
                                           "volumePairUUID": pair_uuid}]
    assert [s["snapshotUUID"] for s in snapshots(b, 1)] == [snap["snapshotUUID"]]


def test_deletion_is_independent_on_each_side(pair):
    a, b, _ = pair
    snap = a.call("CreateSnapshot", volumeID=1, enableRemoteReplication=True)["snapshot"]
    a.call("DeleteSnapshot", snapshotID=snap["snapshotID"])
    assert [s["snapshotUUID"] for s in snapshots(b, 1)] == [snap["snapshotUUID"]]


def test_undelivered_snapshot_of_a_removed_pair_becomes_unknown(pair):
    """Never "NotPresent": the official SDK asserts on it (it knows "Not Present", "Unknown")."""
    a, b, pair_uuid = pair
    b.call("ModifyVolumePair", volumeID=1, pausedManual=True)
    snap = a.call("CreateSnapshot", volumeID=1, enableRemoteReplication=True)["snapshot"]
    a.call("RemoveVolumePair", volumeID=1)
    assert wait_for(lambda: remote_statuses(a, snap["snapshotID"])
                    == [{"remoteStatus": "Unknown", "volumePairUUID": pair_uuid}], timeout=5)
