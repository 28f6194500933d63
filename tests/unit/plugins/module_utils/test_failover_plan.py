# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The failover planner for every combination of access, pause and health."""

from __future__ import annotations

import pytest

from ansible_collections.element.replication.plugins.module_utils._argspec import PairSpec
from ansible_collections.element.replication.plugins.module_utils._errors import Refusal
from ansible_collections.element.replication.plugins.module_utils._failover import MARK, plan_planned, plan_unplanned
from ansible_collections.element.replication.plugins.module_utils._plan import LOCAL, PEER
from ansible_collections.element.replication.tests.unit.plugins.module_utils.builders import (
    DR, cluster, pair_entry, paired_clusters, volume)

RW, RT = "readWrite", "replicationTarget"


def world(a_access, b_access, a_state="Active", b_state="Active", status="Connected"):
    return paired_clusters([volume(10, "db01", a_access, 100, pair_entry(1, 40, "db01", "vp", "Async", a_state))],
                           [volume(40, "db01", b_access, 100, pair_entry(7, 10, "db01", "vp", "Async", b_state))],
                           status=status)


SPEC = [PairSpec(index=1, volume="db01")]


def calls(plan):
    return [(a.side, a.method, a.params) for a in plan.actions]


def test_planned_failover_demotes_first_then_promotes_with_access_changes_alone():
    # As Cinder's _failover_volume: no pause, so no stop leaves a pause that looks like a hand's.
    plan = plan_planned(*world(RW, RT), SPEC, primary=PEER)
    assert calls(plan) == [
        (LOCAL, "ModifyVolumes", {"volumeIDs": [10], "access": RT}),
        (PEER, "ModifyVolumes", {"volumeIDs": [40], "access": RW}),
    ]


def test_a_move_stopped_after_its_demote_is_finished_without_force():
    # The demote leaves both sides targets: the pair shows PausedMisconfigured, no pause of anyone.
    plan = plan_planned(*world(RT, RT, "PausedMisconfigured", "PausedMisconfigured"), SPEC, primary=PEER)
    assert calls(plan) == [(PEER, "ModifyVolumes", {"volumeIDs": [40], "access": RW})]
    # The failback stopped at the same point finishes towards its own primary.
    plan = plan_planned(*world(RT, RT, "PausedMisconfigured", "PausedMisconfigured"), SPEC, primary=LOCAL)
    assert calls(plan) == [(LOCAL, "ModifyVolumes", {"volumeIDs": [10], "access": RW})]


def test_a_move_stopped_after_its_promote_has_nothing_left_to_do():
    assert calls(plan_planned(*world(RT, RW, "ResumingConnected", "ResumingConnected"), SPEC, primary=PEER)) == []


def test_already_in_the_asked_direction_is_a_no_op():
    assert calls(plan_planned(*world(RW, RT), SPEC, primary=LOCAL)) == []
    assert calls(plan_planned(*world(RT, RW), SPEC, primary=PEER)) == []


def test_left_over_pause_is_lifted():
    plan = plan_planned(*world(RT, RW, "PausedManual", "PausedManualRemote"), SPEC, primary=PEER)
    assert calls(plan) == [(LOCAL, "ModifyVolumePair", {"volumeID": 10, "pausedManual": False})]


def test_failover_stopped_half_way_is_finished():
    plan = plan_planned(*world(RT, RT, "PausedManual", "PausedManualRemote"), SPEC, primary=PEER)
    assert calls(plan) == [(PEER, "ModifyVolumes", {"volumeIDs": [40], "access": RW}),
                           (LOCAL, "ModifyVolumePair", {"volumeID": 10, "pausedManual": False})]


def test_reprotect_after_an_unplanned_failover():
    # dr was promoted and paused on its side while prod was lost; prod came back readWrite.
    plan = plan_planned(*world(RW, RW, "PausedManualRemote", "PausedManual"), SPEC, primary=PEER)
    assert calls(plan) == [(LOCAL, "ModifyVolumes", {"volumeIDs": [10], "access": RT}),
                           (PEER, "ModifyVolumePair", {"volumeID": 40, "pausedManual": False})]


