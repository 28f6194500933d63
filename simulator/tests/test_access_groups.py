"""Volume access groups and initiators: what a DR rehearsal uses so that test hosts can log in
to the clones."""

import itertools
import json

import pytest

from helpers import error_of, volume
from test_doc_examples import assert_same_shape

GIB = 1024 ** 3
_n = itertools.count(1)


@pytest.fixture(scope="module")
def c(shared_sim):
    return shared_sim.clusters[0]


def iqn(tag=None):
    return f"iqn.1993-08.org.debian:01:host{tag if tag is not None else next(_n)}"


def new_volume(c):
    account = c.call("ListAccounts")["accounts"][0]["accountID"]
    return c.call("CreateVolume", name=f"vag-vol-{next(_n)}", accountID=account, totalSize=GIB,
                  enable512e=True)["volumeID"]


def group(c, vag_id):
    (vag,) = c.call("ListVolumeAccessGroups", volumeAccessGroups=[vag_id])["volumeAccessGroups"]
    return vag


def initiator_ids(c):
    return {i["initiatorID"] for i in c.call("ListInitiators")["initiators"]}


def test_create_a_group_with_initiators_and_volumes(c):
    v1, v2 = new_volume(c), new_volume(c)
    host = iqn()
    made = c.call("CreateVolumeAccessGroup", name="rehearsal-hosts", initiators=[host],
                  volumes=[v1, v2, v1], attributes={"rehearsal": "run-1"})
    vag = made["volumeAccessGroup"]
    vag_id = made["volumeAccessGroupID"]
    assert vag["volumeAccessGroupID"] == vag_id and vag["name"] == "rehearsal-hosts"
    assert vag["volumes"] == [v1, v2] and vag["deletedVolumes"] == []
    assert vag["initiators"] == [host] and len(vag["initiatorIDs"]) == 1
    assert vag["attributes"] == {"rehearsal": "run-1"}
    assert group(c, vag_id) == vag
    assert volume(c, v1)["volumeAccessGroups"] == [vag_id]
    (initiator,) = c.call("ListInitiators", initiators=vag["initiatorIDs"])["initiators"]
    assert initiator["initiatorName"] == host and initiator["volumeAccessGroups"] == [vag_id]
    assert initiator["alias"] == "" and initiator["attributes"] == {}
    # Initiators can be named by ID too.
    other = c.call("CreateVolumeAccessGroup", name="by-id")["volumeAccessGroupID"]
    c.call("RemoveInitiatorsFromVolumeAccessGroup", volumeAccessGroupID=vag_id,
           initiators=vag["initiatorIDs"])
    moved = c.call("AddInitiatorsToVolumeAccessGroup", volumeAccessGroupID=other,
                   initiators=vag["initiatorIDs"])["volumeAccessGroup"]
    assert moved["initiators"] == [host]


def test_initiator_name_forms(c):
    names = [iqn("forms"), "eui.02004567A425678D", "naa.6001405ab3c6c8f1",
             "naa.60a98000486e2f34576f2f51715a5a4d", "21:00:00:0E:1e:11:f1:81",
             "2100000e1e11f182"]
    vag = c.call("CreateVolumeAccessGroup", name="forms",
                 initiators=names)["volumeAccessGroup"]
    assert vag["initiators"] == names[:4] + ["21:00:00:0e:1e:11:f1:81",
                                             "21:00:00:0e:1e:11:f1:82"]
    before = initiator_ids(c)
    for bad in ("iqn.1993-08.org.Debian:01:upper", "iqn.93-08.org.debian:01:x",
                "iqn.1993-08.org.debian: 01: a31b1d799d5c", "host1", "", "eui.1234",
                "naa.12345678901234567", "21:00:00:0e:1e:11:f1", "iqn.2010-01." + "a" * 220):
        assert error_of(c, "CreateVolumeAccessGroup", name="bad",
                        initiators=[iqn(), bad]) == "xInvalidParameter", bad
    assert initiator_ids(c) == before  # all or nothing: the good name was not created either
    assert error_of(c, "CreateVolumeAccessGroup", name="bad",
                    initiators=[987654]) == "xInitiatorDoesNotExist"
    assert error_of(c, "CreateVolumeAccessGroup", name="bad",
                    initiators=[True]) == "xInvalidParameterType"


