"""CloneVolume, its asynchronous job (GetAsyncResult, ListAsyncResults, ListSyncJobs), the
clone job limits and failed jobs: what a DR rehearsal does on the target cluster."""

import json
from datetime import datetime, timezone

import pytest
import requests

from element_sim.harness import SimRPCError
from helpers import error_of, pair_clusters, pair_volumes, state, volume
from test_doc_examples import assert_same_shape

GIB = 1024 ** 3
MIB = 1024 ** 2
HOLD = 3600  # clone_seconds that keeps jobs running until a test advances the clock


def seconds(iso):
    return datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp()


def clone(cluster, volume_id, name, **kw):
    return cluster.call("CloneVolume", volumeID=volume_id, name=name, **kw)


def job(cluster, handle):
    return cluster.call("GetAsyncResult", asyncHandle=handle, keepResult=True)


@pytest.fixture
def held(sim):
    """A fresh simulator whose clone jobs run until the clock is advanced."""
    sim.clusters[0].settings(clone_seconds=HOLD)
    return sim


def test_a_clone_exists_at_once_and_its_job_completes_on_the_simulated_clock(held):
    c = held.clusters[0]
    rehearsal = c.call("AddAccount", username="rehearsal")["accountID"]
    made = clone(c, 1, "rehearsal-vol-0001", newAccountID=rehearsal, access="readWrite",
                 attributes={"rehearsal": "run-1"})
    vid, handle = made["volumeID"], made["asyncHandle"]
    assert isinstance(handle, int) and isinstance(made["cloneID"], int)
    assert made["curve"] == made["volume"]["qos"]["curve"]
    vol = made["volume"]
    assert vol["volumeID"] == vid and vol["status"] == "init" and vol["sliceCount"] == 0
    assert vol["accountID"] == rehearsal and vol["access"] == "readWrite"
    assert vol["attributes"] == {"rehearsal": "run-1"}
    assert vol["volumePairs"] == [] and vol["volumeAccessGroups"] == []
    assert vol["totalSize"] == volume(c, 1)["totalSize"]
    assert vol["iqn"] == f"iqn.2010-01.com.solidfire:{c.unique_id}.rehearsal-vol-0001.{vid}"
    assert vid in c.call("GetAccountByID", accountID=rehearsal)["account"]["volumes"]

    running = job(c, handle)
    assert running["status"] == "running" and running["resultType"] == "Clone"
    assert running["details"]["volumeID"] == vid and "result" not in running
    assert running["createTime"] == running["lastUpdateTime"]
    # A clone being made is listed as "creating", and by ListActiveVolumes.
    assert [v["volumeID"] for v in c.volumes(volumeStatus="creating")] == [vid]
    assert vid not in [v["volumeID"] for v in c.volumes(volumeStatus="active")]
    assert vid in [v["volumeID"] for v in c.call("ListActiveVolumes")["volumes"]]
    (sync,) = c.call("ListSyncJobs")["syncJobs"]
    assert (sync["type"], sync["srcVolumeID"], sync["dstVolumeID"], sync["cloneID"]) == (
        "clone", 1, vid, made["cloneID"])

    c.advance_clock(HOLD - 10)
    assert job(c, handle)["status"] == "running"
    assert 99 >= job(c, handle)["details"]["percentComplete"] >= 99
    c.advance_clock(11)
    done = job(c, handle)
    assert done["status"] == "complete" and "details" not in done and "error" not in done
    assert done["result"] == {"cloneID": made["cloneID"], "message": "Clone complete.",
                              "volumeID": vid}
    # It completed when it was due, not when someone looked.
    assert seconds(done["lastUpdateTime"]) - seconds(done["createTime"]) in (HOLD - 1, HOLD,
                                                                             HOLD + 1)
    assert volume(c, vid)["status"] == "active" and volume(c, vid)["sliceCount"] == 1
    assert c.call("ListSyncJobs") == {"syncJobs": []}

    # Without keepResult the finished result is handed out once.
    assert c.call("GetAsyncResult", asyncHandle=handle)["status"] == "complete"
    with pytest.raises(SimRPCError) as info:
        c.call("GetAsyncResult", asyncHandle=handle)
    assert info.value.name == "xAsyncHandleDoesNotExist"
    assert info.value.message == f"Async handle {handle} does not exist."


