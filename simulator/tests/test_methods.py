"""Happy paths and documented errors of the non-replication methods (spec §3, §4)."""

import itertools
import re
import uuid

import pytest

from helpers import error_of

GIB = 1024 ** 3
_names = itertools.count(1)


@pytest.fixture(scope="module")
def c1(shared_sim):
    return shared_sim.clusters[0]


@pytest.fixture
def account(c1):
    return c1.call("AddAccount", username=f"acct-{next(_names)}")["accountID"]


def new_volume(c1, account, size=GIB, **kw):
    return c1.call("CreateVolume", name=f"v-{next(_names)}", accountID=account, totalSize=size,
                   enable512e=True, **kw)["volume"]


def is_uuid(value):
    return str(uuid.UUID(value)) == value


def test_get_cluster_info(shared_sim, c1):
    info = c1.call("GetClusterInfo")["clusterInfo"]
    assert info["name"] == c1.name and info["mvip"] == c1.mvip
    assert re.fullmatch(r"[a-z0-9]{4}", info["uniqueID"]) and info["uniqueID"] == c1.unique_id
    assert info["uuid"] == c1.uuid and is_uuid(info["uuid"])
    assert info["defaultProtectionScheme"] == "doubleHelix" and info["repCount"] == 2
    assert isinstance(info["ensemble"], list) and isinstance(info["mvipVlanTag"], str)
    other = shared_sim.clusters[1].call("GetClusterInfo")["clusterInfo"]
    assert other["uniqueID"] != info["uniqueID"] and other["uuid"] != info["uuid"]


def test_get_limits(c1):
    limits = c1.call("GetLimits")
    assert limits["clusterPairsCountMax"] == 4
    assert limits["volumeSizeMin"] == 1000000000 and limits["volumeSizeMax"] == 17592186044416
    assert limits["volumeNameLengthMax"] == 64 and limits["snapshotsPerVolumeMax"] == 32
    assert all(isinstance(v, int) for v in limits.values())


def test_version_info_default_qos_and_sync_jobs(c1):
    version = c1.call("GetClusterVersionInfo")
    assert version["clusterAPIVersion"] == "12.5" and version["clusterVersion"].startswith("12.5")
    qos = c1.call("GetDefaultQoS")
    assert (qos["minIOPS"], qos["maxIOPS"], qos["burstIOPS"]) == (100, 15000, 15000)
    assert c1.call("ListSyncJobs") == {"syncJobs": []}


CAPACITY_FIELDS = {
    "activeBlockSpace", "activeSessions", "averageIOPS", "clusterRecentIOSize", "currentIOPS",
    "maxIOPS", "maxOverProvisionableSpace", "maxProvisionedSpace", "maxUsedMetadataSpace",
    "maxUsedSpace", "nonZeroBlocks", "peakActiveSessions", "peakIOPS", "provisionedSpace",
    "snapshotNonZeroBlocks", "timestamp", "totalOps", "uniqueBlocks", "uniqueBlocksUsedSpace",
    "usedMetadataSpace", "usedMetadataSpaceInSnapshots", "usedSpace", "zeroBlocks"}


def test_get_cluster_capacity(c1, account):
    before = c1.call("GetClusterCapacity")["clusterCapacity"]
    assert set(before) == CAPACITY_FIELDS
    assert all(type(value) is int for name, value in before.items() if name != "timestamp")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", before["timestamp"])
    # maxOverProvisionableSpace = maxProvisionedSpace * maxMetadataOverProvisionFactor (5)
    assert before["maxOverProvisionableSpace"] == 5 * before["maxProvisionedSpace"]
    vol = new_volume(c1, account, size=2 * GIB)
    after = c1.call("GetClusterCapacity")["clusterCapacity"]
    assert after["provisionedSpace"] == before["provisionedSpace"] + 2 * GIB
    assert after["zeroBlocks"] == before["zeroBlocks"] + 2 * GIB // 4096
    c1.call("DeleteVolume", volumeID=vol["volumeID"])
    assert c1.call("GetClusterCapacity")["clusterCapacity"]["provisionedSpace"] == \
        before["provisionedSpace"]


