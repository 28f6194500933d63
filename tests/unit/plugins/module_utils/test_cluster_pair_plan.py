# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The cluster pair planner, for every combination of what the two clusters list."""

from __future__ import annotations

import pytest

from ansible_collections.element.replication.plugins.module_utils._cluster_pair import plan_cluster_pair, predicted_view, removals
from ansible_collections.element.replication.plugins.module_utils._element import match_pair
from ansible_collections.element.replication.plugins.module_utils._errors import Refusal
from ansible_collections.element.replication.plugins.module_utils._plan import KEY_FROM_START, LOCAL, PEER
from ansible_collections.element.replication.tests.unit.plugins.module_utils.builders import (
    DR as B, cluster, cluster_pair, identity, pending_cluster_pair as pending)

A = identity("prod", "aaaa", "10.0.0.1", address="prod.example.com:443")
C = identity("other", "cccc", "10.0.0.3")


def calls(plan):
    return [(a.side, a.method, a.params) for a in plan.actions]


PAIR = [(LOCAL, "StartClusterPairing", {}), (PEER, "CompleteClusterPairing", {"clusterPairingKey": KEY_FROM_START})]


def test_unpaired_clusters_get_paired_in_two_calls():
    plan = plan_cluster_pair(cluster(A), cluster(B), "present")
    assert calls(plan) == PAIR
    assert plan.pair_needed and plan.repairs == []


def test_paired_clusters_need_nothing():
    plan = plan_cluster_pair(cluster(A, [cluster_pair(1, B, uuid="u1")]),
                             cluster(B, [cluster_pair(7, A, uuid="u1")]), "present")
    assert calls(plan) == [] and not plan.pair_needed


def test_pair_is_found_by_identity_not_by_address():
    # The peer lists this cluster under an MVIP that differs from the address the task used.
    moved = identity("prod", "aaaa", "192.168.9.9", address="prod:8443")
    entry_on_b = cluster_pair(7, A, uuid="u1")  # names prod at 10.0.0.1
    plan = plan_cluster_pair(cluster(moved, [cluster_pair(1, B, uuid="u1")]), cluster(B, [entry_on_b]), "present")
    assert calls(plan) == []


def test_disconnected_pair_is_still_the_pair():
    plan = plan_cluster_pair(cluster(A, [cluster_pair(1, B, "Disconnected", uuid="u1")]),
                             cluster(B, [cluster_pair(7, A, uuid="u1")]), "present")
    assert calls(plan) == []


def test_pending_pair_on_this_cluster_is_removed_then_paired_anew():
    plan = plan_cluster_pair(cluster(A, [pending(3)]), cluster(B), "present")
    assert calls(plan) == [(LOCAL, "RemoveClusterPair", {"clusterPairID": 3})] + PAIR
    assert plan.repairs == ["removed pending pair 3 (started, never completed) on prod"]


def test_several_pending_pairs_on_both_sides_are_all_removed():
    plan = plan_cluster_pair(cluster(A, [pending(3), pending(4)]), cluster(B, [pending(9)]), "present")
    assert calls(plan)[:3] == [(LOCAL, "RemoveClusterPair", {"clusterPairID": 3}),
                               (LOCAL, "RemoveClusterPair", {"clusterPairID": 4}),
                               (PEER, "RemoveClusterPair", {"clusterPairID": 9})]
    assert calls(plan)[3:] == PAIR
    assert len(plan.repairs) == 3


def test_pending_pair_beside_a_good_pair_is_removed_without_pairing_again():
    plan = plan_cluster_pair(cluster(A, [cluster_pair(1, B, uuid="u1"), pending(2)]),
                             cluster(B, [cluster_pair(7, A, uuid="u1")]), "present")
    assert calls(plan) == [(LOCAL, "RemoveClusterPair", {"clusterPairID": 2})]


def test_half_listed_on_this_cluster_only_is_removed_then_paired_anew():
    plan = plan_cluster_pair(cluster(A, [cluster_pair(1, B, uuid="u1")]), cluster(B), "present")
    assert calls(plan) == [(LOCAL, "RemoveClusterPair", {"clusterPairID": 1})] + PAIR
    assert "removed pair 1 with dr" in plan.repairs[0]


def test_half_listed_on_the_peer_only_is_removed_then_paired_anew():
    plan = plan_cluster_pair(cluster(A), cluster(B, [cluster_pair(7, A, "Misconfigured", uuid="u1")]), "present")
    assert calls(plan) == [(PEER, "RemoveClusterPair", {"clusterPairID": 7})] + PAIR


def test_halves_with_different_uuids_are_two_stale_halves():
    plan = plan_cluster_pair(cluster(A, [cluster_pair(1, B, uuid="u1")]),
                             cluster(B, [cluster_pair(7, A, uuid="u2")]), "present")
    assert calls(plan) == [(LOCAL, "RemoveClusterPair", {"clusterPairID": 1}),
                           (PEER, "RemoveClusterPair", {"clusterPairID": 7})] + PAIR


def test_duplicate_pairs_keep_the_connected_one():
    a = cluster(A, [cluster_pair(1, B, "Disconnected", uuid="u1"), cluster_pair(2, B, uuid="u2")])
    b = cluster(B, [cluster_pair(7, A, "Disconnected", uuid="u1"), cluster_pair(8, A, uuid="u2")])
    match = match_pair(a, b)
    assert (match.local.pair_id, match.peer.pair_id) == (2, 8)
    plan = plan_cluster_pair(a, b, "present")
    assert calls(plan) == [(LOCAL, "RemoveClusterPair", {"clusterPairID": 1}),
                           (PEER, "RemoveClusterPair", {"clusterPairID": 7})]