def test_polling_a_running_job_does_not_use_up_its_result(sim):
    c = sim.clusters[0]
    c.settings(clone_seconds=60)
    handle = clone(c, 1, "polled")["asyncHandle"]
    assert c.call("GetAsyncResult", asyncHandle=handle)["status"] == "running"
    assert c.call("GetAsyncResult", asyncHandle=handle)["status"] == "running"
    c.advance_clock(60)
    assert c.call("GetAsyncResult", asyncHandle=handle)["status"] == "complete"
    assert error_of(c, "GetAsyncResult", asyncHandle=handle) == "xAsyncHandleDoesNotExist"


def test_the_default_clone_time_is_short(sim):
    c = sim.clusters[0]
    assert c.settings()["clone_seconds"] == 0.5
    made = clone(c, 2, "quick")
    c.advance_clock(0.5)
    assert job(c, made["asyncHandle"])["status"] == "complete"


def test_unless_given_a_clone_takes_its_sources_settings(held):
    c = held.clusters[0]
    c.call("ModifyVolume", volumeID=2, access="replicationTarget", attributes={"app": "db"},
           qos={"minIOPS": 500, "maxIOPS": 1000, "burstIOPS": 2000})
    source = volume(c, 2)
    vol = clone(c, 2, "inherits")["volume"]
    for key in ("access", "attributes", "accountID", "enable512e", "totalSize", "fifoSize"):
        assert vol[key] == source[key], key
    assert (vol["qos"]["minIOPS"], vol["qos"]["maxIOPS"], vol["qos"]["burstIOPS"]) == (
        500, 1000, 2000)
    assert vol["enableSnapMirrorReplication"] is False
    given = clone(c, 2, "given", access="readWrite", attributes={}, enable512e=False,
                  newSize=GIB + 1, enableSnapMirrorReplication=True)["volume"]
    assert given["access"] == "readWrite" and given["attributes"] == {}
    assert given["enable512e"] is False and given["enableSnapMirrorReplication"] is True
    assert given["totalSize"] == GIB + MIB  # rounded up to a MiB; smaller than the source


def test_cloning_a_replication_target_leaves_replication_alone(held):
    source, target = held.clusters
    pair_clusters(source, target)
    uuid = pair_volumes(source, 1, target, 1)
    snap = source.call("CreateSnapshot", volumeID=1, name="hourly",
                       enableRemoteReplication=True)["snapshot"]
    (copy,) = target.call("ListSnapshots", volumeID=1)["snapshots"]
    assert copy["snapshotUUID"] == snap["snapshotUUID"]
    before = volume(target, 1)
    source.clear_calls()
    target.clear_calls()

    whole = clone(target, 1, "dr-test-1", access="readWrite")
    from_snap = clone(target, 1, "dr-test-1-snap", access="readWrite",
                      snapshotID=copy["snapshotID"])
    target.advance_clock(HOLD)
    for made in (whole, from_snap):
        vol = volume(target, made["volumeID"])
        assert vol["status"] == "active" and vol["access"] == "readWrite"
        assert vol["volumePairs"] == []
    after = volume(target, 1)
    assert after == before and after["access"] == "replicationTarget"
    assert after["volumePairs"][0]["volumePairUUID"] == uuid
    assert state(source, 1) == state(target, 1) == "Active"
    assert source.mutating_calls() == []
    assert [c["method"] for c in target.mutating_calls()] == ["CloneVolume", "CloneVolume"]

    # What each clone holds: the snapshot it was made from, or the volume at the call.
    origins = {o["volumeID"]: o for o in target.clones()}
    snap_origin = origins[from_snap["volumeID"]]
    assert snap_origin["sourceSnapshotUUID"] == snap["snapshotUUID"]
    assert snap_origin["sourceSnapshotID"] == copy["snapshotID"]
    assert snap_origin["pointInTime"] == copy["createTime"] == snap["createTime"]
    whole_origin = origins[whole["volumeID"]]
    assert whole_origin["sourceSnapshotID"] is None and whole_origin["sourceVolumeID"] == 1
    assert whole_origin["sourceAccess"] == "replicationTarget"
    assert whole_origin["pointInTime"] == whole["volume"]["createTime"]
    assert {o["status"] for o in origins.values()} == {"active"}


