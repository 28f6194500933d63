# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""element_cluster_pair's main(), in-process, against two in-memory clusters."""

from __future__ import annotations

import json

import pytest

from ansible_collections.element.replication.plugins.modules import element_cluster_pair
from ansible_collections.element.replication.tests.unit.plugins.modules.fake_element import two_clusters
from ansible_collections.element.replication.tests.unit.plugins.modules.utils import (
    KEY_PASSWORD, PASSWORD, PEER_PASSWORD, ModuleRun, connection)

READS = {"GetClusterInfo", "ListClusterPairs"}


@pytest.fixture
def world():
    network, prod, dr = two_clusters()
    return ModuleRun(network), prod, dr


def args(prod, dr, **extra):
    return dict(connection(prod), peer=connection(dr, password=PEER_PASSWORD), **extra)


def assert_no_secrets(result, *keys):
    text = json.dumps(result)
    for secret in (PASSWORD, PEER_PASSWORD, KEY_PASSWORD) + keys:
        assert secret not in text


def test_check_mode_plans_and_changes_nothing(world):
    run, prod, dr = world
    result = run(element_cluster_pair, args(prod, dr), check_mode=True, diff=True)
    assert result["changed"] is True
    assert run.mutating() == []
    assert {method for _cluster, method in run.calls()} <= READS
    assert [(a["cluster"], a["method"]) for a in result["actions"]] == [
        ("prod", "StartClusterPairing"), ("dr", "CompleteClusterPairing")]
    assert result["actions"][1]["params"]["clusterPairingKey"] == "********"
    assert result["cluster_pair"] == {}
    assert result["diff"]["after"]["local"]["pairs"][0]["cluster_pair_id"] == "(new)"
    assert prod.cluster_pairs == [] and dr.cluster_pairs == []


def test_pairs_with_exactly_the_expected_calls_then_is_a_no_op(world):
    run, prod, dr = world
    result = run(element_cluster_pair, args(prod, dr))
    assert result["changed"] is True
    assert run.mutating() == [("prod", "StartClusterPairing"), ("dr", "CompleteClusterPairing")]
    assert [a["method"] for a in result["actions"]] == ["StartClusterPairing", "CompleteClusterPairing"]
    pair = result["cluster_pair"]
    assert (pair["local_name"], pair["peer_name"], pair["local_status"], pair["peer_status"]) == (
        "prod", "dr", "Connected", "Connected")
    assert pair["cluster_pair_uuid"] == prod.cluster_pairs[0]["clusterPairUUID"] == dr.cluster_pairs[0]["clusterPairUUID"]
    assert all(c.closed for c in run.clients)

    again = run(element_cluster_pair, args(prod, dr))
    assert again["changed"] is False
    assert run.mutating() == []
    assert again["actions"] == []
    assert again["cluster_pair"] == pair


def test_unpair_removes_both_entries(world):
    run, prod, dr = world
    run(element_cluster_pair, args(prod, dr))
    result = run(element_cluster_pair, args(prod, dr, state="absent"))
    assert result["changed"] is True
    assert sorted(run.mutating()) == [("dr", "RemoveClusterPair"), ("prod", "RemoveClusterPair")]
    assert prod.cluster_pairs == [] and dr.cluster_pairs == []
    assert run(element_cluster_pair, args(prod, dr, state="absent"))["changed"] is False
    assert run.mutating() == []


def test_element_error_names_cluster_method_and_error_and_rolls_back(world):
    run, prod, dr = world
    dr.fail("CompleteClusterPairing", "xClusterPairingFailed", "the clusters cannot reach each other")
    result = run(element_cluster_pair, args(prod, dr))
    assert result["failed"] is True
    assert "dr" in result["msg"] and "10.0.0.2" in result["msg"]
    assert "CompleteClusterPairing" in result["msg"]
    assert "xClusterPairingFailed" in result["msg"] and "cannot reach each other" in result["msg"]
    assert result["error"]["method"] == "CompleteClusterPairing"
    assert result["error"]["error_name"] == "xClusterPairingFailed"
    # the pending pair the start made was removed again
    assert run.mutating() == [("prod", "StartClusterPairing"), ("dr", "CompleteClusterPairing"),
                              ("prod", "RemoveClusterPair")]
    assert prod.cluster_pairs == []
    assert_no_secrets(result)


def test_secrets_stay_out_of_results(world):
    run, prod, dr = world
    keys = []
    original = prod.StartClusterPairing

    def start():
        answer = original()
        keys.append(answer["clusterPairingKey"])
        return answer
    prod.StartClusterPairing = start
    result = run(element_cluster_pair, args(prod, dr), diff=True)
    assert keys and result["changed"] is True
    assert_no_secrets(result, keys[0])


def test_key_quoted_in_an_error_is_scrubbed(world):
    run, prod, dr = world
    original = prod.StartClusterPairing
    keys = []

    def start():
        answer = original()
        keys.append(answer["clusterPairingKey"])
        dr.fail("CompleteClusterPairing", "xInvalidParameter", "bad key %s" % answer["clusterPairingKey"])
        return answer
    prod.StartClusterPairing = start
    result = run(element_cluster_pair, args(prod, dr))
    assert result["failed"] is True
    assert "xInvalidParameter" in result["msg"]
    assert_no_secrets(result, keys[0])
