# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The rehearsal runner on an in-memory DR cluster: clone limits, check mode, idempotence, cleanup."""

from __future__ import annotations

import threading

import pytest

from ansible_collections.element.replication.plugins.module_utils._argspec import PairSpec
from ansible_collections.element.replication.plugins.module_utils._plan import Waiter
from ansible_collections.element.replication.plugins.module_utils._rehearsal import (
    CLONE_ID, CLONE_NAME, MARKER, Options, RehearsalRunner)
from ansible_collections.element.replication.tests.unit.plugins.module_utils.builders import FakeClient, api_error

READS = ("Get", "List")


class FakeDR(FakeClient):
    """The DR cluster in memory: replication targets, and clone jobs that finish one per poll."""

    def __init__(self, targets=3, clone_limit=2, fail_clone=None, delay=0.0):
        super().__init__("dr", delay=delay)
        self._state_lock = threading.Lock()  # the runner calls from several threads
        self.clone_limit = clone_limit  # clone jobs the cluster runs at once
        self.fail_clone = fail_clone
        self.volumes = {40 + n: {"volumeID": 40 + n, "name": "db%02d" % n, "accountID": 1, "access": "replicationTarget",
                                 "status": "active", "totalSize": 1 << 30, "attributes": {},
                                 "volumePairs": [{"clusterPairID": 7, "remoteVolumeID": 10 + n,
                                                  "remoteVolumeName": "db%02d" % n, "volumePairUUID": "vp-%d" % n,
                                                  "remoteReplication": {"mode": "Async", "state": "Active"}}]}
                        for n in range(targets)}
        self.accounts = {}
        self.groups = {}
        self.jobs = []  # clone volume IDs running
        self.max_running = 0
        self.next_id = 500
        self.answers = {m: getattr(self, m) for m in dir(self) if m[:1].isupper()}

    def GetClusterInfo(self, params):
        return {"clusterInfo": {"name": "dr", "uniqueID": "bbbb", "mvip": "10.0.0.2"}}

    def ListClusterPairs(self, params):
        return {"clusterPairs": [{"clusterPairID": 7, "clusterPairUUID": "cp", "clusterUUID": "aaaa",
                                  "clusterName": "prod", "mvip": "10.0.0.1", "status": "Connected"}]}

    def ListVolumes(self, params):
        return {"volumes": [dict(v) for k, v in sorted(self.volumes.items()) if k >= params.get("startVolumeID", 0)]}

    def ListAccounts(self, params):
        return {"accounts": [dict(a) for a in self.accounts.values()]}

    def ListVolumeAccessGroups(self, params):
        return {"volumeAccessGroups": [dict(g) for g in self.groups.values()]}

    def ListSnapshots(self, params):
        return {"snapshots": []}

    def AddAccount(self, params):
        account_id = 5 + len(self.accounts)
        self.accounts[account_id] = {"accountID": account_id, "username": params["username"],
                                     "attributes": params.get("attributes") or {}}
        return {"accountID": account_id}

    def CloneVolume(self, params):
        with self._state_lock:
            return self._clone(params)

    def _clone(self, params):
        if len(self.jobs) >= self.clone_limit:
            raise api_error("CloneVolume", "xMaxClonesPerNodeExceeded", "too many clones", cluster="dr")
        volume_id = self.next_id
        self.next_id += 1
        self.volumes[volume_id] = {"volumeID": volume_id, "name": params["name"], "accountID": params["newAccountID"],
                                   "access": params["access"], "status": "init", "totalSize": 1 << 30,
                                   "attributes": params["attributes"]}
        self.jobs.append(volume_id)
        self.max_running = max(self.max_running, len(self.jobs))
        return {"volumeID": volume_id, "asyncHandle": volume_id}

    def ListAsyncResults(self, params):
        done = self.jobs.pop(0) if self.jobs else None
        handles = []
        if done is not None:
            ok = self.volumes[done]["name"] != self.fail_clone
            self.volumes[done]["status"] = "active" if ok else "deleted"
            handles.append({"completed": True, "success": ok,
                            "data": {"volumeID": done, "name": "xCloneFailed", "message": "disk on fire"}})
        return {"asyncHandles": handles}

    def ModifyVolume(self, params):
        self.volumes[params["volumeID"]]["attributes"] = params["attributes"]
        return {}

    def CreateVolumeAccessGroup(self, params):
        self.groups[3] = {"volumeAccessGroupID": 3, "name": params["name"], "initiators": params["initiators"],
                          "volumes": params["volumes"], "attributes": params["attributes"]}
        return {"volumeAccessGroupID": 3}

    def DeleteVolume(self, params):
        self.volumes[params["volumeID"]]["status"] = "deleted"
        return {}

    def PurgeDeletedVolume(self, params):
        del self.volumes[params["volumeID"]]
        return {}

    def DeleteVolumeAccessGroup(self, params):
        del self.groups[params["volumeAccessGroupID"]]
        return {}


