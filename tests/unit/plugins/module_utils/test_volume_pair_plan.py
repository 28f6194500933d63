# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The volume pair planner: every relation between two volumes, bulk plans, exclusive."""

from __future__ import annotations

import pytest

from ansible_collections.element.replication.plugins.module_utils._argspec import PairSpec
from ansible_collections.element.replication.plugins.module_utils._element import MODIFY_VOLUMES_CHUNK
from ansible_collections.element.replication.plugins.module_utils._errors import Refusal
from ansible_collections.element.replication.plugins.module_utils._plan import LOCAL, PEER
from ansible_collections.element.replication.plugins.module_utils._volume_pair import (
    Options, item_view, plan_volume_pairs, predicted_view)
from ansible_collections.element.replication.tests.unit.plugins.module_utils.builders import (
    DR as B, GIB, PROD as A, account as new_account, cluster, cluster_pair, identity, pair_entry, paired_clusters,
    pending_pair_entry as pending_entry, volume)

C = identity("other", "cccc", "10.0.0.3")
A_PAIR, B_PAIR = 1, 7  # each cluster's ID for the cluster pair between A and B
QOS = {"minIOPS": 50, "maxIOPS": 1000, "burstIOPS": 2000, "curve": {}}


def vol(volume_id, name, access="readWrite", size=GIB, pair=None, account=1, e512=True):
    return volume(volume_id, name, access, size, pair, account, enable512e=e512, qos=QOS)


def clusters(a_volumes, b_volumes, connected=True, paired=True, accounts=None):
    if not paired:
        return cluster(A, (), a_volumes, accounts), cluster(B, (), b_volumes, accounts)
    return paired_clusters(a_volumes, b_volumes, "Connected" if connected else "Disconnected", a_pair=A_PAIR,
                           b_pair=B_PAIR, accounts=accounts)


def spec(index=1, **kwargs):
    kwargs.setdefault("volume", "db01")
    return PairSpec(index=index, **kwargs)


def calls(plan):
    return [(a.side, a.method, dict(a.params)) for a in plan.actions]


def paired(state_a="Active", state_b="Active", mode_a="Async", mode_b="Async", target_access="replicationTarget"):
    return ([vol(10, "db01", pair=pair_entry(A_PAIR, 40, state=state_a, mode=mode_a))],
            [vol(40, "db01", access=target_access, pair=pair_entry(B_PAIR, 10, state=state_b, mode=mode_b))])


NEW_PAIR = [
    (LOCAL, "StartVolumePairing", {"volumeID": 10, "mode": "Async"}),
    (PEER, "CompleteVolumePairing", {"volumeID": 40, "volumePairingKey": "<key returned by the StartVolumePairing above>"}),
    (PEER, "ModifyVolumes", {"volumeIDs": [40], "access": "replicationTarget"}),
]


def test_new_pair_is_start_complete_and_target_access():
    plan = plan_volume_pairs(*clusters([vol(10, "db01")], [vol(40, "db01")]), [spec()])
    assert calls(plan) == NEW_PAIR
    assert plan.items[0].changes == ["paired db01 on prod with db01 on dr (Async)",
                                     "set access of target db01 to replicationTarget"]


def test_target_already_replication_target_needs_no_access_call():
    plan = plan_volume_pairs(*clusters([vol(10, "db01")], [vol(40, "db01", access="replicationTarget")]),
                             [spec(mode="Sync")])
    assert [c[1] for c in calls(plan)] == ["StartVolumePairing", "CompleteVolumePairing"]
    assert calls(plan)[0][2]["mode"] == "Sync"


def test_new_paused_pair_is_paused_after_pairing():
    plan = plan_volume_pairs(*clusters([vol(10, "db01")], [vol(40, "db01")]), [spec(paused=True)])
    assert calls(plan)[-1] == (LOCAL, "ModifyVolumePair", {"volumeID": 10, "pausedManual": True})


def test_complete_pair_in_the_declared_state_needs_nothing():
    plan = plan_volume_pairs(*clusters(*paired()), [spec()])
    assert calls(plan) == [] and plan.items[0].refusal is None