def test_the_point_in_time_is_the_call_not_the_completion(held):
    c = held.clusters[0]
    first = clone(c, 3, "t0")
    c.advance_clock(7200)
    second = clone(c, 3, "t1")
    origins = {o["volumeID"]: o["pointInTime"] for o in c.clones()}
    assert seconds(origins[second["volumeID"]]) - seconds(origins[first["volumeID"]]) >= 7199


def test_clone_errors(held):
    c = held.clusters[0]
    other_snap = c.call("CreateSnapshot", volumeID=2)["snapshotID"]
    c.call("DeleteVolume", volumeID=4)
    assert error_of(c, "CloneVolume", volumeID=999, name="x") == "xVolumeIDDoesNotExist"
    assert error_of(c, "CloneVolume", volumeID=4, name="x") == "xVolumeIDDoesNotExist"
    assert error_of(c, "CloneVolume", volumeID=1, name="x",
                    snapshotID=other_snap) == "xSnapshotIDDoesNotExist"
    assert error_of(c, "CloneVolume", volumeID=1, name="x",
                    snapshotID=98765) == "xSnapshotIDDoesNotExist"
    assert error_of(c, "CloneVolume", volumeID=1, name="") == "xInvalidParameter"
    assert error_of(c, "CloneVolume", volumeID=1, name="n" * 65) == "xInvalidParameter"
    assert error_of(c, "CloneVolume", volumeID=1, name="x",
                    newAccountID=4242) == "xAccountIDDoesNotExist"
    assert error_of(c, "CloneVolume", volumeID=1, name="x",
                    access="readwrite") == "xUnrecognizedEnumString"
    assert error_of(c, "CloneVolume", volumeID=1, name="x",
                    newSize=999999999) == "xInvalidParameter"
    assert error_of(c, "CloneVolume", volumeID=1, name="x",
                    attributes={"big": "x" * 1000}) == "xInvalidParameter"
    assert error_of(c, "CloneVolume", volumeID=1) == "xMissingParameter"
    being_made = clone(c, 1, "not-yet")["volumeID"]
    assert error_of(c, "CloneVolume", volumeID=being_made, name="x") == "xNotReadyForIO"
    # qos is not a CloneVolume parameter (docs, SDK): reported as unused, QoS is inherited.
    answer = c.rpc("CloneVolume", {"volumeID": 1, "name": "q", "qos": {"minIOPS": 600}})
    assert answer["unusedParameters"] == {"qos": {"minIOPS": 600}}
    assert answer["result"]["volume"]["qos"]["minIOPS"] == 100


def test_clone_job_limits(held):
    c = held.clusters[0]
    limits = c.call("GetLimits")
    assert (limits["cloneJobsPerVolumeMax"], limits["cloneJobsPerNodeMax"]) == (2, 8)
    clone(c, 1, "a")
    clone(c, 1, "b")
    assert error_of(c, "CloneVolume", volumeID=1, name="c") == "xMaxClonesPerVolumeExceeded"
    # Four nodes with eight clone jobs each: 32 running clone jobs per cluster.
    account = c.call("ListAccounts")["accounts"][0]["accountID"]
    sources = [2, 3, 4] + [c.call("CreateVolume", name=f"s{i}", accountID=account,
                                  totalSize=GIB, enable512e=True)["volumeID"]
                           for i in range(12)]
    for vid in sources:
        clone(c, vid, f"x{vid}")
        clone(c, vid, f"y{vid}")
    assert len(c.call("ListSyncJobs")["syncJobs"]) == 32
    fresh = c.call("CreateVolume", name="s-last", accountID=account, totalSize=GIB,
                   enable512e=True)["volumeID"]
    assert error_of(c, "CloneVolume", volumeID=fresh, name="z") == "xMaxClonesPerNodeExceeded"
    c.advance_clock(HOLD)  # the jobs complete: room again
    clone(c, 1, "after")
    assert len(c.call("ListSyncJobs")["syncJobs"]) == 1


