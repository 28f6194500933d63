# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The DR rehearsal planner: clone names, point in time, idempotence, cleanup by marker."""

from __future__ import annotations

import pytest

from ansible_collections.element.replication.plugins.module_utils._argspec import PairSpec
from ansible_collections.element.replication.plugins.module_utils._errors import Refusal
from ansible_collections.element.replication.plugins.module_utils._state import LagInputs, Snapshot
from ansible_collections.element.replication.plugins.module_utils._rehearsal import (
    ACCOUNT_MARKER, AUTO, LATEST, MARKER, NEW_ACCOUNT, SNAPSHOT, VOLUME_NAME_MAX, CloneID, Options, clone_name,
    every_target, plan_cleanup, plan_rehearsal, predicted_view)
from ansible_collections.element.replication.tests.unit.plugins.module_utils.builders import (
    DR, PROD, access_group, account, cluster, cluster_pair, identity, target, volume)

REHEARSAL_ACCOUNT = account(5, "element-rehearsal", **{ACCOUNT_MARKER: "rehearsal"})


def dr(volumes=(), accounts=(REHEARSAL_ACCOUNT,), deleted=()):
    """The DR cluster: paired with prod, holding the targets."""
    return cluster(DR, [cluster_pair(7, PROD)], volumes, accounts=accounts, deleted=deleted)


def targets(*names, mode="Async"):
    return [target(40 + n, name, 10 + n, mode=mode) for n, name in enumerate(names)]


def spec(index, name):
    return PairSpec(index=index, volume=name)