def test_target_is_looked_up_on_the_peer_not_on_the_source():
    # The source cluster also has a volume called "dr-copy": it must not be taken for the target.
    a = [vol(10, "db01"), vol(11, "dr-copy")]
    b = [vol(40, "dr-copy")]
    plan = plan_volume_pairs(*clusters(a, b), [spec(peer_volume="dr-copy")])
    assert calls(plan)[1][2]["volumeID"] == 40


def test_mode_drift_is_fixed_on_the_source():
    plan = plan_volume_pairs(*clusters(*paired()), [spec(mode="Sync")])
    assert calls(plan) == [(LOCAL, "ModifyVolumePair", {"volumeID": 10, "mode": "Sync"})]
    assert plan.items[0].changes == ["mode Async -> Sync"]


def test_mode_differing_between_sides_is_synchronised():
    plan = plan_volume_pairs(*clusters(*paired(mode_b="Sync")), [spec()])
    assert calls(plan) == [(LOCAL, "ModifyVolumePair", {"volumeID": 10, "mode": "Async"})]


@pytest.mark.parametrize("state_a, state_b, paused, expected", [
    ("Active", "Active", True, [(LOCAL, "ModifyVolumePair", {"volumeID": 10, "pausedManual": True})]),
    ("PausedManual", "PausedManualRemote", False, [(LOCAL, "ModifyVolumePair", {"volumeID": 10, "pausedManual": False})]),
    ("PausedManualRemote", "PausedManual", False, [(PEER, "ModifyVolumePair", {"volumeID": 40, "pausedManual": False})]),
    ("PausedManual", "PausedManualRemote", True, []),
])
def test_pause_drift(state_a, state_b, paused, expected):
    plan = plan_volume_pairs(*clusters(*paired(state_a, state_b)), [spec(paused=paused)])
    assert calls(plan) == expected


def test_mode_and_pause_drift_are_one_call():
    plan = plan_volume_pairs(*clusters(*paired()), [spec(mode="snapshotsonly".title().replace("only", "Only"), paused=True)])
    assert calls(plan) == [(LOCAL, "ModifyVolumePair", {"volumeID": 10, "mode": "SnapshotsOnly", "pausedManual": True})]


def test_wrong_target_access_on_an_existing_pair_is_fixed():
    plan = plan_volume_pairs(*clusters(*paired(target_access="readOnly")), [spec()])
    assert calls(plan) == [(PEER, "ModifyVolumes", {"volumeIDs": [40], "access": "replicationTarget"})]


def test_read_write_target_of_a_fresh_pair_is_made_the_replication_target():
    plan = plan_volume_pairs(*clusters(*paired("PausedMisconfigured", "PausedMisconfigured", target_access="readWrite")),
                             [spec()])
    assert calls(plan) == [(PEER, "ModifyVolumes", {"volumeIDs": [40], "access": "replicationTarget"})]


def test_read_write_target_paused_on_its_side_is_refused_as_failed_over():
    plan = plan_volume_pairs(*clusters(*paired("PausedManualRemote", "PausedManual", target_access="readWrite")),
                             [spec()])
    assert calls(plan) == []
    assert "db01 on dr is readWrite and paused on its side, as an unplanned failover leaves it" in plan.items[0].refusal


def test_bulk_access_step_leaves_out_failed_items():
    a = [vol(i, "v%d" % i) for i in (1, 2, 3)]
    b = [vol(10 + i, "v%d" % i) for i in (1, 2, 3)]
    plan = plan_volume_pairs(*clusters(a, b), [spec(i, volume="v%d" % i) for i in (1, 2, 3)])
    [access] = [step for name, steps in plan.phases if name == "access" for step in steps]
    left = access.without({2})
    assert left.items == (1, 3) and left.actions[0].params["volumeIDs"] == [11, 13]
    assert access.without({1, 2, 3}) is None and access.without(set()) is access


def test_reversed_pair_is_refused():
    a, b = paired()
    a = [vol(10, "db01", access="replicationTarget", pair=a[0].pair)]
    b = [vol(40, "db01", access="readWrite", pair=b[0].pair)]
    plan = plan_volume_pairs(*clusters(a, b), [spec()])
    assert "is reversed" in plan.items[0].refusal and calls(plan) == []