def test_add_and_get_account(c1):
    added = c1.call("AddAccount", username="tenant-a", attributes={"k": "v"})
    account = added["account"]
    assert added["accountID"] == account["accountID"]
    assert account["username"] == "tenant-a" and account["status"] == "active"
    assert account["volumes"] == [] and account["enableChap"] is True
    assert 12 <= len(account["initiatorSecret"]) <= 16 and 12 <= len(account["targetSecret"]) <= 16
    assert account["initiatorSecret"] != account["targetSecret"]
    assert is_uuid(account["storageContainerID"])
    assert c1.call("GetAccountByID", accountID=account["accountID"])["account"] == account
    assert c1.call("GetAccountByName", username="tenant-a")["account"] == account
    listed = {a["accountID"]: a for a in c1.call("ListAccounts")["accounts"]}
    assert listed[account["accountID"]] == account


def test_account_errors(c1):
    c1.call("AddAccount", username="dup-user")
    assert error_of(c1, "AddAccount", username="dup-user") == "xDuplicateUsername"
    assert error_of(c1, "AddAccount", username="") == "xInvalidParameter"
    assert error_of(c1, "AddAccount", username="short-secret",
                    initiatorSecret="tooshort") == "xInvalidParameter"
    assert error_of(c1, "AddAccount") == "xMissingParameter"
    assert error_of(c1, "GetAccountByID", accountID=99999) == "xUnknownAccount"
    assert error_of(c1, "GetAccountByName", username="nobody-here") == "xUnknownAccount"


def test_given_secrets_are_kept(c1):
    account = c1.call("AddAccount", username="secret-keeper", initiatorSecret="initsecret123",
                      targetSecret="targsecret456")["account"]
    assert (account["initiatorSecret"], account["targetSecret"]) == ("initsecret123",
                                                                     "targsecret456")


def test_equal_given_secrets_are_accepted_and_kept(c1):
    # Cinder's SolidFire driver sends one CHAP secret as both on every new account.
    account = c1.call("AddAccount", username="same-secrets", initiatorSecret="abcdefghijkl",
                      targetSecret="abcdefghijkl")["account"]
    assert (account["initiatorSecret"], account["targetSecret"]) == ("abcdefghijkl",
                                                                     "abcdefghijkl")
    stored = c1.call("GetAccountByName", username="same-secrets")["account"]
    assert stored["targetSecret"] == "abcdefghijkl"


def test_create_volume_object(c1, account):
    result = c1.call("CreateVolume", name="Data-Vol", accountID=account, totalSize=5000000000,
                     enable512e=False, attributes={"app": "db"},
                     qos={"minIOPS": 500, "maxIOPS": 27000, "burstIOPS": 27000})
    vol = result["volume"]
    vid = result["volumeID"]
    assert vol["volumeID"] == vid and result["curve"] == vol["qos"]["curve"]
    assert vol["totalSize"] == 5000658944  # rounded up to a whole MiB, as in the docs' example
    assert vol["name"] == "Data-Vol" and vol["accountID"] == account
    assert vol["access"] == "readWrite" and vol["status"] == "active"
    assert vol["enable512e"] is False and vol["attributes"] == {"app": "db"}
    assert vol["deleteTime"] == "" and vol["purgeTime"] == "" and vol["volumePairs"] == []
    assert vol["qos"]["minIOPS"] == 500 and vol["qos"]["burstTime"] == 60
    assert vol["iqn"] == f"iqn.2010-01.com.solidfire:{c1.unique_id}.data-vol.{vid}"
    uid_hex = c1.unique_id.encode().hex()
    assert vol["scsiEUIDeviceID"] == f"{uid_hex}{vid:08x}f47acc0100000000"
    assert vol["scsiNAADeviceID"] == f"6f47acc100000000{uid_hex}{vid:08x}"
    assert is_uuid(vol["volumeUUID"]) and is_uuid(vol["volumeConsistencyGroupUUID"])
    assert vol["blockSize"] == 4096 and vol["sliceCount"] == 1
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", vol["createTime"])
    assert vid in c1.call("GetAccountByID", accountID=account)["account"]["volumes"]