def test_an_initiator_belongs_to_one_group(c):
    host = iqn()
    c.call("CreateVolumeAccessGroup", name="first", initiators=[host])
    before = len(c.access_groups())
    with pytest.raises(Exception) as info:
        c.call("CreateVolumeAccessGroup", name="second", initiators=[host])
    assert info.value.name == "xExceededLimit" and host in info.value.message
    assert len(c.access_groups()) == before
    second = c.call("CreateVolumeAccessGroup", name="second")["volumeAccessGroupID"]
    assert error_of(c, "AddInitiatorsToVolumeAccessGroup", volumeAccessGroupID=second,
                    initiators=[host]) == "xExceededLimit"
    assert error_of(c, "ModifyVolumeAccessGroup", volumeAccessGroupID=second,
                    initiators=[host]) == "xExceededLimit"


def test_add_and_remove_volumes(c):
    v1, v2, v3 = new_volume(c), new_volume(c), new_volume(c)
    vag_id = c.call("CreateVolumeAccessGroup", name="adds", volumes=[v1])["volumeAccessGroupID"]
    vag = c.call("AddVolumesToVolumeAccessGroup", volumeAccessGroupID=vag_id,
                 volumes=[v2, v3])["volumeAccessGroup"]
    assert vag["volumes"] == [v1, v2, v3]
    # Cinder treats these two errors as "already done".
    assert error_of(c, "AddVolumesToVolumeAccessGroup", volumeAccessGroupID=vag_id,
                    volumes=[v1]) == "xAlreadyInVolumeAccessGroup"
    vag = c.call("RemoveVolumesFromVolumeAccessGroup", volumeAccessGroupID=vag_id,
                 volumes=[v1, v3])["volumeAccessGroup"]
    assert vag["volumes"] == [v2] and volume(c, v1)["volumeAccessGroups"] == []
    assert error_of(c, "RemoveVolumesFromVolumeAccessGroup", volumeAccessGroupID=vag_id,
                    volumes=[v1]) == "xNotInVolumeAccessGroup"
    assert error_of(c, "AddVolumesToVolumeAccessGroup", volumeAccessGroupID=vag_id,
                    volumes=[999999]) == "xVolumeIDDoesNotExist"
    assert error_of(c, "AddVolumesToVolumeAccessGroup", volumeAccessGroupID=424242,
                    volumes=[v1]) == "xVolumeAccessGroupIDDoesNotExist"
    assert error_of(c, "AddVolumesToVolumeAccessGroup",
                    volumeAccessGroupID=vag_id) == "xMissingParameter"
    assert group(c, vag_id)["volumes"] == [v2]


def test_add_and_remove_initiators(c):
    h1, h2 = iqn(), iqn()
    vag_id = c.call("CreateVolumeAccessGroup", name="inits")["volumeAccessGroupID"]
    vag = c.call("AddInitiatorsToVolumeAccessGroup", volumeAccessGroupID=vag_id,
                 initiators=[h1, h2])["volumeAccessGroup"]
    assert vag["initiators"] == [h1, h2]
    assert error_of(c, "AddInitiatorsToVolumeAccessGroup", volumeAccessGroupID=vag_id,
                    initiators=[h1]) == "xAlreadyInVolumeAccessGroup"
    h1_id, h2_id = vag["initiatorIDs"]
    vag = c.call("RemoveInitiatorsFromVolumeAccessGroup", volumeAccessGroupID=vag_id,
                 initiators=[h1])["volumeAccessGroup"]
    assert vag["initiators"] == [h2] and h1_id in initiator_ids(c)  # kept by default
    c.call("RemoveInitiatorsFromVolumeAccessGroup", volumeAccessGroupID=vag_id,
           initiators=[h2_id], deleteOrphanInitiators=True)
    assert h2_id not in initiator_ids(c)
    assert error_of(c, "RemoveInitiatorsFromVolumeAccessGroup", volumeAccessGroupID=vag_id,
                    initiators=[h1]) == "xNotInVolumeAccessGroup"
    assert error_of(c, "RemoveInitiatorsFromVolumeAccessGroup", volumeAccessGroupID=vag_id,
                    initiators=[h2_id]) == "xInitiatorDoesNotExist"


def test_modify_replaces_the_lists_given(c):
    v1, v2 = new_volume(c), new_volume(c)
    h1, h2 = iqn(), iqn()
    vag_id = c.call("CreateVolumeAccessGroup", name="before", initiators=[h1],
                    volumes=[v1])["volumeAccessGroupID"]
    h1_id = group(c, vag_id)["initiatorIDs"][0]
    vag = c.call("ModifyVolumeAccessGroup", volumeAccessGroupID=vag_id,
                 name="after", attributes={"k": 1})["volumeAccessGroup"]
    assert (vag["name"], vag["attributes"], vag["volumes"], vag["initiators"]) == (
        "after", {"k": 1}, [v1], [h1])
    vag = c.call("ModifyVolumeAccessGroup", volumeAccessGroupID=vag_id, volumes=[v2, v2],
                 initiators=[h2], deleteOrphanInitiators=True)["volumeAccessGroup"]
    assert vag["volumes"] == [v2] and vag["initiators"] == [h2]
    assert volume(c, v1)["volumeAccessGroups"] == [] and h1_id not in initiator_ids(c)
    assert error_of(c, "ModifyVolumeAccessGroup", volumeAccessGroupID=vag_id,
                    name="") == "xInvalidParameter"
    assert error_of(c, "ModifyVolumeAccessGroup", volumeAccessGroupID=31337,
                    name="x") == "xVolumeAccessGroupIDDoesNotExist"