def test_pending_pair_on_the_source_is_removed_and_paired_anew():
    plan = plan_volume_pairs(*clusters([vol(10, "db01", pair=pending_entry())], [vol(40, "db01")]), [spec()])
    assert calls(plan) == [(LOCAL, "RemoveVolumePair", {"volumeID": 10})] + NEW_PAIR
    assert plan.items[0].repairs == ["removed the pending half of a broken pair of volume db01 on prod"]


def test_pending_pair_started_by_a_concurrent_run_is_waited_for():
    a, b = clusters([vol(10, "db01", pair=pending_entry("vp-new"))], [vol(40, "db01")])
    plan = plan_volume_pairs(a, b, [spec()], known_pending={(LOCAL, 10, "vp-old")})
    assert calls(plan) == [] and "another run is pairing volume db01" in plan.items[0].deferred


def test_pending_pair_seen_at_the_first_read_is_removed():
    a, b = clusters([vol(10, "db01", pair=pending_entry("vp-old"))], [vol(40, "db01")])
    plan = plan_volume_pairs(a, b, [spec()], known_pending={(LOCAL, 10, "vp-old")})
    assert calls(plan)[0] == (LOCAL, "RemoveVolumePair", {"volumeID": 10})


def test_one_sided_pair_on_the_source_is_removed_and_paired_anew():
    a = [vol(10, "db01", pair=pair_entry(A_PAIR, 40, state="StoppedMisconfigured"))]
    plan = plan_volume_pairs(*clusters(a, [vol(40, "db01")]), [spec()])
    assert calls(plan) == [(LOCAL, "RemoveVolumePair", {"volumeID": 10})] + NEW_PAIR


def test_one_sided_pair_on_the_target_is_removed_and_paired_anew():
    b = [vol(40, "db01", access="replicationTarget", pair=pair_entry(B_PAIR, 10, state="StoppedMisconfigured"))]
    plan = plan_volume_pairs(*clusters([vol(10, "db01")], b), [spec()])
    assert calls(plan) == [(PEER, "RemoveVolumePair", {"volumeID": 40})] + NEW_PAIR[:2]


def test_halves_with_different_uuids_are_both_removed():
    a = [vol(10, "db01", pair=pair_entry(A_PAIR, 40, uuid="vp-1"))]
    b = [vol(40, "db01", pair=pair_entry(B_PAIR, 10, uuid="vp-2"))]
    plan = plan_volume_pairs(*clusters(a, b), [spec()])
    assert calls(plan)[:2] == [(LOCAL, "RemoveVolumePair", {"volumeID": 10}), (PEER, "RemoveVolumePair", {"volumeID": 40})]


def test_source_paired_with_another_volume_is_refused():
    a = [vol(10, "db01", pair=pair_entry(A_PAIR, 41, remote_name="other"))]
    plan = plan_volume_pairs(*clusters(a, [vol(40, "db01"), vol(41, "other")]), [spec()])
    assert calls(plan) == []
    assert plan.items[0].refusal.startswith(
        "source volume db01 (ID 10) on cluster prod is already paired with volume other (ID 41) on cluster dr")


def test_target_paired_with_another_volume_is_refused():
    b = [vol(40, "db01", pair=pair_entry(B_PAIR, 11, remote_name="db02"))]
    plan = plan_volume_pairs(*clusters([vol(10, "db01"), vol(11, "db02")], b), [spec()])
    assert "target volume db01 (ID 40) on cluster dr is already paired with volume db02 (ID 11)" in plan.items[0].refusal


def test_source_paired_through_a_third_cluster_is_refused():
    a = [vol(10, "db01", pair=pair_entry(9, 77, remote_name="x"))]
    a_state, b_state = clusters(a, [vol(40, "db01")])
    a_state = cluster(A, a_state.cluster_pairs + (cluster_pair(9, C, uuid="cp-ac"),), a_state.volumes)
    plan = plan_volume_pairs(a_state, b_state, [spec()])
    assert "already paired with volume x (ID 77) on cluster other" in plan.items[0].refusal


@pytest.mark.parametrize("source, target, message", [
    (vol(10, "db01", size=2 * GIB), vol(40, "db01", size=GIB), "is smaller than the source"),
    (vol(10, "db01", e512=True), vol(40, "db01", e512=False), "enable512e=False"),
    (vol(10, "db01", access="replicationTarget"), vol(40, "db01"), "has access replicationTarget, not readWrite"),
])
def test_unsafe_new_pairs_are_refused(source, target, message):
    plan = plan_volume_pairs(*clusters([source], [target]), [spec()])
    assert message in plan.items[0].refusal and calls(plan) == []


