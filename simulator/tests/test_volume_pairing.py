"""Volume pairing rules and replication state derivation (spec §2.5-2.11, §7 items 6-8)."""

import json
import uuid

import pytest

from helpers import (decode_key, error_of, pair_clusters, pair_entry, pair_volumes, state,
                     volume, wait_for)

GIB = 1024 ** 3


@pytest.fixture
def paired(sim):
    """Two connected clusters; returns (source cluster, target cluster, cluster pair IDs)."""
    a, b = sim.clusters
    return a, b, pair_clusters(a, b)


def test_start_creates_a_pending_entry(sim):
    a = sim.clusters[0]
    key = a.call("StartVolumePairing", volumeID=1)["volumePairingKey"]
    fields = decode_key(key)
    assert set(fields) == {"mvip", "volumeID", "volumeName", "volumePairUUID"}  # no secrets
    assert (fields["mvip"], fields["volumeID"], fields["volumeName"]) == (a.mvip, 1, "vol-0001")
    entry = pair_entry(a, 1)
    assert entry == {
        "clusterPairID": 0, "remoteSliceID": 0, "remoteVolumeID": 0, "remoteVolumeName": "",
        "volumePairUUID": fields["volumePairUUID"],
        "remoteReplication": {"mode": "Async", "pauseLimit": 3145728000, "remoteServiceID": 0,
                              "resumeDetails": "", "state": "PausedMisconfigured",
                              "stateDetails": "",
                              "snapshotReplication": {"state": "PausedMisconfigured",
                                                      "stateDetails": ""}}}
    assert [v["volumeID"] for v in a.paired_volumes()] == [1]  # pending pairs are listed


@pytest.mark.parametrize("given,canonical", [("async", "Async"), ("SYNC", "Sync"),
                                             ("snapshotsonly", "SnapshotsOnly"),
                                             ("SnapshotsOnly", "SnapshotsOnly")])
def test_modes_are_case_insensitive_and_canonical(shared_sim, given, canonical):
    a = shared_sim.clusters[0]
    vid = a.call("CreateVolume", name="m", accountID=1, totalSize=GIB,
                 enable512e=True)["volumeID"]
    a.call("StartVolumePairing", volumeID=vid, mode=given)
    assert pair_entry(a, vid)["remoteReplication"]["mode"] == canonical


def test_start_errors(sim):
    a = sim.clusters[0]
    assert error_of(a, "StartVolumePairing", volumeID=999) == "xVolumeIDDoesNotExist"
    assert error_of(a, "StartVolumePairing", volumeID=1, mode="fast") \
        == "xUnrecognizedEnumString"
    a.call("StartVolumePairing", volumeID=1)  # no cluster pair needed to start
    assert error_of(a, "StartVolumePairing", volumeID=1) == "xVolumeAlreadyPaired"
    a.call("DeleteVolume", volumeID=2)
    assert error_of(a, "StartVolumePairing", volumeID=2) == "xVolumeIDDoesNotExist"


def test_complete_pairs_both_volumes(paired):
    a, b, (a_pair, b_pair) = paired
    pair_uuid = pair_volumes(a, 3, b, 3, mode="sync")
    source, target = pair_entry(a, 3), pair_entry(b, 3)
    assert (source["clusterPairID"], target["clusterPairID"]) == (a_pair, b_pair)
    assert source["volumePairUUID"] == target["volumePairUUID"] == pair_uuid
    assert (source["remoteVolumeID"], source["remoteVolumeName"]) == (3, "vol-0003")
    assert (target["remoteVolumeID"], target["remoteVolumeName"]) == (3, "vol-0003")
    assert source["remoteSliceID"] == 3
    for entry in (source, target):
        assert entry["remoteReplication"]["mode"] == "Sync"  # copied from the source entry
        assert entry["remoteReplication"]["state"] == "Active"
        assert entry["remoteReplication"]["snapshotReplication"]["state"] == "Idle"
    assert str(uuid.UUID(pair_uuid)) == pair_uuid