def test_a_clone_job_can_be_made_to_fail_half_way(held):
    c = held.clusters[0]
    c.fail_next_clone(error="xSliceNotRegistered", message="slice went away")
    assert [f["action"] for f in c.faults()] == ["fail_job"]
    made = clone(c, 1, "doomed")  # the call itself succeeds
    assert c.faults() == []
    assert made["volume"]["status"] == "init"
    c.advance_clock(HOLD / 2 - 10)
    assert job(c, made["asyncHandle"])["status"] == "running"
    c.advance_clock(10)
    failed = job(c, made["asyncHandle"])
    assert failed["status"] == "complete" and "result" not in failed
    assert failed["error"] == {"cloneID": made["cloneID"], "message": "slice went away",
                               "name": "xSliceNotRegistered", "volumeID": made["volumeID"]}
    assert seconds(failed["lastUpdateTime"]) - seconds(failed["createTime"]) in (
        HOLD / 2 - 1, HOLD / 2, HOLD / 2 + 1)
    # The half-made clone is left deleted (restorable, purgeable) and frees its job slot.
    vol = volume(c, made["volumeID"])
    assert vol["status"] == "deleted" and vol["deleteTime"] == failed["lastUpdateTime"]
    assert made["volumeID"] in [v["volumeID"] for v in c.call("ListDeletedVolumes")["volumes"]]
    (entry,) = c.async_results("Clone")
    assert (entry["completed"], entry["success"], entry["data"]) == (True, False,
                                                                      failed["error"])
    c.call("PurgeDeletedVolume", volumeID=made["volumeID"])
    assert volume(c, 1)["status"] == "active"

    c.fail_next_clone()
    default = clone(c, 1, "doomed-too")
    c.advance_clock(HOLD)
    assert job(c, default["asyncHandle"])["error"]["name"] == "xCloneFailed"


def test_fail_job_fault_is_only_for_methods_that_start_jobs(sim):
    c = sim.clusters[0]
    for body in ({"method": "CreateVolume", "action": "fail_job"},
                 {"method": "*", "action": "fail_job"},
                 {"method": "CloneVolume", "action": "fail_job", "error": 5}):
        response = c.session.post(f"{c.url}/sim/faults", json=body, timeout=10)
        assert response.status_code == 400 and "error" in response.json()


def test_deleting_a_clone_being_made_ends_its_job(held):
    c = held.clusters[0]
    made = clone(c, 1, "abandoned")
    deleted = c.call("DeleteVolume", volumeID=made["volumeID"])["volume"]
    assert deleted["status"] == "deleted"
    ended = job(c, made["asyncHandle"])
    assert ended["status"] == "complete" and ended["error"]["name"] == "xVolumeIDDoesNotExist"
    assert c.call("ListSyncJobs") == {"syncJobs": []}
    c.call("PurgeDeletedVolume", volumeID=made["volumeID"])
    assert made["volumeID"] not in [v["volumeID"] for v in c.volumes()]
    # A clone does not depend on its source once started: deleting the source is fine.
    kept = clone(c, 2, "kept")
    c.call("DeleteVolume", volumeID=2)
    c.call("PurgeDeletedVolume", volumeID=2)
    c.advance_clock(HOLD)
    assert job(c, kept["asyncHandle"])["result"]["volumeID"] == kept["volumeID"]
    assert volume(c, kept["volumeID"])["status"] == "active"