def test_bigger_target_is_fine():
    plan = plan_volume_pairs(*clusters([vol(10, "db01")], [vol(40, "db01", size=2 * GIB)]), [spec()])
    assert plan.items[0].refusal is None and len(calls(plan)) == 3


@pytest.mark.parametrize("a_vols, b_vols, item, message", [
    ([], [vol(40, "db01")], spec(), "source volume 'db01' not found on cluster prod"),
    ([vol(10, "db01")], [], spec(), "target volume 'db01' not found on cluster dr"),
    ([vol(10, "db01")], [vol(40, "db01")], spec(volume=None, volume_id=99), "source volume ID 99 not found on cluster prod"),
    ([vol(10, "db01")], [vol(40, "db01")], spec(peer_volume_id=98), "target volume ID 98 not found on cluster dr"),
    ([vol(10, "db01"), vol(11, "db01"), vol(12, "db01")], [vol(40, "db01")], spec(),
     "source volume name 'db01' matches 3 volumes on cluster prod (IDs 10, 11, 12)"),
    ([vol(10, "db01")], [vol(40, "db01")], spec(account="nobody"), "account 'nobody' not found on cluster prod"),
])
def test_bad_references_are_refused_naming_cluster_and_volume(a_vols, b_vols, item, message):
    plan = plan_volume_pairs(*clusters(a_vols, b_vols, accounts=(new_account(1, "tenant"),)), [item])
    assert plan.items[0].refusal.startswith(message) and calls(plan) == []


def test_account_narrows_an_ambiguous_name():
    a = [vol(10, "db01", account=1), vol(11, "db01", account=2)]
    plan = plan_volume_pairs(*clusters(a, [vol(40, "db01")], accounts=(new_account(1, "t1"), new_account(2, "t2"))),
                             [spec(account="t2")])
    assert calls(plan)[0][2]["volumeID"] == 11


def test_no_cluster_pair_is_refused_pointing_at_the_cluster_pair_module():
    plan = plan_volume_pairs(*clusters([vol(10, "db01")], [vol(40, "db01")], paired=False), [spec()])
    assert "not paired: pair them first with element.replication.element_cluster_pair" in plan.items[0].refusal


def test_disconnected_cluster_pair_refuses_new_pairs_but_not_converged_ones():
    a, b = paired()
    plan = plan_volume_pairs(*clusters(a + [vol(11, "db02")], b + [vol(41, "db02")], connected=False),
                             [spec(), spec(2, volume="db02")])
    assert plan.items[0].refusal is None
    assert "is not connected (status Disconnected on prod" in plan.items[1].refusal


def test_one_failing_item_does_not_stop_the_others():
    plan = plan_volume_pairs(*clusters([vol(10, "db01"), vol(11, "db02")], [vol(41, "db02")]),
                             [spec(), spec(2, volume="db02")])
    assert plan.items[0].refusal and plan.items[1].refusal is None
    assert [c[1] for c in calls(plan)] == ["StartVolumePairing", "CompleteVolumePairing", "ModifyVolumes"]


def test_the_same_volume_in_two_items_refuses_the_whole_request():
    with pytest.raises(Refusal) as refused:
        plan_volume_pairs(*clusters([vol(10, "db01"), vol(11, "db02")], [vol(40, "db01")]),
                          [spec(), spec(2, volume="db02", peer_volume="db01")])
    assert str(refused.value) == (
        "the pairs contradict each other (a volume can be in one pair only), nothing was changed: target volume "
        "db01 (ID 40) on dr is used by pair 1 (volume db01) and pair 2 (volume db02)")


def test_every_contradiction_is_named():
    with pytest.raises(Refusal) as refused:
        plan_volume_pairs(*clusters([vol(5, "vol-0005"), vol(6, "vol-0006"), vol(7, "vol-0007")],
                                    [vol(45, "vol-0005"), vol(46, "vol-0006"), vol(47, "vol-0007")]),
                          [spec(1, volume="vol-0005"), spec(2, volume="vol-0005", peer_volume="vol-0006"),
                           spec(3, volume="vol-0007"), spec(4, volume="vol-0006", peer_volume="vol-0007")])
    message = str(refused.value)
    assert "source volume vol-0005 (ID 5) on prod is used by pair 1 (volume vol-0005) and pair 2" in message
    assert "vol-0006 (ID" not in message
    assert "target volume vol-0007 (ID 47) on dr is used by pair 3 (volume vol-0007) and pair 4" in message