def test_complete_errors(paired):
    a, b, _ = paired
    key = a.call("StartVolumePairing", volumeID=1)["volumePairingKey"]
    assert error_of(b, "CompleteVolumePairing", volumeID=1, volumePairingKey="abc") \
        == "xInvalidPairingKey"
    assert error_of(b, "CompleteVolumePairing", volumeID=999, volumePairingKey=key) \
        == "xVolumeIDDoesNotExist"
    b.call("StartVolumePairing", volumeID=2)
    assert error_of(b, "CompleteVolumePairing", volumeID=2, volumePairingKey=key) \
        == "xVolumeAlreadyPaired"
    # A key naming a volume that has no pending pair.
    forged = dict(decode_key(key), volumePairUUID=str(uuid.uuid4()))
    forged_key = json.dumps(forged, sort_keys=True, separators=(",", ":")).encode().hex()
    assert error_of(b, "CompleteVolumePairing", volumeID=1, volumePairingKey=forged_key) \
        == "xInvalidPairingKey"
    b.call("CompleteVolumePairing", volumeID=1, volumePairingKey=key)
    # The same key again: the source's pending entry is already completed.
    assert error_of(b, "CompleteVolumePairing", volumeID=3, volumePairingKey=key) \
        == "xInvalidPairingKey"
    # Volume pairs are one-to-one.
    assert error_of(a, "StartVolumePairing", volumeID=1) == "xVolumeAlreadyPaired"


def test_complete_fails_when_source_pending_entry_was_removed(paired):
    a, b, _ = paired
    key = a.call("StartVolumePairing", volumeID=1)["volumePairingKey"]
    assert a.call("RemoveVolumePair", volumeID=1) == {}
    assert error_of(b, "CompleteVolumePairing", volumeID=1, volumePairingKey=key) \
        == "xInvalidPairingKey"
    assert volume(b, 1)["volumePairs"] == []


def test_complete_needs_a_connected_cluster_pair(sim):
    a, b = sim.clusters
    key = a.call("StartVolumePairing", volumeID=1)["volumePairingKey"]
    assert error_of(b, "CompleteVolumePairing", volumeID=1, volumePairingKey=key) \
        == "xMVIPNotPaired"
    pair_clusters(a, b)
    a.set_offline()
    try:
        assert error_of(b, "CompleteVolumePairing", volumeID=1, volumePairingKey=key) \
            == "xMVIPNotPaired"
    finally:
        a.set_online()
    b.call("CompleteVolumePairing", volumeID=1, volumePairingKey=key)  # TF-SOS style retry


def test_paused_misconfigured_until_source_and_target_are_assigned(paired):
    a, b, _ = paired
    pair_volumes(a, 1, b, 1, set_target=False)
    assert state(a, 1) == state(b, 1) == "PausedMisconfigured"  # both readWrite
    b.call("ModifyVolume", volumeID=1, access="replicationTarget")
    assert state(a, 1) == state(b, 1) == "Active"
    a.call("ModifyVolume", volumeID=1, access="replicationTarget")
    assert state(a, 1) == state(b, 1) == "PausedMisconfigured"  # both targets
    # Failover: the old target becomes the source, and the other way round.
    b.call("ModifyVolume", volumeID=1, access="readWrite")
    assert state(a, 1) == state(b, 1) == "Active"
    a.call("ModifyVolume", volumeID=1, access="locked")
    assert state(b, 1) == "PausedMisconfigured"


