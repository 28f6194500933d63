# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The JSON-RPC client against a real HTTPS server: the Element simulator (with its faults). It runs
in-process, imported from this working tree (see conftest.py)."""

from __future__ import annotations

import pytest

from ansible_collections.element.replication.plugins.module_utils._client import ElementClient, SecretScrubber, split_host
from ansible_collections.element.replication.plugins.module_utils._element import redact_params
from ansible_collections.element.replication.plugins.module_utils._errors import ElementError
from element_sim import harness


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    sim = harness.SimulatorProcess(tmp_path_factory.mktemp("sim"), clusters=1, names=["unit"]).start()
    yield sim.cluster("unit")
    sim.stop()


@pytest.fixture
def clean(cluster):
    cluster.clear_faults()
    cluster.clear_calls()
    return cluster


def client_for(cluster, sleeps=None, **kwargs):
    options = dict(hostname=cluster.host, port=cluster.port, username=cluster.username, password=cluster.password,
                   ca_path=cluster.ca_cert, sleep=(sleeps.append if sleeps is not None else lambda s: None))
    options.update(kwargs)
    return ElementClient(**options)


def test_call_returns_the_result_object(clean):
    result = client_for(clean).call("GetClusterInfo")
    assert result["clusterInfo"]["uniqueID"] == clean.unique_id
    [call] = clean.calls()
    assert call["method"] == "GetClusterInfo" and call["outcome"] == "ok"


def test_element_error_carries_cluster_method_name_and_message(clean):
    client = client_for(clean)
    client.name = "unit"
    with pytest.raises(ElementError) as error:
        client.call("ModifyVolume", {"volumeID": 424242, "access": "readWrite"})
    exc = error.value
    assert (exc.kind, exc.name, exc.code, exc.method) == ("api", "xVolumeIDDoesNotExist", 500, "ModifyVolume")
    assert str(exc).startswith("cluster unit (127.0.0.1:%d): ModifyVolume failed: xVolumeIDDoesNotExist: " % clean.port)


def test_wrong_password_is_an_authentication_error(clean):
    with pytest.raises(ElementError) as error:
        client_for(clean, password="wrong-password-123").call("GetClusterInfo")
    assert error.value.kind == "auth"
    assert "authentication failed for user admin on cluster 127.0.0.1:%d" % clean.port in str(error.value)
    assert "wrong-password-123" not in str(error.value)


def test_unserved_api_version(clean):
    with pytest.raises(ElementError) as error:
        client_for(clean, api_version="99.0").call("GetClusterInfo")
    assert error.value.kind == "version" and "does not serve API version 99.0" in str(error.value)


def test_tls_is_verified_with_the_ca_and_fails_clearly_without_it(clean):
    assert client_for(clean).call("GetClusterInfo")
    with pytest.raises(ElementError) as error:
        client_for(clean, ca_path=None).call("GetClusterInfo")
    text = str(error.value)
    assert error.value.kind == "tls" and "TLS certificate verification failed for 127.0.0.1:%d" % clean.port in text
    assert "ca_path" in text and "validate_certs=false" in text
    assert client_for(clean, ca_path=None, validate_certs=False).call("GetClusterInfo")


def test_unreachable_host_is_not_ambiguous():
    client = ElementClient(hostname="127.0.0.1", port=9, username="u", password="p", timeout=2, sleep=lambda s: None)
    with pytest.raises(ElementError) as error:
        client.call("StartClusterPairing")
    assert error.value.kind == "connection" and error.value.ambiguous is False
    assert "cannot connect to 127.0.0.1:9" in str(error.value)


@pytest.mark.parametrize("fault", [
    dict(action="http_status", status=503),
    dict(action="http_status", status=502),
    dict(action="error", error="xDBVersionMismatch"),
    dict(action="error", error="xNotPrimary"),
    dict(action="drop_before"),
])
def test_reads_are_retried_on_transient_failures_with_capped_backoff(clean, fault):
    clean.add_fault("ListClusterPairs", count=3, **fault)
    sleeps = []
    result = client_for(clean, sleeps=sleeps, backoff=0.5, max_backoff=1.0).call("ListClusterPairs")
    assert result == {"clusterPairs": []}
    assert [c["method"] for c in clean.calls()] == ["ListClusterPairs"] * 4
    assert len(sleeps) == 3
    assert 0.25 <= sleeps[0] <= 0.5 and all(s <= 1.0 for s in sleeps), "backoff grows but stays capped"


def test_reads_give_up_after_the_retry_budget(clean):
    clean.add_fault("GetClusterInfo", "http_status", count=10, status=503)
    with pytest.raises(ElementError) as error:
        client_for(clean, retries=2).call("GetClusterInfo")
    assert error.value.code == 503 and len(clean.calls()) == 3


def test_mutating_calls_are_not_retried_and_a_lost_answer_is_ambiguous(clean):
    clean.add_fault("StartClusterPairing", "drop_after")
    with pytest.raises(ElementError) as error:
        client_for(clean).call("StartClusterPairing")
    assert error.value.ambiguous is True and error.value.kind == "connection"
    assert [c["method"] for c in clean.calls()] == ["StartClusterPairing"]
    # The call took effect although no answer came back: that is why callers read again.
    pending = [p for p in clean.cluster_pairs() if p["status"] == "Unconfigured"]
    assert len(pending) == 1
    clean.call("RemoveClusterPair", clusterPairID=pending[0]["clusterPairID"])


def test_a_busy_cluster_is_asked_again_mutating_calls_included(clean):
    """Issue 16: an answer that the cluster is busy (a transient xDB* error, HTTP 503) means the
    call was not applied: it is sent again after a backoff instead of failing the run."""
    clean.add_fault("StartClusterPairing", "error", error="xDBVersionMismatch")
    clean.add_fault("StartClusterPairing", "http_status", status=503)
    sleeps = []
    result = client_for(clean, sleeps=sleeps).call("StartClusterPairing")
    assert [c["outcome"] for c in clean.calls()] == ["xDBVersionMismatch", "http_503", "ok"]
    assert len(sleeps) == 2 and sleeps[1] > sleeps[0] * 0.9, "backs off between the attempts"
    assert [p["clusterPairID"] for p in clean.cluster_pairs()] == [result["clusterPairID"]], "applied once"
    clean.call("RemoveClusterPair", clusterPairID=result["clusterPairID"])


def test_a_cluster_busy_for_longer_than_the_retries_fails_clearly(clean):
    clean.add_fault("StartClusterPairing", "error", count=10, error="xDBConnectionLoss")
    with pytest.raises(ElementError) as error:
        client_for(clean, retries=2).call("StartClusterPairing")
    assert error.value.name == "xDBConnectionLoss" and error.value.ambiguous is False
    assert len(clean.calls()) == 3 and clean.cluster_pairs() == []


def test_read_timeout_names_the_timeout(clean):
    clean.add_fault("StartClusterPairing", "delay", seconds=3)
    with pytest.raises(ElementError) as error:
        client_for(clean, timeout=1).call("StartClusterPairing")
    assert error.value.kind == "timeout" and error.value.ambiguous is True
    assert "read timeout of 1 s (option timeout)" in str(error.value)
    for pair in clean.cluster_pairs():  # the delayed call still ran on the server
        clean.call("RemoveClusterPair", clusterPairID=pair["clusterPairID"])


def test_keep_alive_reuses_one_connection(clean):
    client = client_for(clean)
    for attempt in range(5):
        client.call("GetClusterInfo")
    pool = client.session.get_adapter(client.url).poolmanager
    assert sum(p.num_connections for p in pool.pools._container.values()) == 1


@pytest.mark.parametrize("typed, expected", [
    ("mvip.example.com", ("https", "mvip.example.com", 443)),
    ("10.0.0.1:8443", ("https", "10.0.0.1", 8443)),
    ("[fd00::1]:8443", ("https", "fd00::1", 8443)),
    ("fd00::1", ("https", "fd00::1", 443)),
    ("https://mvip.example.com/", ("https", "mvip.example.com", 443)),
    ("http://127.0.0.1:8080", ("http", "127.0.0.1", 8080)),
])
def test_split_host(typed, expected):
    assert split_host(typed, 443) == expected


def test_secrets_are_scrubbed_and_redacted():
    scrubber = SecretScrubber()
    scrubber.add("s3cret-password", "7b22636c7573746572", "abc")
    assert scrubber.scrub("bad s3cret-password and key 7b22636c7573746572") == "bad ******** and key ********"
    assert scrubber.scrub("abc stays: too short to be a secret") == "abc stays: too short to be a secret"
    assert redact_params({"clusterPairingKey": "7b22", "volumeID": 3}) == {"clusterPairingKey": "********", "volumeID": 3}


def test_an_unreachable_cluster_fails_fast_after_the_first_exhausted_call():
    sleeps = []
    client = ElementClient(hostname="127.0.0.1", port=9, username="u", password="p", timeout=2, sleep=sleeps.append)
    with pytest.raises(ElementError):
        client.call("GetClusterInfo")
    waited = len(sleeps)
    with pytest.raises(ElementError) as error:
        client.call("ListVolumes")
    assert len(sleeps) == waited, "no second round of retries"
    assert error.value.method == "ListVolumes" and "cannot connect to 127.0.0.1:9" in str(error.value)