def test_bulk_plan_groups_calls_by_phase_and_chunks_target_access():
    count = MODIFY_VOLUMES_CHUNK + 3
    a = [vol(i, "v%d" % i) for i in range(1, count + 1)]
    b = [vol(1000 + i, "v%d" % i) for i in range(1, count + 1)]
    plan = plan_volume_pairs(*clusters(a, b), [spec(i, volume="v%d" % i) for i in range(1, count + 1)])
    methods = [c[1] for c in calls(plan)]
    assert methods.count("StartVolumePairing") == count and methods.count("CompleteVolumePairing") == count
    assert methods.count("ModifyVolumes") == 2
    assert methods.index("ModifyVolumes") > max(i for i, m in enumerate(methods) if m == "CompleteVolumePairing")
    assert len(calls(plan)) <= 3 * count


def test_absent_removes_both_halves():
    plan = plan_volume_pairs(*clusters(*paired()), [spec(state="absent")])
    assert calls(plan) == [(LOCAL, "RemoveVolumePair", {"volumeID": 10}), (PEER, "RemoveVolumePair", {"volumeID": 40})]


@pytest.mark.parametrize("a_vols, b_vols, expected", [
    ([vol(10, "db01", pair=pair_entry(A_PAIR, 40))], [vol(40, "db01")], [(LOCAL, "RemoveVolumePair", {"volumeID": 10})]),
    ([vol(10, "db01")], [vol(40, "db01", pair=pair_entry(B_PAIR, 10))], [(PEER, "RemoveVolumePair", {"volumeID": 40})]),
    ([], [vol(40, "db01", pair=pair_entry(B_PAIR, 10))], [(PEER, "RemoveVolumePair", {"volumeID": 40})]),
    ([vol(10, "db01")], [vol(40, "db01")], []),
    ([], [], []),
])
def test_absent_converges_when_either_side_is_gone(a_vols, b_vols, expected):
    plan = plan_volume_pairs(*clusters(a_vols, b_vols), [spec(state="absent")])
    assert calls(plan) == expected and plan.items[0].refusal is None


def test_absent_leaves_a_pair_with_another_volume_alone():
    a = [vol(10, "db01", pair=pair_entry(A_PAIR, 41))]
    plan = plan_volume_pairs(*clusters(a, [vol(40, "db01"), vol(41, "x", pair=pair_entry(B_PAIR, 10))]), [spec(state="absent")])
    assert calls(plan) == []


def test_exclusive_removes_undeclared_pairs_in_this_direction_only():
    a_decl, b_decl = paired()
    undeclared_a = vol(11, "old", pair=pair_entry(A_PAIR, 41, uuid="vp-2"))
    undeclared_b = vol(41, "old", access="replicationTarget", pair=pair_entry(B_PAIR, 11, uuid="vp-2"))
    reverse_a = vol(12, "back", access="replicationTarget", pair=pair_entry(A_PAIR, 42, uuid="vp-3"))
    reverse_b = vol(42, "back", pair=pair_entry(B_PAIR, 12, uuid="vp-3"))
    plan = plan_volume_pairs(*clusters(a_decl + [undeclared_a, reverse_a], b_decl + [undeclared_b, reverse_b]),
                             [spec()], Options(exclusive=True))
    assert calls(plan) == [(LOCAL, "RemoveVolumePair", {"volumeID": 11}), (PEER, "RemoveVolumePair", {"volumeID": 41})]


def test_exclusive_removes_nothing_when_an_item_is_refused():
    a_decl, b_decl = paired()
    undeclared_a = vol(11, "old", pair=pair_entry(A_PAIR, 41, uuid="vp-2"))
    plan = plan_volume_pairs(*clusters(a_decl + [undeclared_a], b_decl), [spec(volume="db01-typo")],
                             Options(exclusive=True))
    assert calls(plan) == []