def test_create_volume_errors(c1, account):
    def create(**kw):
        params = dict(name="x", accountID=account, totalSize=GIB, enable512e=True)
        params.update(kw)
        return error_of(c1, "CreateVolume", **params)

    assert create(accountID=987654) == "xAccountIDDoesNotExist"
    assert create(name="") == "xInvalidParameter"
    assert create(name="n" * 65) == "xInvalidParameter"
    assert create(totalSize=999999999) == "xInvalidParameter"
    assert create(totalSize=17592186044417) == "xInvalidParameter"
    assert create(access="replicationTarget") == "xInvalidParameter"
    assert create(qos={"minIOPS": 10}) == "xInvalidParameter"
    assert create(attributes={"big": "x" * 1000}) == "xInvalidParameter"
    assert error_of(c1, "CreateVolume", name="x", accountID=account,
                    totalSize=GIB) == "xMissingParameter"


def test_create_volume_accepts_snap_mirror_target(c1, account):
    vol = c1.call("CreateVolume", name="smt", accountID=account, totalSize=GIB, enable512e=True,
                  access="snapMirrorTarget")["volume"]
    assert vol["access"] == "snapMirrorTarget"


def test_modify_volume(c1, account):
    vol = new_volume(c1, account)
    vid = vol["volumeID"]
    other = c1.call("AddAccount", username=f"other-{vid}")["accountID"]
    modified = c1.call("ModifyVolume", volumeID=vid, totalSize=2 * GIB, access="replicationTarget",
                       qos={"maxIOPS": 12000}, attributes={"a": 1}, accountID=other)["volume"]
    assert modified["totalSize"] == 2 * GIB and modified["access"] == "replicationTarget"
    assert modified["qos"]["maxIOPS"] == 12000 and modified["qos"]["minIOPS"] == 100
    assert modified["attributes"] == {"a": 1} and modified["accountID"] == other
    assert vid in c1.call("GetAccountByID", accountID=other)["account"]["volumes"]
    assert vid not in c1.call("GetAccountByID", accountID=account)["account"]["volumes"]
    assert error_of(c1, "ModifyVolume", volumeID=vid, totalSize=GIB) == "xVolumeShrinkProhibited"
    assert error_of(c1, "ModifyVolume", volumeID=vid, access="readwrite") \
        == "xUnrecognizedEnumString"
    assert error_of(c1, "ModifyVolume", volumeID=vid, accountID=55555) \
        == "xAccountIDDoesNotExist"
    assert error_of(c1, "ModifyVolume", volumeID=999999, access="readWrite") \
        == "xVolumeIDDoesNotExist"
    unchanged = c1.call("ListVolumes", volumeIDs=[vid])["volumes"][0]
    assert unchanged["totalSize"] == 2 * GIB and unchanged["access"] == "replicationTarget"


def test_modify_volumes_is_all_or_nothing(c1, account):
    ids = [new_volume(c1, account)["volumeID"] for _ in range(3)]
    result = c1.call("ModifyVolumes", volumeIDs=ids, access="locked")
    assert [v["access"] for v in result["volumes"]] == ["locked"] * 3
    assert error_of(c1, "ModifyVolumes", volumeIDs=ids + [999999], access="readOnly") \
        == "xVolumeIDDoesNotExist"
    bigger = new_volume(c1, account, size=2 * GIB)["volumeID"]
    assert error_of(c1, "ModifyVolumes", volumeIDs=ids + [bigger], access="readOnly",
                    totalSize=int(1.5 * GIB)) == "xVolumeShrinkProhibited"
    assert {v["access"] for v in c1.call("ListVolumes", volumeIDs=ids)["volumes"]} == {"locked"}


