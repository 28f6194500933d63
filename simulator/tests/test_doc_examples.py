"""The documented example requests of the nine replication methods (as corrected in the
spec, §2) get responses whose field names and types match the documented examples."""

import json

import pytest

from helpers import pair_volumes

KEY = "7b22..."  # stands for any pairing key in the examples below

EXAMPLES = {
    "StartClusterPairing": (
        '{"method":"StartClusterPairing","params":{},"id":1}',
        '{"id":1,"result":{"clusterPairID":1,"clusterPairingKey":"7b22636c75737465725061697249"}}'),
    "CompleteClusterPairing": (
        '{"method":"CompleteClusterPairing","params":{"clusterPairingKey":"KEY"},"id":1}',
        '{"id":1,"result":{"clusterPairID":1}}'),
    "ListClusterPairs": (
        '{"method":"ListClusterPairs","params":{},"id":1}',
        '{"id":1,"result":{"clusterPairs":[{"clusterName":"cluster2","clusterPairID":3,'
        '"clusterPairUUID":"9866fbeb-c2f8-4df3-beb9-58a5c4e49c9b","clusterUUID":"5487",'
        '"latency":1,"mvip":"172.1.1.5","status":"Connected","version":"8.0.0.1361"}]}}'),
    "StartVolumePairing": (
        '{"method":"StartVolumePairing","params":{"mode":"Async","volumeID":14},"id":1}',
        '{"id":1,"result":{"volumePairingKey":"7b226d766970223a22"}}'),
    "CompleteVolumePairing": (
        '{"method":"CompleteVolumePairing","params":{"volumeID":14,"volumePairingKey":"KEY"},'
        '"id":1}',
        '{"id":1,"result":{}}'),
    "ListActivePairedVolumes": (
        '{"method":"ListActivePairedVolumes","params":{},"id":1}',
        '{"id":1,"result":{"volumes":[{'
        '"access":"readWrite","accountID":1,"attributes":{},"blockSize":4096,'
        '"createTime":"2016-06-24T15:21:59Z","deleteTime":"","enable512e":true,'
        '"iqn":"iqn.2010-01.com.solidfire:0oto.bk.24","name":"BK","purgeTime":"",'
        '"qos":{"burstIOPS":15000,"burstTime":60,"curve":{"4096":100,"8192":160,"16384":270,'
        '"32768":500,"65536":1000,"131072":1950,"262144":3900,"524288":7600,"1048576":15000},'
        '"maxIOPS":15000,"minIOPS":50},'
        '"scsiEUIDeviceID":"306f746f00000018f47acc0100000000",'
        '"scsiNAADeviceID":"6f47acc100000000306f746f00000018",'
        '"sliceCount":1,"status":"active","totalSize":10737418240,"virtualVolumeID":null,'
        '"volumeAccessGroups":[],"volumeID":24,'
        '"volumePairs":[{"clusterPairID":2,'
        '"remoteReplication":{"mode":"Async","pauseLimit":3145728000,"remoteServiceID":14,'
        '"resumeDetails":"","snapshotReplication":{"state":"Idle","stateDetails":""},'
        '"state":"Active","stateDetails":""},'
        '"remoteSliceID":8,"remoteVolumeID":8,"remoteVolumeName":"PairingDoc",'
        '"volumePairUUID":"229fcbf3-2d35-4625-865a-d04bb9455cef"}]}]}}'),
    "ModifyVolumePair": (
        '{"method":"ModifyVolumePair","params":{"pausedManual":false,"volumeID":5,"mode":"sync"},'
        '"id":1}',
        '{"id":1,"result":{}}'),
    "RemoveVolumePair": (
        '{"method":"RemoveVolumePair","params":{"volumeID":5},"id":1}',
        '{"id":1,"result":{}}'),
    "RemoveClusterPair": (
        '{"method":"RemoveClusterPair","params":{"clusterPairID":1},"id":1}',
        '{"id":1,"result":{}}'),
}

# The documented volume object is abridged: the simulator's may carry more of §3.1's fields.
ABRIDGED = {"result.volumes[]"}


def assert_same_shape(example, actual, path="response"):
    """Same member names (exactly, unless abridged) and JSON types, recursively."""
    if isinstance(example, dict):
        assert isinstance(actual, dict), f"{path}: expected an object, got {actual!r}"
        if path.split(".", 1)[-1] in ABRIDGED:
            assert set(example) <= set(actual), f"{path}: missing {set(example) - set(actual)}"
        else:
            assert set(example) == set(actual), f"{path}: {sorted(actual)} != {sorted(example)}"
        if path.endswith(".curve"):
            return  # a map of IO sizes, not fixed member names
        for key, value in example.items():
            assert_same_shape(value, actual[key], f"{path}.{key}")
    elif isinstance(example, list):
        assert isinstance(actual, list), f"{path}: expected an array"
        if example:
            assert actual, f"{path}: expected a non-empty array"
            for item in actual:
                assert_same_shape(example[0], item, f"{path}[]")
    elif example is None:
        assert actual is None, f"{path}: expected null, got {actual!r}"
    else:
        assert type(actual) is type(example), f"{path}: {actual!r} is not {type(example)}"


def send(cluster, name, key=None):
    request, expected = EXAMPLES[name]
    if key is not None:
        request = request.replace("KEY", key)
    response = cluster.session.post(cluster.url + "/json-rpc/12.5", data=request, timeout=30)
    answer = response.json()
    assert "error" not in answer, answer
    assert_same_shape(json.loads(expected), answer)
    return answer["result"]


@pytest.fixture
def clusters(make_sim):
    return make_sim(volumes=14).clusters


def test_documented_examples_get_documented_shapes(clusters):
    a, b = clusters
    key = send(a, "StartClusterPairing")["clusterPairingKey"]
    send(b, "CompleteClusterPairing", key)
    send(a, "ListClusterPairs")
    send(b, "ListClusterPairs")
    volume_key = send(a, "StartVolumePairing")["volumePairingKey"]
    b.call("ModifyVolume", volumeID=14, access="replicationTarget")
    send(b, "CompleteVolumePairing", volume_key)
    pair_volumes(a, 5, b, 5)
    paired = send(a, "ListActivePairedVolumes")["volumes"]
    assert {v["volumeID"] for v in paired} == {5, 14}
    send(b, "ListActivePairedVolumes")
    send(a, "ModifyVolumePair")
    send(a, "RemoveVolumePair")
    a.call("RemoveVolumePair", volumeID=14)
    send(a, "RemoveClusterPair")


def test_the_shape_check_catches_differences():
    with pytest.raises(AssertionError):
        assert_same_shape({"a": 1}, {"a": "1"})
    with pytest.raises(AssertionError):
        assert_same_shape({"a": 1}, {"a": 1, "b": 2})
    with pytest.raises(AssertionError):
        assert_same_shape({"a": [{"x": True}]}, {"a": [{"x": 1}]})