def test_manual_pause_on_either_side(paired):
    a, b, _ = paired
    pair_volumes(a, 1, b, 1)
    a.call("ModifyVolumePair", volumeID=1, pausedManual=True)
    assert (state(a, 1), state(b, 1)) == ("PausedManual", "PausedManualRemote")
    snapshot_state = pair_entry(a, 1)["remoteReplication"]["snapshotReplication"]["state"]
    assert snapshot_state == "PausedManual"
    b.call("ModifyVolumePair", volumeID=1, pausedManual=True)
    assert (state(a, 1), state(b, 1)) == ("PausedManual", "PausedManual")
    a.call("ModifyVolumePair", volumeID=1, pausedManual=False)
    assert (state(a, 1), state(b, 1)) == ("PausedManualRemote", "PausedManual")
    b.call("ModifyVolumePair", volumeID=1, pausedManual="false")
    assert state(a, 1) == state(b, 1) == "Active"


def test_volume_size_mismatch(paired):
    a, b, _ = paired
    pair_volumes(a, 1, b, 1)
    a.call("ModifyVolume", volumeID=1, totalSize=4 * GIB)  # grew the source first: wrong order
    assert state(a, 1) == state(b, 1) == "PausedVolumeSizeMismatch"
    b.call("ModifyVolume", volumeID=1, totalSize=4 * GIB)
    assert state(a, 1) == state(b, 1) == "Active"
    b.call("ModifyVolume", volumeID=1, totalSize=5 * GIB)  # a bigger target is fine
    assert state(a, 1) == "Active"


def test_smaller_target_at_pairing_time(paired):
    a, b, _ = paired
    pair_volumes(a, 2, b, 1)  # vol-0002 is 3 GiB, vol-0001 2 GiB
    assert state(a, 2) == state(b, 1) == "PausedVolumeSizeMismatch"


def test_delete_restore_and_purge(paired):
    a, b, _ = paired
    pair_volumes(a, 1, b, 1)
    a.call("DeleteVolume", volumeID=1)
    assert state(b, 1) == "PausedMisconfigured"
    assert state(a, 1) == "PausedMisconfigured"
    assert [v["volumeID"] for v in a.paired_volumes()] == []  # deleted: not an active volume
    a.call("RestoreDeletedVolume", volumeID=1)
    assert state(a, 1) == state(b, 1) == "Active"
    a.call("DeleteVolume", volumeID=1)
    a.call("PurgeDeletedVolume", volumeID=1)
    assert state(b, 1) == "StoppedMisconfigured"


def test_remove_volume_pair_is_one_sided_and_idempotent(paired):
    a, b, (a_pair, _) = paired
    pair_volumes(a, 1, b, 1)
    assert b.call("RemoveVolumePair", volumeID=1) == {}
    assert volume(b, 1)["volumePairs"] == []
    assert state(a, 1) == "StoppedMisconfigured"
    assert b.call("RemoveVolumePair", volumeID=1, mode="Async") == {}  # nothing left: still ok
    assert error_of(b, "RemoveVolumePair", volumeID=999) == "xVolumeIDDoesNotExist"
    assert error_of(a, "RemoveClusterPair", clusterPairID=a_pair) \
        == "xClusterPairHasVolumePairs"
    a.call("RemoveVolumePair", volumeID=1)
    assert volume(a, 1)["volumePairs"] == []
    pair_volumes(a, 1, b, 1)  # a new pairing after clean-up
    assert state(a, 1) == "Active"


def test_stopped_when_peer_removed_its_cluster_pair(paired):
    a, b, (_, b_pair) = paired
    pair_volumes(a, 1, b, 1)
    b.call("RemoveVolumePair", volumeID=1)
    b.call("RemoveClusterPair", clusterPairID=b_pair)
    assert state(a, 1) == "StoppedMisconfigured"


def test_paused_disconnected_while_peer_offline(paired):
    a, b, _ = paired
    pair_volumes(a, 1, b, 1)
    b.set_offline()
    try:
        assert state(a, 1) == "PausedDisconnected"
        snapshot_state = pair_entry(a, 1)["remoteReplication"]["snapshotReplication"]["state"]
        assert snapshot_state == "PausedDisconnected"
    finally:
        b.set_online()
    assert state(a, 1) == "Active"