def test_list_async_results(held):
    c = held.clusters[0]
    first = clone(c, 1, "one")
    second = clone(c, 2, "two")
    c.advance_clock(HOLD)
    third = clone(c, 3, "three")
    listed = {h["asyncResultID"]: h for h in c.async_results()}
    assert set(listed) == {first["asyncHandle"], second["asyncHandle"], third["asyncHandle"]}
    done = listed[first["asyncHandle"]]
    assert (done["completed"], done["success"], done["resultType"]) == (True, True, "Clone")
    assert done["data"] == {"cloneID": first["cloneID"], "message": "Clone complete.",
                            "volumeID": first["volumeID"]}
    assert listed[third["asyncHandle"]]["completed"] is False
    assert c.async_results("BulkVolume") == []
    assert len(c.async_results("Clone", "DriveAdd")) == 3
    assert error_of(c, "ListAsyncResults", asyncResultTypes=["Cloning"]) == \
        "xUnrecognizedEnumString"
    # Listing does not use results up.
    assert c.call("GetAsyncResult", asyncHandle=first["asyncHandle"])["status"] == "complete"
    assert first["asyncHandle"] not in [h["asyncResultID"] for h in c.async_results()]


def test_documented_response_shapes(held):
    c = held.clusters[0]
    request = '{"method":"CloneVolume","params":{"volumeID":1,"name":"mysqldata-snapshot1",' \
              '"access":"readOnly"},"id":1}'
    answer = c.session.post(c.url + "/json-rpc/12.5", data=request, timeout=30).json()
    documented = {"asyncHandle": 42, "cloneID": 37, "volumeID": 680, "volume": {
        "access": "readOnly", "accountID": 1, "attributes": {}, "blockSize": 4096,
        "createTime": "2016-03-31T22:26:03Z", "deleteTime": "", "enable512e": True,
        "iqn": "iqn.2010-01.com.solidfire:jyay.mysqldata-snapshot1.680",
        "name": "mysqldata-snapshot1", "purgeTime": "", "qos": {}, "sliceCount": 0,
        "scsiEUIDeviceID": "6a796179000002a8f47acc0100000000",
        "scsiNAADeviceID": "6f47acc1000000006a796179000002a8", "status": "init",
        "totalSize": 1000341504, "virtualVolumeID": None, "volumeAccessGroups": [],
        "volumeID": 680, "volumePairs": []}}
    result = answer["result"]
    assert set(documented) <= set(result)  # the docs' table also lists curve
    assert set(documented["volume"]) <= set(result["volume"])
    for key, value in documented["volume"].items():
        if key != "qos":
            assert_same_shape(value, result["volume"][key], f"volume.{key}")
    assert result["volume"]["status"] == "init" and result["volume"]["access"] == "readOnly"
    c.advance_clock(HOLD)
    assert_same_shape(json.loads(
        '{"createTime":"2016-01-01T22:29:18Z","lastUpdateTime":"2016-01-01T22:45:51Z",'
        '"result":{"cloneID":25,"message":"Clone complete.","volumeID":47},'
        '"resultType":"Clone","status":"complete"}'), job(c, result["asyncHandle"]))
    assert_same_shape(json.loads(
        '{"asyncHandles":[{"asyncResultID":47,"completed":true,'
        '"createTime":"2016-01-01T22:29:19Z","data":{"cloneID":26,"message":"Clone complete.",'
        '"volumeID":48},"lastUpdateTime":"2016-01-01T22:45:43Z","resultType":"Clone",'
        '"success":true}]}'), c.call("ListAsyncResults"))


