# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""element_volume_pair's main(), in-process, against two in-memory clusters."""

from __future__ import annotations

import json

import pytest

from ansible_collections.element.replication.plugins.modules import element_cluster_pair, element_volume_pair
from ansible_collections.element.replication.tests.unit.plugins.modules.fake_element import two_clusters
from ansible_collections.element.replication.tests.unit.plugins.modules.utils import (
    KEY_PASSWORD, PASSWORD, PEER_PASSWORD, ModuleRun, connection)


@pytest.fixture
def world():
    """prod and dr paired; db01 on both, not yet a volume pair."""
    network, prod, dr = two_clusters()
    run = ModuleRun(network)
    assert run(element_cluster_pair, args(prod, dr))["changed"] is True
    return run, prod, dr


def args(prod, dr, **extra):
    return dict(connection(prod), peer=connection(dr, password=PEER_PASSWORD), **extra)


def test_check_mode_plans_and_changes_nothing(world):
    run, prod, dr = world
    result = run(element_volume_pair, args(prod, dr, volume="db01", paused=True), check_mode=True, diff=True)
    assert result["changed"] is True
    assert run.mutating() == []
    assert [(a["cluster"], a["method"]) for a in result["actions"]] == [
        ("prod", "StartVolumePairing"), ("dr", "CompleteVolumePairing"), ("dr", "ModifyVolumes"),
        ("prod", "ModifyVolumePair")]
    assert result["actions"][1]["params"]["volumePairingKey"] == "********"
    entry = result["volume_pairs"][0]
    assert entry["changed"] is True and entry["failed"] is False
    assert entry["changes"] == ["paired db01 on prod with db01 on dr (Async)",
                                "set access of target db01 to replicationTarget", "paused replication"]
    assert result["diff"]["before"]["volume_pairs"][0]["paired"] is False
    assert result["diff"]["after"]["volume_pairs"][0]["paired"] is True
    assert prod.volumes[11]["volumePairs"] == [] and dr.volumes[21]["access"] == "readWrite"


def test_pairs_with_exactly_the_expected_calls_then_is_a_no_op(world):
    run, prod, dr = world
    result = run(element_volume_pair, args(prod, dr, volume="db01", mode="Sync"))
    assert result["changed"] is True
    assert run.mutating() == [("prod", "StartVolumePairing"), ("dr", "CompleteVolumePairing"),
                              ("dr", "ModifyVolumes")]
    entry = result["volume_pairs"][0]
    assert (entry["paired"], entry["mode"], entry["source_volume_id"], entry["target_volume_id"]) == (True, "Sync", 11, 21)
    assert (entry["source_access"], entry["target_access"]) == ("readWrite", "replicationTarget")
    assert dr.volumes[21]["access"] == "replicationTarget"

    again = run(element_volume_pair, args(prod, dr, volume="db01", mode="Sync"))
    assert again["changed"] is False
    assert run.mutating() == []
    assert again["actions"] == [] and again["volume_pairs"][0]["changes"] == []


def test_pause_of_an_existing_pair_is_one_call(world):
    run, prod, dr = world
    run(element_volume_pair, args(prod, dr, volume="db01"))
    result = run(element_volume_pair, args(prod, dr, volume="db01", paused=True))
    assert result["changed"] is True
    assert run.mutating() == [("prod", "ModifyVolumePair")]
    assert result["volume_pairs"][0]["paused"] is True
    assert run(element_volume_pair, args(prod, dr, volume="db01", paused=True))["changed"] is False


def test_element_error_names_cluster_method_and_error(world):
    run, prod, dr = world
    dr.fail("ModifyVolumes", "xVolumeAccessDenied", "access cannot change while the volume is busy")
    result = run(element_volume_pair, args(prod, dr, volume="db01"))
    assert result["failed"] is True
    assert result["msg"].startswith("1 of 1 pairs failed: ")
    for part in ("dr (10.0.0.2:443)", "ModifyVolumes", "xVolumeAccessDenied", "while the volume is busy"):
        assert part in result["msg"]
    entry = result["volume_pairs"][0]
    assert entry["failed"] is True and "xVolumeAccessDenied" in entry["msg"]
    # the pairing itself was done and is reported as done
    assert [a["method"] for a in result["actions"]] == ["StartVolumePairing", "CompleteVolumePairing"]


def test_secrets_stay_out_of_results(world):
    run, prod, dr = world
    keys = []
    original = prod.StartVolumePairing

    def start(**params):
        answer = original(**params)
        keys.append(answer["volumePairingKey"])
        return answer
    prod.StartVolumePairing = start
    result = run(element_volume_pair, args(prod, dr, volume="db01"), diff=True)
    assert keys and result["changed"] is True
    text = json.dumps(result)
    for secret in (PASSWORD, PEER_PASSWORD, KEY_PASSWORD, keys[0]):
        assert secret not in text


def test_not_paired_clusters_fail_without_a_call(world):
    run, prod, dr = world
    run(element_cluster_pair, args(prod, dr, state="absent"))
    result = run(element_volume_pair, args(prod, dr, volume="db01"))
    assert result["failed"] is True
    assert "clusters prod and dr are not paired" in result["msg"]
    assert run.mutating() == []
