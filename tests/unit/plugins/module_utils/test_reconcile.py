# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Reconciling both clusters' views into healthy / pending / one-sided / mismatched."""

from __future__ import annotations

import pytest

from ansible_collections.element.replication.plugins.module_utils._reconcile import (
    cluster_pair_facts, reconcile, volume_pair_facts)
from ansible_collections.element.replication.tests.unit.plugins.module_utils.builders import (
    DR as B, GIB, PROD as A, cluster, cluster_pair, pair_entry, pending_cluster_pair, volume)


def entry(cluster_pair_id, remote_id, state="Active", mode="Async", uuid="vp-1"):
    return pair_entry(cluster_pair_id, remote_id, "remote", uuid, mode, state)


def world(a_vols, b_vols, a_status="Connected", b_status="Connected", a_pairs=None, b_pairs=None):
    a = cluster(A, a_pairs if a_pairs is not None else (cluster_pair(1, B, a_status),), a_vols)
    b = cluster(B, b_pairs if b_pairs is not None else (cluster_pair(7, A, b_status),), b_vols)
    return a, b


def healthy_pair(**changes):
    source = dict(volume_id=10, name="db01", access="readWrite", pair=entry(1, 40))
    target = dict(volume_id=40, name="db01", access="replicationTarget", pair=entry(7, 10))
    for key, value in changes.items():
        side, _sep, field = key.partition("_")
        (source if side == "s" else target)[field] = value
    return [volume(**source)], [volume(**target)]


def test_healthy_pair():
    result = reconcile(*world(*healthy_pair()))
    assert result["cluster_pair"]["health"] == "healthy"
    [record] = result["volume_pairs"]
    assert record["health"] == "healthy" and record["reasons"] == []
    assert (record["source_cluster"], record["source_volume_id"], record["target_cluster"], record["target_volume_id"]) == (
        "prod", 10, "dr", 40)
    assert result["summary"] == {"healthy": 1, "pending": 0, "one-sided": 0, "mismatched": 0}


def test_source_is_the_read_write_side_even_when_it_is_the_peer():
    a, b = healthy_pair(s_access="replicationTarget", t_access="readWrite")
    [record] = reconcile(*world(a, b))["volume_pairs"]
    assert record["source_cluster"] == "dr" and record["target_cluster"] == "prod" and record["health"] == "healthy"


@pytest.mark.parametrize("changes, reason", [
    (dict(t_pair=entry(7, 10, mode="Sync")), "mode differs between sides: Async on prod, Sync on dr"),
    (dict(s_pair=entry(1, 40, state="PausedManual"), t_pair=entry(7, 10, state="PausedManualRemote")),
     "replication is paused by hand on prod (db01)"),
    (dict(t_access="readWrite", s_pair=entry(1, 40, state="PausedMisconfigured"),
          t_pair=entry(7, 10, state="PausedMisconfigured")), "wrong access: db01 on prod is readWrite and db01 on dr is readWrite"),
    (dict(t_size=GIB // 2, s_pair=entry(1, 40, state="PausedVolumeSizeMismatch")),
     "target db01 on dr is smaller than source db01 on prod"),
])
def test_mismatches_are_explained(changes, reason):
    [record] = reconcile(*world(*healthy_pair(**changes)))["volume_pairs"]
    assert record["health"] == "mismatched"
    assert any(r.startswith(reason) for r in record["reasons"]), record["reasons"]


def test_disconnected_cluster_pair_makes_volume_pairs_mismatched():
    a, b = healthy_pair(s_pair=entry(1, 40, state="PausedDisconnected"), t_pair=entry(7, 10, state="PausedDisconnected"))
    result = reconcile(*world(a, b, a_status="Disconnected", b_status="Disconnected"))
    assert result["cluster_pair"]["health"] == "mismatched"
    assert "cluster pair is Disconnected on prod" in result["cluster_pair"]["reasons"]
    assert result["volume_pairs"][0]["reasons"][0].startswith("Disconnected: cluster pair is Disconnected on prod")


def test_one_sided_pair_names_the_side_and_the_missing_half():
    a, b = healthy_pair(s_pair=entry(1, 40, state="StoppedMisconfigured"), t_pair=None)
    [record] = reconcile(*world(a, b))["volume_pairs"]
    assert record["health"] == "one-sided"
    assert "only prod lists pair vp-1 for db01: the remote volume remote (ID 40) on dr no longer lists the pair" in record["reasons"][0]
    assert record["source_volume_id"] == 10 and record["target_volume_id"] == 40


def test_one_sided_pair_whose_remote_volume_is_gone():
    a, _b = healthy_pair(s_pair=entry(1, 40, state="StoppedMisconfigured"))
    [record] = reconcile(*world(a, []))["volume_pairs"]
    assert "the remote volume ID 40 on dr does not exist" in record["reasons"][0]


def test_pending_volume_pair():
    pending = pair_entry(0, 0, "", "vp-p", "Async", "PausedMisconfigured")
    [record] = reconcile(*world([volume(10, "db01", "readWrite", pair=pending)], []))["volume_pairs"]
    assert record["health"] == "pending" and "started on prod and never completed" in record["reasons"][0]


@pytest.mark.parametrize("a_pairs, b_pairs, health", [
    ((), (), "absent"),
    ((cluster_pair(1, B),), (), "one-sided"),
    ((pending_cluster_pair(3),), (), "pending"),
])
def test_cluster_pair_health(a_pairs, b_pairs, health):
    result = reconcile(*world([], [], a_pairs=a_pairs, b_pairs=b_pairs))
    assert result["cluster_pair"]["health"] == health and result["cluster_pair"]["reasons"]


def test_facts_are_snake_case_and_carry_no_secret():
    a, _b = world(*healthy_pair())
    facts = cluster_pair_facts(a) + volume_pair_facts(a)
    for fact in facts:
        assert all(k == k.lower() for k in fact)
        assert not any("key" in k or "password" in k for k in fact)
    assert volume_pair_facts(a)[0]["remote_cluster_name"] == "dr"
