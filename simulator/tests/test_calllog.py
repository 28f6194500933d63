"""The call log: content, redaction, clearing, and no secrets anywhere (spec: Call log)."""

import glob
import json
import os

import requests

import element_sim.cluster  # noqa: F401  (importing it registers every method)
from element_sim import MUTATING_METHODS
from element_sim.calllog import REDACTED, REDACTED_PARAM_NAMES
from element_sim.rpc import REGISTRY
from helpers import decode_key, error_of


def test_entries_record_every_call(sim):
    a = sim.clusters[0]
    a.clear_calls()
    a.call("GetClusterInfo")
    a.call("CreateVolume", name="logged", accountID=1, totalSize=2 ** 30, enable512e=True)
    error_of(a, "GetAccountByID", accountID=12345)
    requests.post(a.url + "/json-rpc/12.5", json={"method": "ListAccounts"},
                  auth=("admin", "wrong"), verify=a.ca_cert, timeout=10)
    requests.post(a.url + "/json-rpc/99.0", json={"method": "ListAccounts"},
                  auth=(a.username, a.password), verify=a.ca_cert, timeout=10)
    calls = a.calls()
    assert [(c["method"], c["outcome"], c["mutating"]) for c in calls] == [
        ("GetClusterInfo", "ok", False),
        ("CreateVolume", "ok", True),
        ("GetAccountByID", "xUnknownAccount", False),
        ("ListAccounts", "http_401", False),
        ("ListAccounts", "http_404", False)]
    assert all(c["caller"] == "client" and isinstance(c["time"], float) for c in calls)
    assert all(c["started"] <= c["time"] for c in calls)
    assert calls[1]["params"]["name"] == "logged"
    assert [c["method"] for c in a.mutating_calls()] == ["CreateVolume"]
    with open(os.path.join(sim.state_dir, f"calls-{a.name}.jsonl"), encoding="utf-8") as f:
        assert [json.loads(line) for line in f] == calls


def test_clear_empties_memory_and_file(sim):
    a = sim.clusters[0]
    a.call("GetAPI")
    a.clear_calls()
    assert a.calls() == []
    assert os.path.getsize(os.path.join(sim.state_dir, f"calls-{a.name}.jsonl")) == 0
    a.call("GetAPI")
    assert [c["method"] for c in a.calls()] == ["GetAPI"]


def test_mutating_methods_are_registered_methods():
    assert MUTATING_METHODS <= set(REGISTRY)
    for name in ("CreateVolume", "ModifyVolumePair", "CompleteClusterPairing", "RemoveVolumePair"):
        assert name in MUTATING_METHODS
    for name in ("ListVolumes", "GetAPI", "ListClusterPairs", "ListActivePairedVolumes"):
        assert name not in MUTATING_METHODS


def test_redaction_list():
    assert {"password", "clusterpairingkey", "volumepairingkey", "initiatorsecret",
            "targetsecret"} <= REDACTED_PARAM_NAMES


def test_no_secret_reaches_any_log(sim):
    a, b = sim.clusters
    secrets = {a.password, b.password, "initiator-S3cret", "target-S3cret99"}
    a.call("AddAccount", username="secretive", initiatorSecret="initiator-S3cret",
           targetSecret="target-S3cret99")
    key = a.call("StartClusterPairing")["clusterPairingKey"]
    fields = decode_key(key)
    secrets |= {key, fields["username"], fields["password"]}
    b.call("CompleteClusterPairing", clusterPairingKey=key)
    secrets.add(key.upper())
    assert error_of(b, "CompleteClusterPairing", clusterPairingKey=key.upper()) \
        == "xInvalidPairingKey"  # failing calls are logged (and redacted) too
    volume_key = a.call("StartVolumePairing", volumeID=1)["volumePairingKey"]
    secrets.add(volume_key)
    b.call("ModifyVolume", volumeID=1, access="replicationTarget")
    b.call("CompleteVolumePairing", volumeID=1, volumePairingKey=volume_key)
    b.call("ListClusterPairs")  # peer calls with the other side's pairing credentials
    a.call("GetAPI", password="not-a-real-param")  # an unknown param with a secret's name
    secrets.add("not-a-real-param")
    sim.stop()  # flush and close everything, then look at every file written

    redacted_params = []
    for cluster in (a, b):
        with open(os.path.join(sim.state_dir, f"calls-{cluster.name}.jsonl"),
                  encoding="utf-8") as f:
            entries = [json.loads(line) for line in f]
        redacted_params += [e["params"] for e in entries if REDACTED in json.dumps(e["params"])]
    by_method = {json.dumps(p, sort_keys=True) for p in redacted_params}
    assert any('"clusterPairingKey": "********"' in p for p in by_method)
    assert any('"volumePairingKey": "********"' in p for p in by_method)
    assert any('"initiatorSecret": "********"' in p and '"targetSecret": "********"' in p
               for p in by_method)

    logs = glob.glob(os.path.join(sim.state_dir, "calls-*.jsonl")) + [
        os.path.join(sim.state_dir, "sim.log"), sim.output_file]
    for path in logs:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for secret in secrets:
            assert secret not in text, f"a secret leaked into {os.path.basename(path)}"
        assert "__SF_pair_" not in text


def test_http_output_is_redacted_too(sim):
    a, b = sim.clusters
    key = a.call("StartClusterPairing")["clusterPairingKey"]
    b.call("CompleteClusterPairing", clusterPairingKey=key)
    for cluster in (a, b):
        raw = cluster.session.get(f"{cluster.url}/sim/calls?include_peer=1", timeout=10).text
        assert key not in raw and decode_key(key)["password"] not in raw
        assert "__SF_pair_" not in raw


def test_include_peer_shows_cluster_to_cluster_calls(sim):
    a, b = sim.clusters
    key = a.call("StartClusterPairing")["clusterPairingKey"]
    b.call("CompleteClusterPairing", clusterPairingKey=key)
    b.clear_calls()
    a.call("ListClusterPairs")  # a asks b for its view of the pair
    assert b.calls() == []
    (peer_call,) = b.calls(include_peer=True)
    assert (peer_call["method"], peer_call["caller"], peer_call["mutating"]) == (
        "SimPeerView", "peer", False)