def test_delete_restore_purge(c1, account):
    vid = new_volume(c1, account)["volumeID"]
    deleted = c1.call("DeleteVolume", volumeID=vid)["volume"]
    assert deleted["status"] == "deleted" and deleted["deleteTime"] and deleted["purgeTime"]
    assert deleted["purgeTime"] > deleted["deleteTime"]
    assert vid not in [v["volumeID"] for v in c1.call("ListActiveVolumes")["volumes"]]
    assert [v["volumeID"] for v in c1.call("ListVolumes", volumeIDs=[vid],
                                           volumeStatus="deleted")["volumes"]] == [vid]
    assert vid in [v["volumeID"] for v in c1.call("ListDeletedVolumes")["volumes"]]
    assert error_of(c1, "DeleteVolume", volumeID=vid) == "xVolumeIDDoesNotExist"
    assert error_of(c1, "ModifyVolume", volumeID=vid, access="locked") == "xVolumeIDDoesNotExist"
    assert c1.call("RestoreDeletedVolume", volumeID=vid) == {}
    restored = c1.call("ListVolumes", volumeIDs=[vid])["volumes"][0]
    assert restored["status"] == "active" and restored["deleteTime"] == ""
    assert error_of(c1, "PurgeDeletedVolume", volumeID=vid) == "xVolumeIDDoesNotExist"
    c1.call("DeleteVolume", volumeID=vid)
    assert c1.call("PurgeDeletedVolume", volumeID=vid) == {}
    assert c1.call("ListVolumes", volumeIDs=[vid])["volumes"] == []
    assert vid not in c1.call("GetAccountByID", accountID=account)["account"]["volumes"]
    assert error_of(c1, "RestoreDeletedVolume", volumeID=vid) == "xVolumeIDDoesNotExist"


def test_list_volumes_filters_and_paging(c1, account):
    ids = [new_volume(c1, account)["volumeID"] for _ in range(5)]
    by_account = c1.call("ListVolumes", accounts=[account])["volumes"]
    assert [v["volumeID"] for v in by_account] == ids
    page = c1.call("ListVolumes", startVolumeID=ids[1], limit=2, accounts=[account])["volumes"]
    assert [v["volumeID"] for v in page] == ids[1:3]
    named = c1.call("ListVolumes", volumeName=by_account[3]["name"])["volumes"]
    assert [v["volumeID"] for v in named] == [ids[3]]
    chosen = c1.call("ListVolumes", volumeIDs=[ids[4], ids[0], 999999])["volumes"]
    assert [v["volumeID"] for v in chosen] == [ids[0], ids[4]]  # unknown IDs are left out
    for exclusive in ({"limit": 1}, {"startVolumeID": 1}, {"accounts": [account]}):
        assert error_of(c1, "ListVolumes", volumeIDs=ids, **exclusive) == "xInvalidParameter"
    assert error_of(c1, "ListVolumes", volumeStatus="gone") == "xUnrecognizedEnumString"
    everything = c1.call("ListVolumes")["volumes"]
    assert [v["volumeID"] for v in everything] == sorted(v["volumeID"] for v in everything)


def test_list_active_volumes(c1, account):
    ids = [new_volume(c1, account)["volumeID"] for _ in range(3)]
    c1.call("DeleteVolume", volumeID=ids[1])
    # A startVolumeID that does not exist starts at the next ID.
    listed = c1.call("ListActiveVolumes", startVolumeID=ids[0], limit=0)["volumes"]
    assert [v["volumeID"] for v in listed if v["volumeID"] in ids] == [ids[0], ids[2]]
    one = c1.call("ListActiveVolumes", startVolumeID=ids[1], limit=1)["volumes"]
    assert [v["volumeID"] for v in one] == [ids[2]]