def test_create_target_creates_a_matching_volume_in_the_peer_account():
    accounts = (new_account(5, "dr-tenant"),)
    plan = plan_volume_pairs(*clusters([vol(10, "db01", size=3 * GIB)], [], accounts=accounts),
                             [spec(peer_account="dr-tenant")], Options(create_target=True))
    methods = calls(plan)
    assert methods[0] == (PEER, "CreateVolume", {"name": "db01", "accountID": 5, "totalSize": 3 * GIB,
                                                 "enable512e": True,
                                                 "qos": {"minIOPS": 50, "maxIOPS": 1000, "burstIOPS": 2000}})
    assert methods[2][2]["volumeID"] == "<ID of the new volume db01>"
    assert methods[3] == (PEER, "ModifyVolumes", {"volumeIDs": ["<ID of the new volume db01>"], "access": "replicationTarget"})


def test_create_target_needs_peer_account():
    plan = plan_volume_pairs(*clusters([vol(10, "db01")], [], accounts=()), [spec()], Options(create_target=True))
    assert "create_target needs peer_account" in plan.items[0].refusal


def test_views_before_and_predicted():
    a, b = clusters([vol(10, "db01")], [vol(40, "db01")])
    plan = plan_volume_pairs(a, b, [spec(mode="Sync")])
    before = item_view(plan.items[0], a, b)
    after = predicted_view(plan.items[0], a, b)
    assert before["paired"] is False and before["target_access"] == "readWrite"
    assert after["paired"] is True and after["mode"] == "Sync" and after["target_access"] == "replicationTarget"
    assert after["source_state"] == "Active"


def test_absent_for_a_missing_source_keeps_the_target_pair_with_another_volume():
    a = [vol(11, "db01-new", pair=pair_entry(A_PAIR, 40))]
    b = [vol(40, "db01", access="replicationTarget", pair=pair_entry(B_PAIR, 11))]
    plan = plan_volume_pairs(*clusters(a, b), [spec(state="absent")])
    assert calls(plan) == []


def test_pending_pair_from_our_own_lost_start_is_removed():
    a, b = clusters([vol(10, "db01", pair=pending_entry("vp-unknown"))], [vol(40, "db01")])
    plan = plan_volume_pairs(a, b, [spec()], known_pending={(LOCAL, 10, "*")})
    assert calls(plan)[0] == (LOCAL, "RemoveVolumePair", {"volumeID": 10})


def test_check_mode_may_assume_the_cluster_pair_an_earlier_task_creates():
    a, b = clusters([vol(10, "db01")], [vol(40, "db01")], paired=False)
    assert plan_volume_pairs(a, b, [spec()]).items[0].refusal
    plan = plan_volume_pairs(a, b, [spec()], assume_cluster_pair=True)
    assert plan.items[0].refusal is None and calls(plan) == NEW_PAIR


def test_create_target_refuses_a_second_volume_of_a_name_that_exists_in_another_account():
    accounts = (new_account(1, "replication"), new_account(2, "dr-tenant"))
    plan = plan_volume_pairs(*clusters([vol(10, "db01")], [vol(40, "db01", account=1)], accounts=accounts),
                             [spec(peer_account="dr-tenant")], Options(create_target=True))
    assert calls(plan) == []
    assert plan.items[0].refusal == (
        "target volume 'db01' is not in account dr-tenant on cluster dr, but volume db01 (ID 40) exists there in "
        "account replication (ID 1): a new volume of the same name would make every look-up by name ambiguous; give "
        "the account that holds it as peer_account, or another name as peer_volume")


def test_a_deleted_target_is_named_as_deleted_and_restorable():
    prod, dr = clusters([vol(10, "db01")], [])
    trashed = volume(40, "db01", status="deleted", delete_time="2026-12-01T10:00:00Z",
                     purge_time="2026-12-01T18:00:00Z")
    dr = cluster(dr.identity, dr.cluster_pairs, (), deleted=(trashed,))
    plan = plan_volume_pairs(prod, dr, [spec()], Options(create_target=True))
    assert plan.items[0].refusal == (
        "target volume 'db01' on cluster dr is deleted (since 2026-12-01T10:00:00Z, purged at 2026-12-01T18:00:00Z): "
        "RestoreDeletedVolume with volumeID 40 brings it back")
    assert calls(plan) == [], "create_target does not create a namesake of a restorable volume"