class Connections:
    def __init__(self, client):
        self.local = client


def runner(dr, state="present", check_mode=False, parallel=8, specs=(), sleep=lambda s: None, **options):
    options.setdefault("name", "q4")
    return RehearsalRunner(Connections(dr), list(specs) or None, Options(**options), state=state, check_mode=check_mode,
                           parallel=parallel, waiter=Waiter(timeout=3600, interval=2.0, sleep=sleep))


def most_at_once(dr, method):
    """The most calls of `method` that were in the cluster's hands at the same moment."""
    spans = [(start, end) for m, _params, _thread, start, end in dr.timeline if m == method]
    return max(sum(1 for s, e in spans if s <= start < e) for start, _end in spans)


def clones(dr):
    return sorted(v["name"] for v in dr.volumes.values() if v["attributes"].get(MARKER) and v["status"] == "active")


def test_check_mode_plans_every_clone_and_makes_no_call_that_changes_anything():
    dr = FakeDR()
    run = runner(dr, check_mode=True, access_group="testers")
    assert run.run() is True
    assert all(m.startswith(READS) for m in dr.methods())
    assert [a["method"] for a in run.reported_actions()] == ["AddAccount"] + ["CloneVolume", "ModifyVolume"] * 3 + [
        "CreateVolumeAccessGroup"]
    assert clones(dr) == []


def test_clones_stay_within_the_slots_given():
    dr = FakeDR(targets=5, clone_limit=10)
    run = runner(dr, parallel=2)
    assert run.run() is True
    assert dr.max_running == 2
    assert clones(dr) == ["q4-db%02d" % n for n in range(5)] and run.errors == {}


def test_the_cluster_s_clone_limit_makes_the_runner_wait_not_fail():
    dr = FakeDR(targets=4, clone_limit=1)
    run = runner(dr, parallel=8)
    run.run()
    assert run.errors == {}
    assert clones(dr) == ["q4-db%02d" % n for n in range(4)]
    assert dr.max_running == 1
    busy = [m for m in dr.methods() if m == "CloneVolume"]
    assert len(busy) > 4  # refused calls were sent again once a job finished


def test_a_clone_limit_with_nothing_of_ours_running_fails_the_pair():
    dr = FakeDR(targets=1, clone_limit=0)
    run = runner(dr)
    run.run()
    assert "xMaxClonesPerNodeExceeded" in run.errors[1]
    assert dr.methods().count("CloneVolume") == 1


def test_a_second_run_changes_nothing():
    dr = FakeDR()
    assert runner(dr, access_group="testers", initiators=("iqn.x",)).run() is True
    before = len(dr.calls)
    again = runner(dr, access_group="testers", initiators=("iqn.x",))
    assert again.run() is False
    assert all(m.startswith(READS) for m in dr.methods()[before:])
    assert sorted(dr.groups[3]["volumes"]) == [500, 501, 502]  # started together: IDs in any order


def test_a_failed_clone_fails_its_pair_and_the_next_run_purges_and_clones_it_again():
    dr = FakeDR(fail_clone="q4-db01")
    first = runner(dr)
    first.run()
    assert list(first.errors) == [2] and "xCloneFailed" in first.errors[2]
    dr.fail_clone = None
    second = runner(dr)
    second.run()
    assert second.errors == {}
    assert "PurgeDeletedVolume" in dr.methods() and clones(dr) == ["q4-db00", "q4-db01", "q4-db02"]


