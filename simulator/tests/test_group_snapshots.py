"""Group snapshots: create, list, modify, delete (saveMembers), limits, and their replication
to the paired volumes (the group itself appears on the target when every member is paired to
that one cluster)."""

import pytest

from helpers import error_of, pair_clusters, pair_volumes, wait_for

HOUR = 3600
GROUP_KEYS = {"attributes", "createTime", "enableRemoteReplication", "groupSnapshotID",
              "groupSnapshotUUID", "members", "name", "remoteStatuses", "status"}


def snapshots(cluster, volume_id):
    return cluster.call("ListSnapshots", volumeID=volume_id)["snapshots"]


def groups(cluster, **filters):
    return cluster.call("ListGroupSnapshots", **filters)["groupSnapshots"]


@pytest.fixture
def paired(sim):
    a, b = sim.clusters
    pair_clusters(a, b)
    uuids = {vid: pair_volumes(a, vid, b, vid) for vid in (1, 2)}
    return a, b, uuids


def test_create_answers_the_documented_layout(sim):
    a = sim.clusters[0]
    answer = a.call("CreateGroupSnapshot", volumes=[1, 2], name="app",
                    attributes={"app": "db"})
    group = answer["groupSnapshot"]
    assert set(group) == GROUP_KEYS and group["status"] == "done"
    assert answer["groupSnapshotID"] == group["groupSnapshotID"]
    assert group["name"] == "app" and group["attributes"] == {"app": "db"}
    assert [m["volumeID"] for m in group["members"]] == [1, 2]
    assert answer["members"] == [
        {"checksum": "0x0", "snapshotID": m["snapshotID"], "snapshotUUID": m["snapshotUUID"],
         "volumeID": m["volumeID"]} for m in group["members"]]
    for member in group["members"]:
        assert member["groupID"] == group["groupSnapshotID"]
        assert member["groupSnapshotUUID"] == group["groupSnapshotUUID"]
        assert member["createTime"] == group["createTime"]
    # Members are ordinary snapshots too.
    (listed,) = snapshots(a, 2)
    assert listed["groupSnapshotUUID"] == group["groupSnapshotUUID"]


def test_unnamed_groups_are_named_by_their_time(sim):
    group = sim.clusters[0].call("CreateGroupSnapshot", volumes=[3])["groupSnapshot"]
    assert group["name"] == group["createTime"]


def test_list_filters_by_volume_and_id(sim):
    a = sim.clusters[0]
    first = a.call("CreateGroupSnapshot", volumes=[1, 2])["groupSnapshotID"]
    second = a.call("CreateGroupSnapshot", volumes=[3, 4])["groupSnapshotID"]
    assert [g["groupSnapshotID"] for g in groups(a)] == [first, second]
    assert [g["groupSnapshotID"] for g in groups(a, volumes=[4])] == [second]
    assert [g["groupSnapshotID"] for g in groups(a, groupSnapshotID=first)] == [first]
    assert groups(a, groupSnapshotID=99) == []


@pytest.mark.parametrize("volumes, error", [
    ([1, 99], "xVolumeIDDoesNotExist"),
    ([], "xInvalidParameter"),
    ([1, 1], "xInvalidParameter"),
    (list(range(1, 34)), "xExceededLimit"),
])
def test_refused_groups_leave_nothing_behind(sim, volumes, error):
    a = sim.clusters[0]
    assert error_of(a, "CreateGroupSnapshot", volumes=volumes) == error
    assert groups(a) == [] and snapshots(a, 1) == []


def test_expiration_and_retention_exclude_each_other(sim):
    assert error_of(sim.clusters[0], "CreateGroupSnapshot", volumes=[1], retention="1:00:00",
                    expirationTime="2030-01-01T00:00:00Z") == "xInvalidParameter"


def test_delete_with_and_without_members(sim):
    a = sim.clusters[0]
    kept = a.call("CreateGroupSnapshot", volumes=[1, 2])["groupSnapshot"]
    gone = a.call("CreateGroupSnapshot", volumes=[1, 2])["groupSnapshot"]
    a.call("DeleteGroupSnapshot", groupSnapshotID=kept["groupSnapshotID"], saveMembers=True)
    a.call("DeleteGroupSnapshot", groupSnapshotID=gone["groupSnapshotID"])
    assert groups(a) == []
    left = snapshots(a, 1) + snapshots(a, 2)
    assert sorted(s["snapshotID"] for s in left) == sorted(
        m["snapshotID"] for m in kept["members"])
    assert all(s["groupID"] == 0 and s["groupSnapshotUUID"] ==
               "00000000-0000-0000-0000-000000000000" for s in left)
    assert error_of(a, "DeleteGroupSnapshot", groupSnapshotID=gone["groupSnapshotID"]) \
        == "xGroupSnapshotIDDoesNotExist"