def test_pairs_with_other_clusters_are_left_alone():
    plan = plan_cluster_pair(cluster(A, [cluster_pair(1, C, uuid="x1")]),
                             cluster(B, [cluster_pair(5, C, uuid="x2")]), "present")
    assert calls(plan) == PAIR


def test_pairing_a_cluster_with_itself_is_refused():
    same = identity("prod", "aaaa", "10.0.0.1")
    with pytest.raises(Refusal, match="cannot pair cluster prod with itself.*prod.example.com:443 and 10.0.0.1:443"):
        plan_cluster_pair(cluster(A), cluster(same), "present")


@pytest.mark.parametrize("side", [LOCAL, PEER])
def test_a_fifth_cluster_pair_is_refused_listing_the_four(side):
    others = [identity("c%d" % i, "c%03d" % i) for i in range(4)]
    full = tuple(cluster_pair(i + 1, o, uuid="f%d" % i) for i, o in enumerate(others))
    a = cluster(A, full) if side == LOCAL else cluster(A)
    b = cluster(B, full) if side == PEER else cluster(B)
    name = "prod" if side == LOCAL else "dr"
    with pytest.raises(Refusal) as refusal:
        plan_cluster_pair(a, b, "present")
    assert "cluster %s already has the maximum of 4 cluster pairs" % name in str(refusal.value)
    assert all("pair %d with c%d" % (i + 1, i) in str(refusal.value) for i in range(4))


def test_pending_pairs_count_towards_the_limit_but_are_removed_first():
    a = cluster(A, [cluster_pair(1, C, uuid="x1"), pending(2), pending(3), pending(4)])
    plan = plan_cluster_pair(a, cluster(B), "present")
    assert [c[1] for c in calls(plan)] == ["RemoveClusterPair"] * 3 + ["StartClusterPairing", "CompleteClusterPairing"]


def test_repairing_a_stale_half_still_used_by_volume_pairs_is_refused():
    refs = {(LOCAL, 1): ["db01 (ID 5)"]}
    with pytest.raises(Refusal, match="volume pairs.*db01 \\(ID 5\\)"):
        plan_cluster_pair(cluster(A, [cluster_pair(1, B, uuid="u1")]), cluster(B), "present", refs)


def test_absent_removes_both_halves():
    plan = plan_cluster_pair(cluster(A, [cluster_pair(1, B, uuid="u1")]),
                             cluster(B, [cluster_pair(7, A, uuid="u1")]), "absent")
    assert calls(plan) == [(LOCAL, "RemoveClusterPair", {"clusterPairID": 1}),
                           (PEER, "RemoveClusterPair", {"clusterPairID": 7})]
    assert plan.repairs == []


def test_absent_with_nothing_paired_is_a_no_op():
    assert calls(plan_cluster_pair(cluster(A, [cluster_pair(1, C, uuid="x1")]), cluster(B), "absent")) == []


@pytest.mark.parametrize("a_pairs, b_pairs, expected", [
    ((), (cluster_pair(7, A, uuid="u1"),), [(PEER, "RemoveClusterPair", {"clusterPairID": 7})]),
    ((cluster_pair(1, B, uuid="u1"),), (), [(LOCAL, "RemoveClusterPair", {"clusterPairID": 1})]),
    ((pending(2),), (pending(3),), [(LOCAL, "RemoveClusterPair", {"clusterPairID": 2}),
                                    (PEER, "RemoveClusterPair", {"clusterPairID": 3})]),
])
def test_absent_converges_when_one_side_is_already_gone(a_pairs, b_pairs, expected):
    assert calls(plan_cluster_pair(cluster(A, a_pairs), cluster(B, b_pairs), "absent")) == expected


def test_absent_is_refused_while_volume_pairs_use_the_pair():
    refs = {(LOCAL, 1): ["db01 (ID 5)", "db02 (ID 6)"], (PEER, 7): ["db01 (ID 40)"]}
    with pytest.raises(Refusal) as refusal:
        plan_cluster_pair(cluster(A, [cluster_pair(1, B, uuid="u1")]), cluster(B, [cluster_pair(7, A, uuid="u1")]), "absent", refs)
    text = str(refusal.value)
    assert "cannot unpair clusters prod and dr" in text
    assert "db01 (ID 5), db02 (ID 6)" in text and "db01 (ID 40)" in text
    assert "element.replication.element_volume_pair" in text


def test_removals_lists_only_completed_entries_for_the_volume_check():
    a = cluster(A, [cluster_pair(1, B, uuid="u1"), pending(2)])
    completed = [(side, e.pair_id) for side, e in removals(a, cluster(B), "present") if not e.pending]
    assert completed == [(LOCAL, 1)]


def test_predicted_view_shows_the_new_pair_and_no_removed_entries():
    a, b = cluster(A, [pending(3)]), cluster(B, [cluster_pair(7, A, uuid="u9")])
    plan = plan_cluster_pair(a, b, "present")
    view = predicted_view(a, b, plan)
    assert view["local"]["pending_pairs"] == []
    assert view["local"]["pairs"] == [{"cluster_pair_id": "(new)", "cluster_pair_uuid": "(new)", "status": "Connected"}]
    assert view["peer"]["pairs"] == [{"cluster_pair_id": "(new)", "cluster_pair_uuid": "(new)", "status": "Connected"}]


def test_plan_reports_no_secret():
    plan = plan_cluster_pair(cluster(A), cluster(B), "present")
    reported = [a.to_result({LOCAL: "prod", PEER: "dr"}) for a in plan.actions]
    assert reported[1]["params"] == {"clusterPairingKey": "********"}
    assert reported[1]["cluster"] == "dr"