def test_cleanup_removes_this_rehearsal_only():
    dr = FakeDR()
    runner(dr, name="q4", access_group="testers").run()
    runner(dr, name="q5").run()
    assert runner(dr, state="absent", name="q4").run() is True
    left = sorted(v["name"] for v in dr.volumes.values())
    assert left == ["db00", "db01", "db02", "q5-db00", "q5-db01", "q5-db02"]
    assert dr.groups == {}
    assert runner(dr, state="absent", name="q4").run() is False


@pytest.mark.parametrize("names", [["db01"], ["db00", "db02"]])
def test_only_the_declared_pairs_are_cloned(names):
    dr = FakeDR()
    runner(dr, specs=[PairSpec(index=i, volume=n) for i, n in enumerate(names, start=1)]).run()
    assert clones(dr) == ["q4-%s" % n for n in names]


def test_a_failed_account_stops_the_clones_and_is_the_one_error_reported():
    dr = FakeDR()
    dr.failures["AddAccount"] = [api_error("AddAccount", "xNotPermitted", "no rights", cluster="dr")]
    run = runner(dr)
    run.run()
    assert "CloneVolume" not in dr.methods()
    assert run.errors[0] == "cluster dr: AddAccount failed: xNotPermitted: no rights"
    # The pairs were never tried: they are not blamed on "another run", and no round is repeated for nothing.
    assert not any("did not converge" in e for e in run.errors.values())
    assert dr.methods().count("GetClusterInfo") <= 2


def test_the_clones_that_fill_free_slots_are_started_together():
    # Over a WAN each CloneVolume is a round trip: the free slots are filled in parallel.
    dr = FakeDR(targets=8, clone_limit=10, delay=0.05)
    run = runner(dr, parallel=4)
    assert run.run() is True
    assert clones(dr) == ["q4-db%02d" % n for n in range(8)]
    assert most_at_once(dr, "CloneVolume") == 4
    assert dr.max_running == 4


def test_polling_starts_soon_again_after_each_clone_started():
    # FakeDR finishes one job per poll: every poll frees a slot that is filled at once, so the
    # wait before each poll stays the shortest instead of growing toward the interval.
    dr = FakeDR(targets=5, clone_limit=10)
    slept = []
    runner(dr, parallel=2, sleep=slept.append).run()
    assert slept and slept[:4] == [0.2] * 4
    assert max(slept) < 2.0


def test_polling_backs_off_to_the_interval_while_nothing_finishes():
    dr = FakeDR(targets=1, clone_limit=10)
    polls = {"n": 0}
    finish = dr.ListAsyncResults

    def slow(params):
        polls["n"] += 1
        return finish(params) if polls["n"] > 8 else {"asyncHandles": []}

    dr.answers["ListAsyncResults"] = slow
    slept = []
    runner(dr, sleep=slept.append).run()
    assert slept[0] == 0.2 and slept[-1] == 2.0 and slept == sorted(slept)


def test_cleanup_deletes_clones_in_parallel_each_deleted_before_it_is_purged():
    dr = FakeDR(targets=6, clone_limit=10)
    runner(dr, access_group="testers").run()
    dr.delay = 0.05
    before = len(dr.timeline)
    assert runner(dr, state="absent", parallel=3).run() is True
    cleanup = dr.timeline[before:]
    assert [v["name"] for v in dr.volumes.values()] == ["db%02d" % n for n in range(6)] and dr.groups == {}
    for volume_id in range(500, 506):
        deleted = next(end for m, p, _t, _s, end in cleanup if m == "DeleteVolume" and p["volumeID"] == volume_id)
        purged = next(start for m, p, _t, start, _e in cleanup
                      if m == "PurgeDeletedVolume" and p["volumeID"] == volume_id)
        assert deleted <= purged
    assert most_at_once(dr, "DeleteVolume") == 3
    group_deleted = next(end for m, _p, _t, _s, end in cleanup if m == "DeleteVolumeAccessGroup")
    assert all(start >= group_deleted for m, _p, _t, start, _e in cleanup if m == "DeleteVolume")


def test_each_clone_s_marker_names_the_clone_itself_once_cloned():
    dr = FakeDR(targets=3, clone_limit=10)
    assert runner(dr).run() is True
    made = [v for v in dr.volumes.values() if v["attributes"].get(MARKER)]
    assert len(made) == 3
    assert all(v["attributes"][CLONE_NAME] == v["name"] and v["attributes"][CLONE_ID] == str(v["volumeID"])
               for v in made)