def snap(snapshot_id, volume_id, name, when, status="done"):
    return Snapshot(snapshot_id=snapshot_id, volume_id=volume_id, name=name, create_time=when,
                    create_time_text="2026-12-01T%02d:00:00Z" % (when // 3600), status=status, snapshot_uuid="s%d" % when)


def plan(state, specs, groups=(), snapshots=None, **options):
    options.setdefault("name", "q4")
    return plan_rehearsal(state, tuple(groups), snapshots, list(specs), Options(**options))


def calls(the_plan):
    return [(a.method, a.params) for a in the_plan.actions]


def apply(state, the_plan, groups=()):
    """What the cluster looks like once the plan has run (a finished clone is an active volume)."""
    volumes, accounts, groups = list(state.volumes), list(state.accounts or ()), list(groups)
    account_id = 99 if the_plan.account_id is NEW_ACCOUNT else the_plan.account_id
    new_ids = {}
    for method, params in calls(the_plan):
        if method == "AddAccount":
            accounts.append(account(99, params["username"], **params["attributes"]))
        elif method == "CloneVolume":
            assert params["newAccountID"] in (account_id, NEW_ACCOUNT)
            new_ids[params["name"]] = 500 + len(new_ids)
            volumes.append(volume(new_ids[params["name"]], params["name"], account=account_id,
                                  attributes=params["attributes"]))
        elif method == "CreateVolumeAccessGroup":
            ids = [new_ids[v.name] if isinstance(v, CloneID) else v for v in params["volumes"]]
            groups.append(access_group(3, params["name"], params["initiators"], ids, **params["attributes"]))
    return cluster(DR, state.cluster_pairs, volumes, accounts=accounts, deleted=state.deleted_volumes), groups


# ---- names --------------------------------------------------------------------------------------

def test_clone_name_is_the_rehearsal_and_the_target():
    assert clone_name("q4", target(40, "db01", 10)) == "q4-db01"


def test_a_long_clone_name_is_cut_to_64_with_a_stable_hash():
    long_target = target(40, "v" * 63, 10)
    name = clone_name("rehearsal-2026", long_target)
    assert len(name) == VOLUME_NAME_MAX
    assert name == clone_name("rehearsal-2026", long_target)  # predictable: the same every run
    assert name.startswith("rehearsal-2026-vvv")
    other = clone_name("rehearsal-2026", target(41, "v" * 63, 11))
    assert other != name and len(other) == VOLUME_NAME_MAX  # two long targets never collide


@pytest.mark.parametrize("name", ["", "-q4", "a" * 33, "q 4", "q4/x"])
def test_a_rehearsal_name_that_cannot_name_clones_is_refused(name):
    with pytest.raises(Refusal, match="does not fit"):
        plan(dr(targets("db01")), [spec(1, "db01")], name=name)


def test_every_clone_name_of_a_plan_fits_element():
    state = dr(targets("a" * 64, "b" * 60, "db01"))
    the_plan = plan(state, every_target(state), name="r" * 32)
    names = [p["name"] for m, p in calls(the_plan) if m == "CloneVolume"]
    assert len(names) == 3 and all(len(n) <= VOLUME_NAME_MAX for n in names) and len(set(names)) == 3


# ---- what is cloned ------------------------------------------------------------------------------

def test_a_first_plan_clones_each_target_read_write_into_the_rehearsal_account_with_its_marker():
    the_plan = plan(dr(targets("db01", "db02")), [spec(1, "db01"), spec(2, "db02")])
    assert [m for m, _p in calls(the_plan)] == ["CloneVolume", "CloneVolume"]
    method, params = calls(the_plan)[0]
    assert params["volumeID"] == 40 and params["name"] == "q4-db01" and params["newAccountID"] == 5
    assert params["access"] == "readWrite" and "snapshotID" not in params
    assert params["attributes"][MARKER] == "q4"
    assert params["attributes"]["element.replication.volume_pair_uuid"] == "vp-40"
    assert params["attributes"]["element.replication.point"] == LATEST


def test_replication_is_never_touched():
    the_plan = plan(dr(targets("db01")), [spec(1, "db01")], access_group="testers", initiators=("iqn.x",))
    touched = {m for m, _p in calls(the_plan)}
    assert touched <= {"AddAccount", "CloneVolume", "CreateVolumeAccessGroup"}


def test_the_account_is_created_first_when_missing():
    the_plan = plan(dr(targets("db01"), accounts=()), [spec(1, "db01")])
    assert [m for m, _p in calls(the_plan)] == ["AddAccount", "CloneVolume"]
    assert calls(the_plan)[0][1] == {"username": "element-rehearsal", "attributes": {ACCOUNT_MARKER: "rehearsal"}}
    assert calls(the_plan)[1][1]["newAccountID"] is NEW_ACCOUNT


def test_a_tenant_s_account_of_that_name_is_refused():
    with pytest.raises(Refusal, match="not made by element.replication"):
        plan(dr(targets("db01"), accounts=[account(5, "element-rehearsal")]), [spec(1, "db01")])


def test_point_latest_clones_the_volume_as_it_is_now():
    snapshots = LagInputs(snapshots={40: (snap(1, 40, "hourly", 7200),)})
    _m, params = calls(plan(dr(targets("db01")), [spec(1, "db01")], snapshots=snapshots, point=LATEST))[0]
    assert "snapshotID" not in params


def test_point_snapshot_clones_the_newest_complete_snapshot():
    snapshots = LagInputs(snapshots={40: (snap(1, 40, "old", 3600), snap(2, 40, "new", 7200),
                                          snap(3, 40, "running", 9000, status="running"))})
    the_plan = plan(dr(targets("db01")), [spec(1, "db01")], snapshots=snapshots, point=SNAPSHOT)
    _m, params = calls(the_plan)[0]
    assert params["snapshotID"] == 2
    assert params["attributes"]["element.replication.snapshot"] == "new"
    assert params["attributes"]["element.replication.point_in_time"] == "2026-12-01T02:00:00Z"


def test_point_snapshot_without_a_snapshot_is_refused_before_any_change():
    with pytest.raises(Refusal, match="no replicated snapshot"):
        plan(dr(targets("db01", "db02")), [spec(1, "db01"), spec(2, "db02")],
             snapshots=LagInputs(snapshots={40: (snap(1, 40, "s", 3600),)}), point=SNAPSHOT)


def test_auto_is_snapshot_for_snapshots_only_pairs_and_latest_otherwise():
    snapshots = LagInputs(snapshots={40: (snap(1, 40, "s", 3600),), 41: (snap(2, 41, "t", 3600),)})
    state = dr([target(40, "snaps", 10, mode="SnapshotsOnly"), target(41, "async", 11, mode="Async")])
    the_plan = plan(state, [spec(1, "snaps"), spec(2, "async")], snapshots=snapshots, point=AUTO)
    assert [i.point for i in the_plan.items] == [SNAPSHOT, LATEST]
    assert [p.get("snapshotID") for _m, p in calls(the_plan)] == [1, None]


def test_a_volume_that_is_not_a_replication_target_is_refused():
    with pytest.raises(Refusal, match="not the replication target"):
        plan(dr([volume(40, "db01")]), [spec(1, "db01")])


def test_a_namesake_without_the_marker_is_never_taken_over():
    state = dr(targets("db01") + [volume(77, "q4-db01", account=5)])
    with pytest.raises(Refusal, match="not this rehearsal's marker"):
        plan(state, [spec(1, "db01")])


def test_every_target_names_only_complete_replication_targets():
    state = dr(targets("db01") + [volume(9, "plain")])
    assert [s.peer_volume_id for s in every_target(state)] == [40]


# ---- idempotence --------------------------------------------------------------------------------

@pytest.mark.parametrize("accounts", [(REHEARSAL_ACCOUNT,), ()])
def test_a_second_plan_after_the_first_has_run_is_empty(accounts):
    state = dr(targets("db01", "db02"), accounts=accounts)
    options = dict(access_group="testers", initiators=("iqn.2026-01.host:a",))
    first = plan(state, [spec(1, "db01"), spec(2, "db02")], **options)
    assert first.actions
    after, groups = apply(state, first)
    second = plan(after, [spec(1, "db01"), spec(2, "db02")], groups=groups, **options)
    assert second.actions == [] and not any(i.has_work for i in second.items)
    assert [i.clone.name for i in second.items] == ["q4-db01", "q4-db02"]


def test_an_earlier_failed_clone_is_purged_then_cloned_again():
    failed = volume(600, "q4-db01", account=5, status="deleted",
                    attributes={MARKER: "q4", "element.replication.volume_pair_uuid": "vp-40"})
    the_plan = plan(dr(targets("db01"), deleted=[failed]), [spec(1, "db01")])
    assert [(m, p.get("volumeID")) for m, p in calls(the_plan)] == [("PurgeDeletedVolume", 600), ("CloneVolume", 40)]


# ---- access group --------------------------------------------------------------------------------

def test_an_existing_group_of_this_rehearsal_gets_the_missing_clones_and_the_declared_hosts():
    clone = volume(500, "q4-db01", account=5, attributes={MARKER: "q4", "element.replication.volume_pair_uuid": "vp-40"})
    group = access_group(3, "testers", ["iqn.old"], [], **{MARKER: "q4"})
    the_plan = plan(dr(targets("db01") + [clone]), [spec(1, "db01")], groups=[group], access_group="testers",
                    initiators=("iqn.new",))
    assert calls(the_plan) == [
        ("AddVolumesToVolumeAccessGroup", {"volumeAccessGroupID": 3, "volumes": [500]}),
        ("AddInitiatorsToVolumeAccessGroup", {"volumeAccessGroupID": 3, "initiators": ["iqn.new"]}),
        ("RemoveInitiatorsFromVolumeAccessGroup", {"volumeAccessGroupID": 3, "initiators": ["iqn.old"]})]


def test_a_group_of_that_name_without_the_marker_is_refused():
    with pytest.raises(Refusal, match="never taken over"):
        plan(dr(targets("db01")), [spec(1, "db01")], groups=[access_group(3, "testers")], access_group="testers")


# ---- cleanup ---------------------------------------------------------------------------------------

def test_cleanup_touches_only_volumes_and_groups_with_this_rehearsal_s_marker():
    ours = volume(500, "q4-db01", account=5, attributes={MARKER: "q4"})
    ours_deleted = volume(501, "q4-db02", account=5, status="deleted", attributes={MARKER: "q4"})
    other_rehearsal = volume(502, "q5-db01", account=5, attributes={MARKER: "q5"})
    namesake = volume(503, "q4-db03", account=5)  # our naming, not our marker
    state = dr(targets("db01") + [ours, other_rehearsal, namesake], deleted=[ours_deleted])
    groups = (access_group(3, "testers", volume_ids=[500], **{MARKER: "q4"}), access_group(4, "q5-group",
                                                                                           **{MARKER: "q5"}),
              access_group(5, "hosts"))
    cleanup = plan_cleanup(state, groups, "q4")
    assert calls(cleanup) == [
        ("DeleteVolumeAccessGroup", {"volumeAccessGroupID": 3, "deleteOrphanInitiators": True}),
        ("DeleteVolume", {"volumeID": 500}), ("PurgeDeletedVolume", {"volumeID": 500}),
        ("PurgeDeletedVolume", {"volumeID": 501})]
    touched = {p.get("volumeID") for _m, p in calls(cleanup)} - {None}
    assert touched == {500, 501}
    assert cleanup.removed[0] == "access group testers"


def test_a_second_cleanup_is_empty():
    assert plan_cleanup(dr(targets("db01")), (), "q4").actions == []


def test_cleanup_never_touches_targets():
    state = dr(targets("db01", "db02"))
    assert plan_cleanup(state, (), "q4").actions == []


# ---- limits and check mode -------------------------------------------------------------------------

def test_group_volume_lists_are_chunked():
    many = [target(1000 + n, "v%03d" % n, n + 1) for n in range(501)]
    clones = [volume(5000 + n, "q4-v%03d" % n, account=5, attributes={
        MARKER: "q4", "element.replication.volume_pair_uuid": "vp-%d" % (1000 + n)}) for n in range(501)]
    group = access_group(3, "testers", **{MARKER: "q4"})
    state = dr(many + clones)
    the_plan = plan(state, every_target(state), groups=[group], access_group="testers")
    sizes = [len(p["volumes"]) for m, p in calls(the_plan) if m == "AddVolumesToVolumeAccessGroup"]
    assert sizes == [500, 1]


def test_the_predicted_view_shows_the_new_clone():
    state = dr(targets("db01"))
    the_plan = plan(state, [spec(1, "db01")], access_group="testers")
    view = predicted_view(the_plan.items[0], state, Options(name="q4", access_group="testers"))
    assert view["clone_name"] == "q4-db01" and view["clone_volume_id"] == "(new)"
    assert view["target_volume_id"] == 40 and view["access_group"] == "testers"


# ---- which target ---------------------------------------------------------------------------------

def test_the_target_is_found_through_its_pair_with_the_source_volume():
    state = dr([target(40, "db01-replica", 10, source_name="db01")])
    _m, params = calls(plan(state, [spec(1, "db01")]))[0]
    assert params["volumeID"] == 40 and params["name"] == "q4-db01-replica"


def test_two_targets_of_one_source_name_are_refused_until_peer_volume_is_given():
    state = cluster(DR, [cluster_pair(7, PROD), cluster_pair(8, identity("edge", "eeee", "10.0.0.5"), uuid="cp-e")], [
        target(40, "db01", 10), target(41, "db01-edge", 10, source_name="db01", cluster_pair_id=8)],
        accounts=[REHEARSAL_ACCOUNT])
    with pytest.raises(Refusal, match="2 volumes on cluster dr are paired with a volume db01"):
        plan(state, [spec(1, "db01")])
    # Naming the source cluster picks the pair with it.
    _m, params = calls(plan(state, [spec(1, "db01")], source_cluster="edge"))[0]
    assert params["volumeID"] == 41
    assert calls(plan(state, [PairSpec(index=1, peer_volume="db01")]))[0][1]["volumeID"] == 40


def test_an_unknown_source_cluster_is_refused_naming_the_cluster_pairs():
    with pytest.raises(Refusal, match="not paired with a cluster named nowhere .*pair 7 with prod"):
        plan(dr(targets("db01")), [spec(1, "db01")], source_cluster="nowhere")