@pytest.mark.parametrize("state, message", [
    (dict(a_state="PausedManual", b_state="PausedManualRemote"), "state PausedManual on prod"),
    (dict(a_state="ResumingDataTransfer"), "not healthy and caught up"),
    (dict(status="Disconnected", a_state="PausedDisconnected", b_state="PausedDisconnected"), "cluster pair not connected"),
])
def test_unhealthy_pairs_refuse_the_whole_failover(state, message):
    with pytest.raises(Refusal, match=message):
        plan_planned(*world(RW, RT, **state), SPEC, primary=PEER)
    assert calls(plan_planned(*world(RW, RT, **state), SPEC, primary=PEER, force=True))[0][1] == "ModifyVolumes"


def test_split_brain_without_the_failover_signature_is_refused():
    with pytest.raises(Refusal, match="both db01 on dr / db01 on prod are readWrite and neither shows the mark"):
        plan_planned(*world(RW, RW, "PausedMisconfigured", "PausedMisconfigured"), SPEC, primary=PEER)


def test_unpaired_volumes_are_refused():
    a, b = world(RW, RT)
    lonely = cluster(DR, b.cluster_pairs, [volume(40, "db01", RT, 100)])
    with pytest.raises(Refusal, match="are not a complete volume pair"):
        plan_planned(a, lonely, SPEC, primary=PEER)


MARKED = {"volumeIDs": [40], "attributes": {MARK: "dr"}}


def test_unplanned_failover_promotes_the_survivor_only_then_marks_it():
    _a, b = world(RW, RT, b_state="PausedDisconnected")
    plan = plan_unplanned(b, PEER, SPEC)
    assert calls(plan) == [(PEER, "ModifyVolumes", {"volumeIDs": [40], "access": RW}),
                           (PEER, "ModifyVolumes", MARKED)]
    _a, promoted = world(RW, RW, b_state="PausedDisconnected")
    promoted.volumes[0].attributes[MARK] = "dr"
    assert calls(plan_unplanned(promoted, PEER, SPEC)) == []


def test_an_unplanned_failover_stopped_before_its_mark_is_finished_by_a_rerun():
    _a, promoted = world(RW, RW, b_state="PausedDisconnected")
    assert calls(plan_unplanned(promoted, PEER, SPEC)) == [(PEER, "ModifyVolumes", MARKED)]


def test_the_mark_is_merged_into_other_tools_attributes_and_volumes_alike_share_a_call():
    survivor = cluster(DR, world(RW, RT)[1].cluster_pairs, [
        volume(40, "db01", RT, 100, pair_entry(7, 10, "db01", "vp1")),
        volume(41, "db02", RT, 100, pair_entry(7, 11, "db02", "vp2")),
        volume(42, "db03", RT, 100, pair_entry(7, 12, "db03", "vp3"))])
    survivor.volumes[2].attributes.update(uuid="cinder-volume-3")
    specs = [PairSpec(index=i, peer_volume=name) for i, name in enumerate(("db01", "db02", "db03"), start=1)]
    plan = plan_unplanned(survivor, PEER, specs)
    assert calls(plan)[1:] == [(PEER, "ModifyVolumes", {"volumeIDs": [40, 41], "attributes": {MARK: "dr"}}),
                               (PEER, "ModifyVolumes", {"volumeIDs": [42], "attributes": {
                                   "uuid": "cinder-volume-3", MARK: "dr"}})]


def test_a_split_is_reprotected_by_the_mark_and_the_mark_removed_after():
    prod, dr = world(RW, RW, "PausedMisconfigured", "PausedMisconfigured")
    dr.volumes[0].attributes.update({MARK: "dr", "uuid": "kept"})
    plan = plan_planned(prod, dr, SPEC, primary=PEER)
    assert calls(plan) == [(LOCAL, "ModifyVolumes", {"volumeIDs": [10], "access": RT}),
                           (PEER, "ModifyVolumes", {"volumeIDs": [40], "attributes": {"uuid": "kept"}})]
    back = plan_planned(prod, dr, SPEC, primary=LOCAL)  # a failback: towards the survivor first
    assert back.items[0].staged and calls(back)[0] == (LOCAL, "ModifyVolumes", {"volumeIDs": [10], "access": RT})


def test_unplanned_failover_finds_the_volume_by_peer_name():
    _a, b = world(RW, RT)
    plan = plan_unplanned(b, PEER, [PairSpec(index=1, peer_volume="db01")])
    assert plan.items[0].volumes[PEER].volume_id == 40


