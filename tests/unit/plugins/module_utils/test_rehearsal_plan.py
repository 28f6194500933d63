# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The DR rehearsal planner: clone names, point in time, idempotence, cleanup by marker."""

from __future__ import annotations

import pytest

from ansible_collections.element.replication.plugins.module_utils._argspec import PairSpec
from ansible_collections.element.replication.plugins.module_utils._errors import Refusal
from ansible_collections.element.replication.plugins.module_utils._state import Existing, LagInputs, Snapshot, VolumeStats
from ansible_collections.element.replication.plugins.module_utils._rehearsal import (
    ACCOUNT_MARKER, AUTO, CLONE_ID, CLONE_NAME, LATEST, MARKER, NEW_ACCOUNT, SNAPSHOT, VOLUME_NAME_MAX, CloneID,
    Options, PairSettings, SourceView, clone_name, clone_view, every_target, plan_cleanup, plan_rehearsal,
    predicted_view)
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


def clone(volume_id, name, rehearsal="q4", pair_uuid=None, stamped=True, **kwargs):
    """A clone this rehearsal made: its marker names the rehearsal and the clone itself."""
    attributes = {MARKER: rehearsal, CLONE_NAME: name}
    if pair_uuid:
        attributes["element.replication.volume_pair_uuid"] = pair_uuid
    if stamped:
        attributes[CLONE_ID] = str(volume_id)
    attributes.update(kwargs.pop("attributes", {}))
    return volume(volume_id, name, account=kwargs.pop("account", 5), attributes=attributes, **kwargs)