def test_sync_delay_shows_resuming_first(paired):
    a, b, _ = paired
    a.settings(volume_pair_sync_delay=1.0)
    pair_volumes(a, 1, b, 1)
    assert state(a, 1) == "ResumingConnected"
    assert wait_for(lambda: state(a, 1) == "Active", timeout=5)
    a.call("ModifyVolumePair", volumeID=1, pausedManual=True)
    a.call("ModifyVolumePair", volumeID=1, pausedManual=False)
    assert state(b, 1) == "ResumingConnected"  # resuming after a pause takes the delay again


def test_modify_volume_pair_mode(paired):
    a, b, _ = paired
    pair_volumes(a, 1, b, 1)
    assert error_of(a, "ModifyVolumePair", volumeID=2, pausedManual=True) == "xVolumeNotPaired"
    assert error_of(a, "ModifyVolumePair", volumeID=999) == "xVolumeIDDoesNotExist"
    assert error_of(a, "ModifyVolumePair", volumeID=1, mode="turbo") \
        == "xUnrecognizedEnumString"
    assert a.call("ModifyVolumePair", volumeID=1, mode="snapshotsonly") == {}
    modes = (pair_entry(a, 1)["remoteReplication"]["mode"],
             pair_entry(b, 1)["remoteReplication"]["mode"])
    assert modes == ("SnapshotsOnly", "SnapshotsOnly")  # applied to both sides
    assert error_of(b, "ModifyVolumePair", volumeID=1, mode="Sync") == "xInvalidParameter"
    assert pair_entry(b, 1)["remoteReplication"]["mode"] == "SnapshotsOnly"


def test_mode_drift_when_peer_unreachable(paired):
    a, b, _ = paired
    pair_volumes(a, 1, b, 1)
    b.set_offline()
    try:
        a.call("ModifyVolumePair", volumeID=1, mode="Sync")
    finally:
        b.set_online()
    assert pair_entry(a, 1)["remoteReplication"]["mode"] == "Sync"
    assert pair_entry(b, 1)["remoteReplication"]["mode"] == "Async"  # drift to detect
    a.call("ModifyVolumePair", volumeID=1, mode="Sync")  # repeating it repairs the drift
    assert pair_entry(b, 1)["remoteReplication"]["mode"] == "Sync"


def test_list_active_paired_volumes_paging(paired):
    a, b, _ = paired
    for vid in (1, 2, 3, 4):
        pair_volumes(a, vid, b, vid)
    a.call("StartVolumePairing", volumeID=a.call(
        "CreateVolume", name="pending", accountID=1, totalSize=GIB,
        enable512e=True)["volumeID"])
    everything = a.call("ListActivePairedVolumes")["volumes"]
    assert [v["volumeID"] for v in everything] == [1, 2, 3, 4, 5]
    page = a.call("ListActivePairedVolumes", startVolumeID=2, limit=2)["volumes"]
    assert [v["volumeID"] for v in page] == [2, 3]
    assert [v["volumeID"] for v in a.paired_volumes()] == [1, 2, 3, 4, 5]
    assert all(v["volumePairs"] for v in everything)
    paired_ids = [v["volumeID"] for v in a.call("ListVolumes", isPaired=True)["volumes"]]
    unpaired = a.call("ListVolumes", isPaired=False)["volumes"]
    assert paired_ids == [1, 2, 3, 4, 5] and unpaired == []


def test_pairs_through_different_cluster_pairs_do_not_mix(make_sim):
    sim = make_sim(clusters=3, volumes=2)
    a, b, c = sim.clusters
    a_b, _ = pair_clusters(a, b)
    a_c, _ = pair_clusters(a, c)
    pair_volumes(a, 1, b, 1)
    pair_volumes(a, 2, c, 1)
    assert pair_entry(a, 1)["clusterPairID"] == a_b and pair_entry(a, 2)["clusterPairID"] == a_c
    c.set_offline()
    try:
        assert (state(a, 1), state(a, 2)) == ("Active", "PausedDisconnected")
    finally:
        c.set_online()