def test_failback_after_an_unplanned_failover_reprotects_towards_the_survivor_first():
    # dr took over while prod was lost (paused on dr's side); prod is back, both readWrite; the
    # failback to prod first makes prod dr's target, so dr's newer writes flow back before the move.
    plan = plan_planned(*world(RW, RW, "PausedManualRemote", "PausedManual"), SPEC, primary=LOCAL)
    assert calls(plan) == [(LOCAL, "ModifyVolumes", {"volumeIDs": [10], "access": RT}),
                           (PEER, "ModifyVolumePair", {"volumeID": 40, "pausedManual": False})]
    assert plan.items[0].staged and "the move to prod follows once the pair is Active" in plan.items[0].changes[0]


PAUSED_SPEC = [PairSpec(index=1, volume="db01", paused=True)]


def test_a_declared_pause_catches_up_first_instead_of_refusing():
    # prod -> dr, declared paused (PausedManual on prod's side): resume it; the move comes once Active.
    plan = plan_planned(*world(RW, RT, "PausedManual", "PausedManualRemote"), PAUSED_SPEC, primary=PEER)
    assert calls(plan) == [(LOCAL, "ModifyVolumePair", {"volumeID": 10, "pausedManual": False})]
    assert plan.items[0].catch_up == [LOCAL]


def test_check_mode_plans_the_catch_up_the_move_and_the_pause_again_at_once():
    plan = plan_planned(*world(RW, RT, "PausedManual", "PausedManualRemote"), PAUSED_SPEC, primary=PEER,
                        assume_caught_up=True)
    assert calls(plan) == [
        (LOCAL, "ModifyVolumePair", {"volumeID": 10, "pausedManual": False}),  # catch up
        (LOCAL, "ModifyVolumes", {"volumeIDs": [10], "access": RT}),
        (PEER, "ModifyVolumes", {"volumeIDs": [40], "access": RW}),
        (PEER, "ModifyVolumePair", {"volumeID": 40, "pausedManual": True}),    # paused again, as declared
    ]


def test_a_caught_up_declared_pause_moves_and_is_paused_again_on_the_new_source():
    plan = plan_planned(*world(RW, RT), PAUSED_SPEC, primary=PEER, force=True)
    assert calls(plan)[-1:] == [(PEER, "ModifyVolumePair", {"volumeID": 40, "pausedManual": True})]


def test_a_declared_pause_in_place_after_the_move_is_a_no_op():
    assert calls(plan_planned(*world(RT, RW, "PausedManualRemote", "PausedManual"), PAUSED_SPEC, primary=PEER)) == []


def test_a_pause_that_is_not_declared_is_still_refused():
    with pytest.raises(Refusal, match="not healthy and caught up"):
        plan_planned(*world(RW, RT, "PausedManual", "PausedManualRemote"), SPEC, primary=PEER)


def test_a_declared_pause_that_is_disconnected_is_still_refused():
    with pytest.raises(Refusal, match="cluster pair not connected"):
        plan_planned(*world(RW, RT, "PausedManual", "PausedManualRemote", status="Disconnected"), PAUSED_SPEC,
                     primary=PEER)


def renamed_world():
    """db01 on prod replicates to db01-replica on dr."""
    return paired_clusters([volume(10, "db01", RW, 100, pair_entry(1, 40, "db01-replica", "vp"))],
                           [volume(40, "db01-replica", RT, 100, pair_entry(7, 10, "db01", "vp"))])


def test_the_peer_volume_is_the_one_the_pair_points_at():
    plan = plan_planned(*renamed_world(), SPEC, primary=PEER)
    assert (PEER, "ModifyVolumes", {"volumeIDs": [40], "access": RW}) in calls(plan)
    assert plan.items[0].notes == ["peer volume db01-replica (ID 40) is the one the pair of db01 points at"]


def test_unplanned_finds_the_survivor_s_volume_by_its_pair():
    _prod, dr = renamed_world()
    plan = plan_unplanned(dr, PEER, SPEC)
    assert calls(plan) == [(PEER, "ModifyVolumes", {"volumeIDs": [40], "access": RW}),
                           (PEER, "ModifyVolumes", MARKED)]
    assert "db01-replica (ID 40)" in plan.items[0].notes[0]