def snap(snapshot_id, volume_id, name, when, status="done"):
    return Snapshot(snapshot_id=snapshot_id, volume_id=volume_id, name=name, create_time=when,
                    create_time_text="2026-12-01T%02d:00:00Z" % (when // 3600), status=status, snapshot_uuid="s%d" % when)


def plan(state, specs, groups=(), snapshots=None, **options):
    options.setdefault("name", "q4")
    return plan_rehearsal(state, tuple(groups), snapshots, list(specs), Options(**options))


def calls(the_plan):
    return [(a.method, a.params) for a in the_plan.actions]


def methods(the_plan):
    return [a.method for a in the_plan.actions]


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
        elif method == "ModifyVolume":
            ids = {v.volume_id: n for n, v in enumerate(volumes)}
            volume_id = new_ids[params["volumeID"].name] if isinstance(params["volumeID"], CloneID) else params["volumeID"]
            old = volumes[ids[volume_id]]
            attributes = {k: str(new_ids[v.name]) if isinstance(v, CloneID) else v for k, v in params["attributes"].items()}
            volumes[ids[volume_id]] = volume(old.volume_id, old.name, account=old.account_id, attributes=attributes)
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
    assert methods(the_plan) == ["CloneVolume", "ModifyVolume"] * 2
    method, params = calls(the_plan)[0]
    assert params["volumeID"] == 40 and params["name"] == "q4-db01" and params["newAccountID"] == 5
    assert params["access"] == "readWrite" and "snapshotID" not in params
    assert params["attributes"][MARKER] == "q4"
    assert params["attributes"]["element.replication.volume_pair_uuid"] == "vp-40"
    assert params["attributes"]["element.replication.point"] == LATEST
    assert params["attributes"][CLONE_NAME] == "q4-db01", "the marker names the clone itself"
    _method, stamp = calls(the_plan)[1]
    assert stamp["volumeID"] == CloneID("q4-db01") and stamp["attributes"] == dict(
        params["attributes"], **{CLONE_ID: CloneID("q4-db01")}), "then its ID, once CloneVolume has answered"


def test_replication_is_never_touched():
    the_plan = plan(dr(targets("db01")), [spec(1, "db01")], access_group="testers", initiators=("iqn.x",))
    touched = {m for m, _p in calls(the_plan)}
    assert touched <= {"AddAccount", "CloneVolume", "ModifyVolume", "CreateVolumeAccessGroup"}
    assert {p["volumeID"] for m, p in calls(the_plan) if m == "ModifyVolume"} == {CloneID("q4-db01")}


def test_the_account_is_created_first_when_missing():
    the_plan = plan(dr(targets("db01"), accounts=()), [spec(1, "db01")])
    assert methods(the_plan) == ["AddAccount", "CloneVolume", "ModifyVolume"]
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
    assert [p.get("snapshotID") for m, p in calls(the_plan) if m == "CloneVolume"] == [1, None]


def test_a_volume_that_is_not_a_replication_target_is_refused():
    with pytest.raises(Refusal, match="not the replication target"):
        plan(dr([volume(40, "db01")]), [spec(1, "db01")])


def test_a_namesake_without_the_marker_is_never_taken_over():
    state = dr(targets("db01") + [volume(77, "q4-db01", account=5)])
    with pytest.raises(Refusal, match="not this rehearsal's clone"):
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
    failed = clone(600, "q4-db01", pair_uuid="vp-40", status="deleted")
    the_plan = plan(dr(targets("db01"), deleted=[failed]), [spec(1, "db01")])
    first_two = [(m, p.get("volumeID")) for m, p in calls(the_plan)][:2]
    assert first_two == [("PurgeDeletedVolume", 600), ("CloneVolume", 40)]


# ---- access group --------------------------------------------------------------------------------

def test_an_existing_group_of_this_rehearsal_gets_the_missing_clones_and_the_declared_hosts():
    made = clone(500, "q4-db01", pair_uuid="vp-40")
    group = access_group(3, "testers", ["iqn.old"], [], **{MARKER: "q4"})
    the_plan = plan(dr(targets("db01") + [made]), [spec(1, "db01")], groups=[group], access_group="testers",
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
    ours = clone(500, "q4-db01")
    ours_deleted = clone(501, "q4-db02", status="deleted")
    other_rehearsal = clone(502, "q5-db01", rehearsal="q5")
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
    clones = [clone(5000 + n, "q4-v%03d" % n, pair_uuid="vp-%d" % (1000 + n)) for n in range(501)]
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
    # ... and so does the pair's own source_cluster.
    _m, params = calls(plan(state, [spec(1, "db01")], pairs={1: PairSettings(source_cluster="edge")}))[0]
    assert params["volumeID"] == 41
    assert calls(plan(state, [PairSpec(index=1, peer_volume="db01")]))[0][1]["volumeID"] == 40


def test_an_unknown_source_cluster_is_refused_naming_the_cluster_pairs():
    with pytest.raises(Refusal, match="not paired with a cluster named nowhere .*pair 7 with prod"):
        plan(dr(targets("db01")), [spec(1, "db01")], source_cluster="nowhere")


# ---- exactly what it made (issue 24 item 5) ------------------------------------------------------

def test_a_copy_of_a_clone_carries_the_marker_but_is_never_taken_for_the_clone():
    made = clone(500, "q4-db01", pair_uuid="vp-40")
    copy = volume(501, "copy-of-q4-db01", attributes=dict(made.attributes))  # CloneVolume copies attributes
    namesake_copy = volume(502, "q4-db01", attributes=dict(made.attributes))  # even with the same name
    state = dr(targets("db01") + [made, copy, namesake_copy])
    cleanup = plan_cleanup(state, (), "q4")
    assert {p["volumeID"] for _m, p in calls(cleanup)} == {500}
    assert plan(state, [spec(1, "db01")]).actions == [], "the rehearsal's own clone is up: nothing to do"


def test_a_clone_left_without_its_id_is_ours_by_name_and_gets_its_id_keeping_other_keys():
    left = clone(500, "q4-db01", pair_uuid="vp-40", stamped=False, attributes={"backup.tool": "keep"})
    the_plan = plan(dr(targets("db01") + [left]), [spec(1, "db01")])
    assert calls(the_plan) == [("ModifyVolume", {"volumeID": 500, "attributes": dict(
        left.attributes, **{CLONE_ID: "500"})})]
    assert calls(the_plan)[0][1]["attributes"]["backup.tool"] == "keep"
    assert {p["volumeID"] for _m, p in calls(plan_cleanup(dr(targets("db01") + [left]), (), "q4"))} == {500}


# ---- cleaning up some entries only (issue 24 item 4) -------------------------------------------------

WEST = identity("west", "wwww", "10.0.0.9")


def two_sources():
    """dr holds targets of prod (db01 -> db01) and of west (db01 -> db01-west), each cloned, in one group."""
    state_pairs = [cluster_pair(7, PROD), cluster_pair(8, WEST, uuid="cp-w")]
    targets_ = [target(40, "db01", 10), target(41, "db01-west", 10, source_name="db01", cluster_pair_id=8)]
    clones = [clone(500, "q4-db01", pair_uuid="vp-40", attributes={
        "element.replication.source_cluster": "aaaa", "element.replication.source_volume": "db01",
        "element.replication.target_volume": "db01"}),
        clone(501, "q4-db01-west", pair_uuid="vp-41", attributes={
            "element.replication.source_cluster": "wwww", "element.replication.source_volume": "db01",
            "element.replication.target_volume": "db01-west"})]
    group = access_group(3, "q4-hosts", volume_ids=[500, 501], **{MARKER: "q4"})
    return cluster(DR, state_pairs, targets_ + clones, accounts=[REHEARSAL_ACCOUNT]), (group,)


def test_cleanup_of_one_entry_removes_only_its_clones_and_keeps_the_shared_group():
    state, groups = two_sources()
    cleanup = plan_cleanup(state, groups, "q4", [spec(1, "db01")], Options(name="q4", source_cluster="prod"))
    assert calls(cleanup) == [("DeleteVolume", {"volumeID": 500}), ("PurgeDeletedVolume", {"volumeID": 500})]
    assert cleanup.kept == ["access group q4-hosts (it holds clones of pairs not cleaned up now)"]
    by_target = plan_cleanup(state, groups, "q4", [PairSpec(index=1, volume="db01", peer_volume="db01-west")],
                             Options(name="q4", pairs={1: PairSettings(source_cluster="wwww")}))
    assert {p.get("volumeID") for _m, p in calls(by_target)} == {501}


def test_cleanup_of_every_entry_removes_each_clone_and_the_group_once():
    state, groups = two_sources()
    options = Options(name="q4", pairs={1: PairSettings(source_cluster="prod"), 2: PairSettings(source_cluster="west")})
    west = PairSpec(index=2, volume="db01", peer_volume="db01-west")
    cleanup = plan_cleanup(state, groups, "q4", [spec(1, "db01"), west], options)
    assert [m for m, _p in calls(cleanup)] == ["DeleteVolumeAccessGroup"] + ["DeleteVolume", "PurgeDeletedVolume"] * 2
    assert len(cleanup.removed) == 3 and cleanup.kept == []
    assert plan_cleanup(state, groups, "q4").removed == cleanup.removed, "no selection: the whole rehearsal"


# ---- the recovery point of a pair that is behind (issue 24 item 2) ---------------------------------------

def source_view(delay="PT30M0.5S", volume_id=10, unique_id="aaaa", schedules=None, error=None):
    stats = {volume_id: VolumeStats(volume_id, delay, 1_000_000.0)}
    return SourceView(name="prod", unique_id=unique_id, error=error,
                      lags=None if error else LagInputs(stats=stats, schedules=schedules))


def made_now(state, the_plan, options, create_time="2026-12-01T10:00:00Z"):
    """The view of the first item once its clone exists (made at create_time)."""
    after, _groups = apply(state, the_plan)
    return clone_view(the_plan.items[0], after, None, options)


def test_a_latest_clone_of_a_paused_pair_is_as_old_as_the_target_s_lag_and_says_so():
    state = dr([target(40, "db01", 10, state="PausedManualRemote")])
    options = Options(name="q4", pairs={1: PairSettings(rpo_seconds=900.0)})
    the_plan = plan_rehearsal(state, (), LagInputs(snapshots={}), [spec(1, "db01")], options, source_view())
    _m, params = calls(the_plan)[0]
    assert params["attributes"]["element.replication.lag_seconds"] == "1800.500"
    assert params["attributes"]["element.replication.pair_state"] == "PausedManualRemote"
    view = made_now(state, the_plan, options)
    assert view["age_seconds"] == 1800.5 and view["point_in_time"] == "2026-12-01T09:29:59Z"
    assert (view["pair_state"], view["rpo_seconds"], view["within_rpo"]) == ("PausedManualRemote", 900.0, False)
    assert view["warnings"] == [
        "the pair was PausedManualRemote, not Active, when cloned: its target is behind the source",
        "the point in time cloned was 30m old, over the pair's RPO of 15m: this rehearsal does not prove the RPO"]


def test_an_active_sync_pair_is_not_behind():
    state = dr(targets("db01", mode="Sync"))
    the_plan = plan_rehearsal(state, (), LagInputs(snapshots={}), [spec(1, "db01")], Options(name="q4"), None)
    view = made_now(state, the_plan, Options(name="q4"))
    assert (view["age_seconds"], view["warnings"]) == (0.0, [])


@pytest.mark.parametrize("source, why", [
    (None, "no connection to it was given (peer)"),
    (source_view(error="cluster prod: GetClusterInfo failed: cannot connect"), "the source cluster did not answer (cluster prod: GetClusterInfo"),
    (source_view(unique_id="zzzz"), "the peer given is cluster prod, not the source of this pair"),
    (source_view(delay=None), "reports no asyncDelay"),
])
def test_the_age_of_a_latest_clone_is_unknown_and_said_so_when_the_source_s_lag_cannot_be_read(source, why):
    state = dr(targets("db01"))
    options = Options(name="q4", pairs={1: PairSettings(rpo_seconds=900.0)})
    the_plan = plan_rehearsal(state, (), LagInputs(snapshots={}), [spec(1, "db01")], options, source)
    assert calls(the_plan)[0][1]["attributes"]["element.replication.lag_seconds"] == "unknown"
    view = made_now(state, the_plan, options)
    assert view["age_seconds"] is None and view["within_rpo"] is None
    assert len(view["warnings"]) == 1 and view["warnings"][0].startswith(
        "the age of the point in time cloned is unknown: ") and why in view["warnings"][0]


# ---- a SnapshotsOnly pair waiting for its first snapshot (issue 24 item 8) -------------------------------

def hourly(last_run=None, **changes):
    schedule = {"scheduleID": 1, "scheduleName": "er-dr-snapshots-db01", "paused": False, "toBeDeleted": False,
                "hours": 1, "minutes": 0, "attributes": {"frequency": "Time Interval"}, "lastRunStatus": None,
                "hasError": False, "lastRunTimeStarted": last_run,
                "scheduleInfo": {"volumes": [10], "enableRemoteReplication": True}}
    schedule.update(changes)
    return Existing.from_api(schedule)


def test_a_snapshots_only_pair_waiting_for_its_first_snapshot_is_skipped_naming_the_next_run():
    state = dr(targets("snaps", mode="SnapshotsOnly") + [target(41, "db02", 11)])
    source = source_view(schedules=(hourly(),))
    the_plan = plan_rehearsal(state, (), LagInputs(snapshots={}), [spec(1, "snaps"), spec(2, "db02")],
                              Options(name="q4"), source)
    skipped = the_plan.items[0]
    assert skipped.skipped == ("snaps (the target of snaps) is waiting for its first replicated snapshot (next run "
                               "within 1h of the schedule's start)")
    assert not skipped.create and [p["volumeID"] for m, p in calls(the_plan) if m == "CloneVolume"] == [41]
    assert clone_view(skipped, state, None, Options(name="q4"))["skipped"] == skipped.skipped
    # A schedule that ran: its next run is one interval after.
    ran = plan_rehearsal(state, (), LagInputs(snapshots={}), [spec(1, "snaps")], Options(name="q4"),
                         source_view(schedules=(hourly(last_run="1970-01-12T13:40:00Z"),)))
    assert ran.items[0].skipped.endswith("(next run at 1970-01-12T14:40:00Z)")
    # A schedule that says when it started: one interval after that.
    started = plan_rehearsal(state, (), LagInputs(snapshots={}), [spec(1, "snaps")], Options(name="q4"),
                             source_view(schedules=(hourly(startingDate="1970-01-12T13:30:00Z"),)))
    assert started.items[0].skipped.endswith("(next run at 1970-01-12T14:30:00Z)")


def test_told_to_refuse_a_pending_first_snapshot_refuses_it_naming_the_wait():
    state = dr(targets("snaps", mode="SnapshotsOnly"))
    with pytest.raises(Refusal, match="no replicated snapshot to clone .*waiting for its first replicated snapshot"):
        plan_rehearsal(state, (), LagInputs(snapshots={}), [spec(1, "snaps")],
                       Options(name="q4", pending_first_snapshot="refuse"), source_view(schedules=(hourly(),)))


@pytest.mark.parametrize("schedules", [(), (hourly(paused=True),), (hourly(last_run="1970-01-12T10:00:00Z"),),
                                       (hourly(lastRunStatus="Failed", hasError=True, lastRunTimeStarted=None),)],
                         ids=["none", "paused", "late", "failed"])
def test_a_snapshots_only_pair_without_a_working_schedule_is_still_refused(schedules):
    with pytest.raises(Refusal, match="no replicated snapshot to clone"):
        plan_rehearsal(dr(targets("snaps", mode="SnapshotsOnly")), (), LagInputs(snapshots={}), [spec(1, "snaps")],
                       Options(name="q4"), source_view(schedules=schedules))