def test_deleting_a_member_shrinks_the_group(sim):
    a = sim.clusters[0]
    group = a.call("CreateGroupSnapshot", volumes=[1, 2])["groupSnapshot"]
    a.call("DeleteSnapshot", snapshotID=group["members"][0]["snapshotID"])
    (left,) = groups(a)
    assert [m["volumeID"] for m in left["members"]] == [2]
    a.call("DeleteSnapshot", snapshotID=group["members"][1]["snapshotID"])
    assert groups(a) == []


def test_modify_applies_to_the_group_and_its_members(sim):
    a = sim.clusters[0]
    gid = a.call("CreateGroupSnapshot", volumes=[1, 2])["groupSnapshotID"]
    modified = a.call("ModifyGroupSnapshot", groupSnapshotID=gid, name="renamed",
                      expirationTime="2099-01-01T00:00:00Z")["groupSnapshot"]
    assert modified["name"] == "renamed"
    assert {m["expirationTime"] for m in modified["members"]} == {"2099-01-01T00:00:00Z"}
    assert error_of(a, "ModifyGroupSnapshot", groupSnapshotID=99, name="x") \
        == "xGroupSnapshotIDDoesNotExist"


def test_a_replicated_group_appears_on_the_target(paired):
    a, b, uuids = paired
    group = a.call("CreateGroupSnapshot", volumes=[1, 2], name="consistent",
                   enableRemoteReplication=True)["groupSnapshot"]
    assert sorted(s["volumePairUUID"] for s in group["remoteStatuses"]) == sorted(uuids.values())
    assert {s["remoteStatus"] for s in group["remoteStatuses"]} == {"Present"}
    (copy,) = groups(b)
    assert copy["groupSnapshotUUID"] == group["groupSnapshotUUID"]
    assert copy["name"] == "consistent" and copy["createTime"] == group["createTime"]
    assert sorted(m["snapshotUUID"] for m in copy["members"]) == sorted(
        m["snapshotUUID"] for m in group["members"])
    assert all(m["groupID"] == copy["groupSnapshotID"] for m in copy["members"])


def test_a_group_paused_on_one_member_arrives_when_the_pair_resumes(paired):
    a, b, _ = paired
    b.call("ModifyVolumePair", volumeID=2, pausedManual=True)
    group = a.call("CreateGroupSnapshot", volumes=[1, 2],
                   enableRemoteReplication=True)["groupSnapshot"]
    assert sorted(s["remoteStatus"] for s in group["remoteStatuses"]) == ["Present", "Syncing"]
    assert groups(b) == []  # not listed until every member is there
    b.call("ModifyVolumePair", volumeID=2, pausedManual=False)
    assert wait_for(lambda: groups(b), timeout=5)
    assert groups(b)[0]["groupSnapshotUUID"] == group["groupSnapshotUUID"]


def test_members_of_unpaired_volumes_stay_local(paired):
    a, b, _ = paired
    group = a.call("CreateGroupSnapshot", volumes=[1, 3],
                   enableRemoteReplication=True)["groupSnapshot"]
    # Volume 3 has no pair: its member stays local, so there is no group on the target, and
    # the paired member arrives as a plain snapshot.
    assert groups(b) == []
    (copy,) = snapshots(b, 1)
    assert copy["snapshotUUID"] == group["members"][0]["snapshotUUID"]
    assert copy["groupID"] == 0


def test_replication_switched_on_later(paired):
    a, b, _ = paired
    gid = a.call("CreateGroupSnapshot", volumes=[1, 2])["groupSnapshotID"]
    assert groups(b) == []
    modified = a.call("ModifyGroupSnapshot", groupSnapshotID=gid,
                      enableRemoteReplication=True)["groupSnapshot"]
    assert modified["enableRemoteReplication"] is True
    assert {s["remoteStatus"] for s in modified["remoteStatuses"]} == {"Present"}
    assert groups(b)[0]["groupSnapshotUUID"] == modified["groupSnapshotUUID"]


def test_group_retention_expires_on_both_clusters(paired):
    a, b, _ = paired
    a.call("CreateGroupSnapshot", volumes=[1, 2], retention="1:00:00",
           enableRemoteReplication=True)
    assert len(groups(b)) == 1
    a.advance_clock(HOUR + 1)
    assert groups(a) == [] and groups(b) == []
    assert snapshots(a, 1) == [] and snapshots(b, 2) == []


def test_ensure_serial_creation_checks_every_member(paired):
    a, b, _ = paired
    b.call("ModifyVolumePair", volumeID=2, pausedManual=True)
    a.call("CreateSnapshot", volumeID=2, enableRemoteReplication=True)
    assert error_of(a, "CreateGroupSnapshot", volumes=[1, 2], enableRemoteReplication=True,
                    ensureSerialCreation=True) == "xSnapshotReplicationInProgress"
    assert groups(a) == []


def test_groups_survive_a_restart(sim):
    a = sim.clusters[0]
    group = a.call("CreateGroupSnapshot", volumes=[1, 2])["groupSnapshot"]
    sim.restart()
    a = sim.clusters[0]
    assert groups(a) == [group]
    a.call("DeleteGroupSnapshot", groupSnapshotID=group["groupSnapshotID"])
    assert snapshots(a, 1) == []