def test_list_volumes_for_account(c1, account):
    ids = [new_volume(c1, account)["volumeID"] for _ in range(2)]
    c1.call("DeleteVolume", volumeID=ids[0])
    listed = c1.call("ListVolumesForAccount", accountID=account)["volumes"]
    assert [(v["volumeID"], v["status"]) for v in listed] == [(ids[0], "deleted"),
                                                              (ids[1], "active")]
    assert error_of(c1, "ListVolumesForAccount", accountID=424242) == "xAccountIDDoesNotExist"


def test_snapshots(c1, account):
    vid = new_volume(c1, account)["volumeID"]
    created = c1.call("CreateSnapshot", volumeID=vid, name="daily", attributes={"x": 1})
    snap = created["snapshot"]
    assert created["snapshotID"] == snap["snapshotID"] and created["checksum"] == "0x0"
    assert snap["name"] == "daily" and snap["volumeID"] == vid and snap["status"] == "done"
    assert snap["remoteStatuses"] == [] and snap["enableRemoteReplication"] is False
    assert is_uuid(snap["snapshotUUID"]) and snap["totalSize"] == GIB
    unnamed = c1.call("CreateSnapshot", volumeID=vid)["snapshot"]
    assert unnamed["name"] == unnamed["createTime"]  # the default name is the creation time
    listed = c1.call("ListSnapshots", volumeID=vid)["snapshots"]
    assert [s["snapshotID"] for s in listed] == [snap["snapshotID"], unnamed["snapshotID"]]
    only = c1.call("ListSnapshots", snapshotID=snap["snapshotID"])["snapshots"]
    assert [s["snapshotID"] for s in only] == [snap["snapshotID"]]
    renamed = c1.call("ModifySnapshot", snapshotID=snap["snapshotID"], name="weekly")["snapshot"]
    assert renamed["name"] == "weekly"
    assert c1.call("DeleteSnapshot", snapshotID=unnamed["snapshotID"]) == {}
    assert error_of(c1, "DeleteSnapshot", snapshotID=unnamed["snapshotID"]) \
        == "xSnapshotIDDoesNotExist"
    assert error_of(c1, "ModifySnapshot", snapshotID=999999, name="x") \
        == "xSnapshotIDDoesNotExist"
    assert error_of(c1, "CreateSnapshot", volumeID=999999) == "xVolumeIDDoesNotExist"
    assert error_of(c1, "ListSnapshots", volumeID=999999) == "xVolumeIDDoesNotExist"
    assert error_of(c1, "CreateSnapshot", volumeID=vid, expirationTime="2030-01-01T00:00:00Z",
                    retention="01:00:00") == "xInvalidParameter"


def test_snapshot_limit_per_volume(c1, account):
    vid = new_volume(c1, account)["volumeID"]
    for _ in range(32):
        c1.call("CreateSnapshot", volumeID=vid)
    assert error_of(c1, "CreateSnapshot", volumeID=vid) == "xMaxSnapshotsPerVolumeExceeded"


def test_concurrent_clients_get_distinct_ids(c1, account):
    from concurrent.futures import ThreadPoolExecutor
    from element_sim.harness import SimCluster

    def create(i):
        client = SimCluster(c1.info)  # each thread its own connection
        try:
            return [client.call("CreateVolume", name=f"conc-{i}-{j}", accountID=account,
                                totalSize=GIB, enable512e=True)["volumeID"] for j in range(10)]
        finally:
            client.close()

    with ThreadPoolExecutor(4) as pool:
        ids = [vid for chunk in pool.map(create, range(4)) for vid in chunk]
    assert len(set(ids)) == 40
    owned = c1.call("GetAccountByID", accountID=account)["account"]["volumes"]
    assert set(ids) <= set(owned)