def test_names_need_not_be_unique(c):
    first = c.call("CreateVolumeAccessGroup", name="same")["volumeAccessGroupID"]
    second = c.call("CreateVolumeAccessGroup", name="same")["volumeAccessGroupID"]
    assert first != second
    assert error_of(c, "CreateVolumeAccessGroup", name="") == "xInvalidParameter"
    assert error_of(c, "CreateVolumeAccessGroup", name="n" * 65) == "xInvalidParameter"


def test_delete_group(c):
    v1 = new_volume(c)
    h1, h2 = iqn(), iqn()
    keep = c.call("CreateVolumeAccessGroup", name="keep-inits", initiators=[h1],
                  volumes=[v1])["volumeAccessGroup"]
    drop = c.call("CreateVolumeAccessGroup", name="drop-inits",
                  initiators=[h2])["volumeAccessGroup"]
    assert c.call("DeleteVolumeAccessGroup",
                  volumeAccessGroupID=keep["volumeAccessGroupID"]) == {}
    assert volume(c, v1)["volumeAccessGroups"] == [] and volume(c, v1)["status"] == "active"
    (kept,) = c.call("ListInitiators", initiators=keep["initiatorIDs"])["initiators"]
    assert kept["volumeAccessGroups"] == []
    c.call("DeleteVolumeAccessGroup", volumeAccessGroupID=drop["volumeAccessGroupID"],
           deleteOrphanInitiators=True, force=True)
    assert drop["initiatorIDs"][0] not in initiator_ids(c)
    assert error_of(c, "DeleteVolumeAccessGroup", volumeAccessGroupID=drop[
        "volumeAccessGroupID"]) == "xVolumeAccessGroupIDDoesNotExist"
    # A kept initiator can join another group.
    c.call("CreateVolumeAccessGroup", name="again", initiators=[h1])


def test_deleted_volumes_wait_in_deleted_volumes_until_purged(c):
    v1, v2 = new_volume(c), new_volume(c)
    vag_id = c.call("CreateVolumeAccessGroup", name="lifecycle",
                    volumes=[v1, v2])["volumeAccessGroupID"]
    c.call("DeleteVolume", volumeID=v1)
    vag = group(c, vag_id)
    assert (vag["volumes"], vag["deletedVolumes"]) == ([v2], [v1])
    c.call("RestoreDeletedVolume", volumeID=v1)
    assert (group(c, vag_id)["volumes"], group(c, vag_id)["deletedVolumes"]) == ([v1, v2], [])
    c.call("DeleteVolume", volumeID=v1)
    assert error_of(c, "AddVolumesToVolumeAccessGroup", volumeAccessGroupID=vag_id,
                    volumes=[v1]) == "xVolumeIDDoesNotExist"  # deleted volumes cannot join
    # Replacing the volume list keeps the deleted member until it is purged.
    c.call("ModifyVolumeAccessGroup", volumeAccessGroupID=vag_id, volumes=[v2])
    assert group(c, vag_id)["deletedVolumes"] == [v1]
    c.call("PurgeDeletedVolume", volumeID=v1)
    vag = group(c, vag_id)
    assert (vag["volumes"], vag["deletedVolumes"]) == ([v2], [])
    c.call("DeleteVolume", volumeID=v2)
    assert error_of(c, "CreateVolumeAccessGroup", name="x",
                    volumes=[v2]) == "xVolumeIDDoesNotExist"
    c.call("RemoveVolumesFromVolumeAccessGroup", volumeAccessGroupID=vag_id, volumes=[v2])
    assert group(c, vag_id)["deletedVolumes"] == []


