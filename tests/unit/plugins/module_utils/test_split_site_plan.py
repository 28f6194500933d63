# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Split-site planners and key files."""

from __future__ import annotations

import json
import os
import stat

import pytest

from ansible_collections.element.replication.plugins.module_utils._argspec import PairSpec
from ansible_collections.element.replication.plugins.module_utils._element import decode_key
from ansible_collections.element.replication.plugins.module_utils._errors import Refusal
from ansible_collections.element.replication.plugins.module_utils._split_site import (
    plan_cluster_complete, plan_cluster_start, plan_volume_complete, plan_volume_start, read_key_file, write_key_file)
from ansible_collections.element.replication.tests.unit.plugins.module_utils.builders import (
    DR, PROD, cluster, cluster_pair, pair_entry, pending_cluster_pair, volume)

KEY = {"clusterPairID": 3, "clusterPairUUID": "u-new", "clusterUniqueID": "aaaa", "mvip": "10.0.0.1", "name": "prod"}


def methods(plan):
    return [(a.method, a.params) for a in plan.actions]


def test_start_replaces_pending_pairs():
    plan = plan_cluster_start(cluster(PROD, [pending_cluster_pair(1), pending_cluster_pair(2)]))
    assert [m[0] for m in methods(plan)] == ["RemoveClusterPair", "RemoveClusterPair", "StartClusterPairing"]


def test_start_is_a_no_op_when_already_connected_to_the_named_peer():
    for reference in ("dr", "bbbb", "10.0.0.2"):
        assert methods(plan_cluster_start(cluster(PROD, [cluster_pair(1, DR, uuid="u1")]), peer_cluster=reference)) == []


def test_start_replaces_a_misconfigured_pair_and_refuses_a_disconnected_one():
    plan = plan_cluster_start(cluster(PROD, [cluster_pair(1, DR, "Misconfigured", uuid="u1")]), peer_cluster="dr")
    assert methods(plan)[0] == ("RemoveClusterPair", {"clusterPairID": 1})
    with pytest.raises(Refusal, match="Disconnected"):
        plan_cluster_start(cluster(PROD, [cluster_pair(1, DR, "Disconnected", uuid="u1")]), peer_cluster="dr")


def test_complete_is_a_no_op_when_the_pair_exists():
    b = cluster(DR, [cluster_pair(7, PROD, uuid="u-new")])
    assert methods(plan_cluster_complete(b, KEY)) == []


def test_complete_replaces_a_stale_half_and_refuses_a_key_of_its_own():
    b = cluster(DR, [cluster_pair(7, PROD, "Misconfigured", uuid="u1")])
    assert [m[0] for m in methods(plan_cluster_complete(b, KEY))] == ["RemoveClusterPair", "CompleteClusterPairing"]
    with pytest.raises(Refusal, match="made by prod itself"):
        plan_cluster_complete(cluster(PROD), KEY)


def test_key_file_is_private_and_round_trips(tmp_path):
    path = tmp_path / "keys"
    write_key_file(str(path), {"cluster_pairing_key": "7b7d"})
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert read_key_file(str(path))["cluster_pairing_key"] == "7b7d"
    (tmp_path / "other").write_text(json.dumps({"cluster_pairing_key": "x"}))
    with pytest.raises(Refusal, match="not a pairing key file"):
        read_key_file(str(tmp_path / "other"))


def test_bad_keys_are_refused_without_echoing_them():
    with pytest.raises(Refusal) as refusal:
        decode_key("zz-not-hex-secret", ("name",))
    assert "zz-not-hex-secret" not in str(refusal.value)


def test_volume_start_skips_complete_pairs_and_restarts_broken_ones():
    a = cluster(PROD, volumes=(
        volume(1, "v1", pair=pair_entry(1, 40, "v1", "u1", "Async", "Active")),
        volume(2, "v2", pair=pair_entry(0, 0, "", "u2", "Async", "PausedMisconfigured")),
        volume(3, "v3", pair=pair_entry(1, 42, "v3", "u3", "Async", "StoppedMisconfigured")),
        volume(4, "v4")))
    items = plan_volume_start(a, [PairSpec(index=i, volume="v%d" % i) for i in (1, 2, 3, 4)])
    assert [[x.method for x in i.actions] for i in items] == [
        [], ["RemoveVolumePair", "StartVolumePairing"], ["RemoveVolumePair", "StartVolumePairing"], ["StartVolumePairing"]]


def test_volume_complete_matches_keys_by_source_volume():
    keys = {"v1": {"mvip": "10.0.0.1", "volumeID": 1, "volumeName": "v1", "volumePairUUID": "u1"}}
    b = cluster(DR, volumes=(volume(40, "v1"), volume(41, "v2")))
    first, second = plan_volume_complete(b, [PairSpec(index=1, volume="v1"), PairSpec(index=2, volume="v2")], keys)
    assert [a.method for a in first.actions] == ["CompleteVolumePairing"] and first.actions[0].params["volumeID"] == 40
    assert second.refusal == "no pairing key for pair 2 (volume v2) in the key file: run the start step for it"