def test_jobs_and_clones_survive_sigkill(held):
    c = held.clusters[0]
    made = clone(c, 1, "durable", access="readWrite")
    held.restart(kill=True)
    c = held.clusters[0]
    assert c.settings()["clone_seconds"] == 0.5  # settings are not persisted; jobs are
    assert job(c, made["asyncHandle"])["status"] == "running"
    assert volume(c, made["volumeID"])["status"] == "init"
    clone(c, 1, "second")  # one running job from volume 1 before the restart, one now
    assert error_of(c, "CloneVolume", volumeID=1, name="third") == "xMaxClonesPerVolumeExceeded"
    c.advance_clock(HOLD)
    assert job(c, made["asyncHandle"])["status"] == "complete"
    assert volume(c, made["volumeID"])["status"] == "active"
    assert [o["name"] for o in c.clones()] == ["durable", "second"]


def test_clones_needs_admin_credentials(sim):
    c = sim.clusters[0]
    response = requests.get(f"{c.url}/sim/clones", verify=c.ca_cert, timeout=10)
    assert response.status_code == 401


def test_a_rehearsal_round_trip(held):
    """What the rehearsal module does on the DR cluster, and that replication never notices."""
    source, target = held.clusters
    pair_clusters(source, target)
    for vid in (1, 2, 3):
        pair_volumes(source, vid, target, vid)
    source.call("CreateSnapshot", volumeID=2, name="nightly", enableRemoteReplication=True)
    rehearsal = target.call("AddAccount", username="dr-rehearsal")["accountID"]
    marker = {"element.replication.rehearsal": "r-2024"}
    hosts = ["iqn.1998-01.com.vmware:dr-esx1-577b283a", "iqn.1998-01.com.vmware:dr-esx2"]

    made = {}
    for vid in (1, 2, 3):
        snaps = target.call("ListSnapshots", volumeID=vid)["snapshots"]
        params = {"snapshotID": snaps[-1]["snapshotID"]} if snaps else {}
        made[vid] = clone(target, vid, f"rehearsal-vol-{vid}", newAccountID=rehearsal,
                          access="readWrite", attributes=marker, **params)
    target.call("ModifyVolume", volumeID=made[1]["volumeID"], qos={"minIOPS": 1000,
                                                                    "maxIOPS": 2000,
                                                                    "burstIOPS": 4000})
    vag = target.call("CreateVolumeAccessGroup", name="rehearsal-r-2024", initiators=hosts,
                      volumes=[m["volumeID"] for m in made.values()],
                      attributes=marker)["volumeAccessGroup"]
    assert [r["completed"] for r in target.async_results("Clone")] == [False] * 3
    target.advance_clock(HOLD)
    for vid, m in made.items():
        assert job(target, m["asyncHandle"])["status"] == "complete"
        vol = volume(target, m["volumeID"])
        assert vol["status"] == "active" and vol["access"] == "readWrite"
        assert vol["volumeAccessGroups"] == [vag["volumeAccessGroupID"]]
        assert vol["iqn"].endswith(f".rehearsal-vol-{vid}.{m['volumeID']}")
        assert state(source, vid) == state(target, vid) == "Active"
        assert volume(target, vid)["access"] == "replicationTarget"
    origins = {o["sourceVolumeID"]: o for o in target.clones()}
    assert origins[2]["sourceSnapshotName"] == "nightly"
    assert origins[1]["sourceSnapshotID"] is None

    # Cleanup: every clone carrying the marker, then the group.
    marked = [v["volumeID"] for v in target.volumes()
              if v["attributes"].get("element.replication.rehearsal") == "r-2024"]
    assert sorted(marked) == sorted(m["volumeID"] for m in made.values())
    for vid in marked:
        target.call("DeleteVolume", volumeID=vid)
        target.call("PurgeDeletedVolume", volumeID=vid)
    assert target.access_groups()[0]["volumes"] == []
    assert target.access_groups()[0]["deletedVolumes"] == []
    target.call("DeleteVolumeAccessGroup", volumeAccessGroupID=vag["volumeAccessGroupID"],
                deleteOrphanInitiators=True)
    assert target.access_groups() == [] and target.call("ListInitiators")["initiators"] == []
    assert target.clones() == []
    for vid in (1, 2, 3):
        assert state(source, vid) == state(target, vid) == "Active"