def test_list_groups(c):
    ids = [c.call("CreateVolumeAccessGroup", name=f"page-{i}")["volumeAccessGroupID"]
           for i in range(3)]
    page = c.call("ListVolumeAccessGroups", startVolumeAccessGroupID=ids[1],
                  limit=1)["volumeAccessGroups"]
    assert [g["volumeAccessGroupID"] for g in page] == [ids[1]]
    answer = c.call("ListVolumeAccessGroups", volumeAccessGroups=[ids[2], 777777, ids[0]])
    assert [g["volumeAccessGroupID"] for g in answer["volumeAccessGroups"]] == [ids[2], ids[0]]
    assert answer["volumeAccessGroupsNotFound"] == [777777]
    assert "volumeAccessGroupsNotFound" not in c.call("ListVolumeAccessGroups",
                                                      volumeAccessGroups=[ids[0]])
    assert error_of(c, "ListVolumeAccessGroups", volumeAccessGroups=[ids[0]],
                    limit=1) == "xInvalidParameter"
    assert error_of(c, "ListInitiators", initiators=[1], startInitiatorID=1) == \
        "xInvalidParameter"


def test_limits(make_sim):
    c = make_sim(clusters=1, volumes=1).clusters[0]
    limits = c.call("GetLimits")
    per_volume = limits["volumeAccessGroupsPerVolumeCountMax"]
    for i in range(per_volume):
        c.call("CreateVolumeAccessGroup", name=f"g{i}", volumes=[1])
    assert error_of(c, "CreateVolumeAccessGroup", name="one-too-many",
                    volumes=[1]) == "xExceededLimit"
    too_many = [iqn(f"many{i}") for i in range(limits["initiatorsPerVolumeAccessGroupCountMax"]
                                               + 1)]
    assert error_of(c, "CreateVolumeAccessGroup", name="crowded",
                    initiators=too_many) == "xExceededLimit"
    assert c.call("ListInitiators")["initiators"] == []
    for i in range(limits["volumeAccessGroupCountMax"] - per_volume):
        c.call("CreateVolumeAccessGroup", name=f"n{i}")
    assert error_of(c, "CreateVolumeAccessGroup", name="thousand-and-one") == "xExceededLimit"


def test_groups_survive_sigkill(make_sim):
    sim = make_sim()
    c = sim.clusters[0]
    vag = c.call("CreateVolumeAccessGroup", name="durable", initiators=[iqn("durable")],
                 volumes=[1, 2])["volumeAccessGroup"]
    c.call("DeleteVolume", volumeID=2)
    sim.restart(kill=True)
    c = sim.clusters[0]
    assert c.access_groups() == [dict(vag, volumes=[1], deletedVolumes=[2])]
    assert volume(c, 1)["volumeAccessGroups"] == [vag["volumeAccessGroupID"]]
    assert error_of(c, "CreateVolumeAccessGroup", name="again",
                    initiators=[iqn("durable")]) == "xExceededLimit"
    c.call("PurgeDeletedVolume", volumeID=2)
    assert c.access_groups()[0]["deletedVolumes"] == []


def test_documented_response_shapes(c):
    vid = new_volume(c)
    host = iqn()
    made = c.call("CreateVolumeAccessGroup", name="myaccessgroup", initiators=[host],
                  volumes=[vid], attributes={})
    documented_group = {"attributes": {}, "deletedVolumes": [], "initiatorIDs": [95],
                        "initiators": ["iqn.1993-08.org.debian:01:a31b1d799d5c"],
                        "name": "myaccessgroup", "volumeAccessGroupID": 96, "volumes": [327]}
    assert_same_shape({"volumeAccessGroup": documented_group, "volumeAccessGroupID": 96}, made)
    vag_id = made["volumeAccessGroupID"]
    for method, params in (
            ("ModifyVolumeAccessGroup", {"name": "accesstest", "volumes": [vid]}),
            ("AddVolumesToVolumeAccessGroup", {"volumes": [new_volume(c)]}),
            ("RemoveVolumesFromVolumeAccessGroup", {"volumes": [vid]}),
            ("AddInitiatorsToVolumeAccessGroup", {"initiators": [iqn()]}),
            ("RemoveInitiatorsFromVolumeAccessGroup", {"initiators": [host]})):
        answer = c.call(method, volumeAccessGroupID=vag_id, **params)
        documented_group["volumes"] = [1] if answer["volumeAccessGroup"]["volumes"] else []
        assert_same_shape({"volumeAccessGroup": documented_group}, answer, method)
    listed = c.call("ListVolumeAccessGroups", startVolumeAccessGroupID=vag_id, limit=1)
    assert_same_shape(json.loads(
        '{"volumeAccessGroups":[{"attributes":{},"deletedVolumes":[],"initiatorIDs":[1],'
        '"initiators":["iqn.x"],"name":"example1","volumeAccessGroupID":3,"volumes":[1]}]}'),
        listed)
    initiators = c.call("ListInitiators", startInitiatorID=0, limit=1)
    assert set(initiators["initiators"][0]) >= {"alias", "attributes", "initiatorID",
                                                 "initiatorName", "volumeAccessGroups"}
    assert c.call("DeleteVolumeAccessGroup", volumeAccessGroupID=vag_id) == {}
