# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The one executor and the one run skeleton, against an in-memory cluster (FakeClient)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List

import pytest

from ansible_collections.element.replication.plugins.module_utils._argspec import PairSpec
from ansible_collections.element.replication.plugins.module_utils._executor import PhaseExecutor, Runner
from ansible_collections.element.replication.plugins.module_utils._plan import (
    LOCAL, NO_ITEM, PEER, WHOLE, Action, Step, Waiter, WholePlan, actions_of, phases)
from ansible_collections.element.replication.tests.unit.plugins.module_utils.builders import FakeClient, api_error


# ---- a tiny world: volumes whose access the runner sets to what is declared ---------------------

class World:
    """Volumes by name -> access, on one cluster; ModifyVolume sets one, ModifyVolumes many."""

    def __init__(self, volumes, interfere=False, lose_answers=0):
        self.volumes = dict(volumes)
        self.interfere = interfere  # another run puts every change back
        self.lose_answers = lose_answers  # applied, but the answer is lost (ambiguous)
        self.client = FakeClient(answers={"ListVolumes": self.list, "ModifyVolume": self.modify,
                                          "ModifyVolumes": self.modify_many})

    def list(self, params):
        return {"volumes": dict(self.volumes)}

    def modify(self, params):
        if not self.interfere:
            self.volumes[params["name"]] = params["access"]
        if self.lose_answers:
            self.lose_answers -= 1
            raise api_error("ModifyVolume", kind="connection", message="connection reset", ambiguous=True)
        return {}

    def modify_many(self, params):
        for name in params["names"]:
            self.volumes[name] = params["access"]
        return {}


@dataclass
class Item:
    spec: PairSpec
    refusal: str = ""
    changes: List[str] = field(default_factory=list)

    @property
    def has_work(self):
        return bool(self.changes)


@dataclass
class Plan:
    items: List[Item]
    steps: List[Step]

    @property
    def phases(self):
        return phases(("access", self.steps))

    @property
    def actions(self):
        return actions_of(self.phases)


class AccessRunner(Runner):
    def __init__(self, world, desired, **kwargs):
        kwargs.setdefault("waiter", Waiter(sleep=lambda s: None))
        super().__init__({LOCAL: world.client}, **kwargs)
        self.desired = desired  # name -> access

    def read(self):
        return self.clients[LOCAL].call("ListVolumes")["volumes"]

    def plan(self, state):
        items, steps = [], []
        for index, (name, access) in enumerate(sorted(self.desired.items()), start=1):
            item = Item(PairSpec(index=index, volume=name))
            items.append(item)
            if name not in state:
                item.refusal = "volume %s not found" % name
            elif state[name] != access and index not in self.errors:
                item.changes.append("set %s to %s" % (name, access))
                steps.append(Step((index,), [Action(LOCAL, "ModifyVolume", {"name": name, "access": access},
                                                    "set access of %s" % name)]))
        return Plan(items, steps)


def test_one_round_then_the_verifying_read_finds_nothing_to_do():
    world = World({"a": "readWrite", "b": "readWrite"})
    runner = AccessRunner(world, {"a": "replicationTarget", "b": "replicationTarget"}, parallel=1)
    assert runner.run() is True
    assert world.client.methods() == ["ListVolumes", "ModifyVolume", "ModifyVolume", "ListVolumes"]
    assert world.volumes == {"a": "replicationTarget", "b": "replicationTarget"}
    assert runner.errors == {} and runner.round == 1
    assert runner.changes == {1: ["set a to replicationTarget"], 2: ["set b to replicationTarget"]}
    assert [a["method"] for a in runner.reported_actions()] == ["ModifyVolume", "ModifyVolume"]


def test_nothing_to_do_is_one_read_and_no_change():
    world = World({"a": "replicationTarget"})
    runner = AccessRunner(world, {"a": "replicationTarget"})
    assert runner.run() is False
    assert world.client.methods() == ["ListVolumes"]


def test_check_mode_returns_the_plan_with_zero_mutating_calls():
    world = World({"a": "readWrite", "b": "readWrite"})
    runner = AccessRunner(world, {"a": "replicationTarget", "b": "replicationTarget"}, check_mode=True)
    assert runner.run() is True
    assert world.client.mutating() == []
    assert world.volumes == {"a": "readWrite", "b": "readWrite"}
    planned = runner.reported_actions()
    assert [(a["method"], a["params"]["name"]) for a in planned] == [("ModifyVolume", "a"), ("ModifyVolume", "b")]
    assert runner.executed_actions() == []
    assert runner.item_changes(runner.first_plan.items[0]) == ["set a to replicationTarget"]


def test_check_mode_with_nothing_to_do_reports_no_change():
    world = World({"a": "replicationTarget"})
    runner = AccessRunner(world, {"a": "replicationTarget"}, check_mode=True)
    assert runner.run() is False and runner.reported_actions() == []


def test_a_lost_answer_is_settled_by_reading_again_not_by_sending_again():
    world = World({"a": "readWrite"}, lose_answers=1)
    runner = AccessRunner(world, {"a": "replicationTarget"})
    runner.run()
    # The call was applied; the re-read shows it, so it is never sent twice and nothing failed.
    assert world.client.methods() == ["ListVolumes", "ModifyVolume", "ListVolumes"]
    assert runner.errors == {}


def test_a_lost_answer_of_a_call_not_applied_is_sent_again_in_the_next_round():
    world = World({"a": "readWrite"})
    world.client.failures["ModifyVolume"] = [api_error("ModifyVolume", kind="timeout", ambiguous=True)]
    runner = AccessRunner(world, {"a": "replicationTarget"})
    assert runner.run() is True
    assert world.client.methods() == ["ListVolumes", "ModifyVolume", "ListVolumes", "ModifyVolume", "ListVolumes"]
    assert world.volumes["a"] == "replicationTarget" and runner.errors == {}


def test_rounds_stop_at_max_rounds_when_another_run_keeps_undoing_the_change():
    world = World({"a": "readWrite"}, interfere=True)
    runner = AccessRunner(world, {"a": "replicationTarget"})
    runner.run()
    assert world.client.methods().count("ModifyVolume") == Runner.MAX_ROUNDS
    assert world.client.methods().count("ListVolumes") == Runner.MAX_ROUNDS + 1
    assert runner.errors[1] == ("did not converge after %d attempts: another run seems to change the same pairs"
                                % Runner.MAX_ROUNDS)


def test_max_rounds_is_one_number_for_every_runner():
    from ansible_collections.element.replication.plugins.module_utils import (
        _cluster_pair, _failover, _rehearsal, _split_site, _volume_pair)
    runners = [c for m in (_cluster_pair, _failover, _rehearsal, _split_site, _volume_pair) for c in vars(m).values()
               if isinstance(c, type) and issubclass(c, Runner) and c is not Runner]
    assert len(runners) >= 5
    assert {r.__name__: r.MAX_ROUNDS for r in runners} == {r.__name__: Runner.MAX_ROUNDS for r in runners}


def test_a_plain_error_fails_its_item_only_and_is_not_retried():
    world = World({"a": "readWrite", "b": "readWrite"})
    world.client.failures["ModifyVolume"] = [api_error("ModifyVolume", "xVolumeIDDoesNotExist", "gone")]
    runner = AccessRunner(world, {"a": "replicationTarget", "b": "replicationTarget"}, parallel=1)
    runner.run()
    assert world.client.methods().count("ModifyVolume") == 2  # a failed once, b succeeded; a never again
    assert runner.errors == {1: "cluster prod: ModifyVolume failed: xVolumeIDDoesNotExist: gone"}
    assert runner.exceptions[1].name == "xVolumeIDDoesNotExist"
    assert world.volumes["b"] == "replicationTarget" and 1 not in runner.changes and 2 in runner.changes


def test_a_refusal_is_the_item_s_error():
    world = World({"a": "readWrite"})
    runner = AccessRunner(world, {"a": "replicationTarget", "zz": "readWrite"})
    runner.run()
    assert runner.errors[2] == "volume zz not found" and world.volumes["a"] == "replicationTarget"


def test_accepted_errors_count_as_done():
    client = FakeClient(failures={"RemoveVolumePair": [api_error("RemoveVolumePair", "xVolumePairDoesNotExist")]})
    executor = PhaseExecutor({LOCAL: client})
    failed, retry = executor.run_phases([("remove", [Step((1,), [
        Action(LOCAL, "RemoveVolumePair", {"volumeID": 1}, accept=("xVolumePairDoesNotExist",)),
        Action(LOCAL, "DeleteVolume", {"volumeID": 1})])])])
    assert (failed, retry) == (set(), False)
    assert client.methods() == ["RemoveVolumePair", "DeleteVolume"]


def test_a_failed_step_takes_its_items_out_of_later_phases_and_a_bulk_step_serves_the_rest():
    client = FakeClient(failures={"StartVolumePairing": [api_error("StartVolumePairing", "xBad")]})
    executor = PhaseExecutor({LOCAL: client}, parallel=1)
    failed, _retry = executor.run_phases([
        ("start", [Step((1,), [Action(LOCAL, "StartVolumePairing", {"volumeID": 10})]),
                   Step((2,), [Action(LOCAL, "StartVolumePairing", {"volumeID": 20})]),
                   Step((3,), [Action(LOCAL, "StartVolumePairing", {"volumeID": 30})])]),
        ("access", [Step((1, 2, 3), [Action(LOCAL, "ModifyVolumes", {"volumeIDs": [10, 20, 30], "access": "x"},
                                            bulk="volumeIDs")])]),
        ("single", [Step((1, 2), [Action(LOCAL, "Other", {})])])])
    assert failed == {1}
    assert client.calls[3] == ("ModifyVolumes", {"volumeIDs": [20, 30], "access": "x"})
    assert client.methods()[-1] != "Other"  # not bulk: one failed item drops the whole step
    assert list(executor.errors) == [1]


def test_a_failed_step_for_no_item_is_recorded_as_no_item():
    client = FakeClient(failures={"RemoveVolumePair": [api_error("RemoveVolumePair", "xBad")]})
    executor = PhaseExecutor({LOCAL: client})
    executor.run_actions([Action(LOCAL, "RemoveVolumePair", {"volumeID": 9})])
    assert list(executor.errors) == [NO_ITEM]


def test_executed_actions_are_reported_in_step_order_and_without_secrets():
    client = FakeClient()
    executor = PhaseExecutor({LOCAL: client, PEER: FakeClient("dr")})
    executor.names = {LOCAL: "prod", PEER: "dr"}
    executor.run_phases([("pair", [Step((1,), [
        Action(LOCAL, "StartClusterPairing", {}, "start"),
        Action(PEER, "CompleteClusterPairing", {"clusterPairingKey": "hexsecret"}, "complete")])])])
    reported = executor.executed_actions()
    assert [(a["cluster"], a["method"]) for a in reported] == [("prod", "StartClusterPairing"),
                                                               ("dr", "CompleteClusterPairing")]
    assert reported[1]["params"] == {"clusterPairingKey": "********"}
    assert executor.clients[PEER].calls == [("CompleteClusterPairing", {"clusterPairingKey": "hexsecret"})]


def test_per_pair_call_order_holds_while_pairs_overlap():
    client = FakeClient(delay=0.02)
    executor = PhaseExecutor({LOCAL: client}, parallel=4)
    steps = [Step((i,), [Action(LOCAL, "Call%d" % n, {"pair": i}) for n in range(3)]) for i in range(1, 7)]
    failed, _retry = executor.run_phases([("all", steps)])
    assert failed == set()
    timeline = client.timeline
    for pair in range(1, 7):
        mine = [t for t in timeline if t[1]["pair"] == pair]
        assert [t[0] for t in mine] == ["Call0", "Call1", "Call2"]
        # Each call of a pair starts after the one before it ended.
        assert all(later[3] >= earlier[4] for earlier, later in zip(mine, mine[1:]))
    # Pairs did overlap: several threads, and some pair's call started while another's was in flight.
    assert len({t[2] for t in timeline}) > 1
    assert any(a[1]["pair"] != b[1]["pair"] and a[3] < b[4] and b[3] < a[4] for a in timeline for b in timeline)


def test_phases_run_one_after_another():
    client = FakeClient(delay=0.01)
    executor = PhaseExecutor({LOCAL: client}, parallel=4)
    executor.run_phases([("one", [Step((i,), [Action(LOCAL, "First", {"pair": i})]) for i in range(4)]),
                         ("two", [Step((i,), [Action(LOCAL, "Second", {"pair": i})]) for i in range(4)])])
    last_first_end = max(t[4] for t in client.timeline if t[0] == "First")
    assert all(t[3] >= last_first_end for t in client.timeline if t[0] == "Second")


def test_parallel_is_per_cluster():
    assert PhaseExecutor({LOCAL: None, PEER: None}, parallel=3).parallel == 6
    assert PhaseExecutor({LOCAL: None}, parallel=0).parallel == 1


def test_waiter_polls_until_done_or_timeout():
    now = [0.0]
    sleeps = []

    def sleep(seconds):
        sleeps.append(seconds)
        now[0] += seconds

    waiter = Waiter(timeout=3, interval=1, sleep=sleep, clock=lambda: now[0])
    reads = iter(range(1, 100))
    state, done = waiter.until(0, lambda s: s >= 2, lambda: next(reads))
    assert (state, done, sleeps) == (2, True, [1, 1])
    state, done = waiter.until(0, lambda s: False, lambda: 0)
    assert done is False and now[0] >= 5


@pytest.mark.parametrize("check_mode", [False, True])
def test_the_first_plan_is_kept_as_the_check_mode_answer(check_mode):
    world = World({"a": "readWrite"})
    runner = AccessRunner(world, {"a": "replicationTarget"}, check_mode=check_mode)
    runner.run()
    assert [a.method for a in runner.first_plan.actions] == ["ModifyVolume"]
    assert runner.first_state == {"a": "readWrite"}


class OneShot(AccessRunner):
    VERIFY = False


def test_a_one_shot_runner_does_not_read_again():
    world = World({"a": "readWrite"})
    OneShot(world, {"a": "replicationTarget"}).run()
    assert world.client.methods() == ["ListVolumes", "ModifyVolume"]


def test_only_a_round_that_must_be_repeated_waits_and_the_wait_grows():
    sleeps = []
    world = World({"a": "readWrite"})
    world.client.failures["ModifyVolume"] = [api_error("ModifyVolume", kind="timeout", ambiguous=True)] * 2
    AccessRunner(world, {"a": "replicationTarget"}, waiter=Waiter(sleep=sleeps.append)).run()
    assert sleeps == [0.25, 0.5]
    sleeps.clear()
    AccessRunner(World({"a": "readWrite"}), {"a": "replicationTarget"}, waiter=Waiter(sleep=sleeps.append)).run()
    assert sleeps == []


class WithCleanup(AccessRunner):
    """Also removes an undeclared volume each round it is there (a step that serves no item)."""

    def plan(self, state):
        the_plan = super().plan(state)
        if "stray" in state:
            the_plan.steps.append(Step((), [Action(LOCAL, "DeleteVolume", {"name": "stray"}, "remove stray")]))
        return the_plan


def test_a_failed_cleanup_is_not_sent_again_round_after_round():
    world = World({"a": "readWrite", "stray": "readWrite"})
    world.client.failures["DeleteVolume"] = [api_error("DeleteVolume", "xNotPermitted", "no")] * 10
    runner = WithCleanup(world, {"a": "replicationTarget"})
    runner.run()
    assert world.client.methods().count("DeleteVolume") == 1
    assert runner.errors == {NO_ITEM: "cluster prod: DeleteVolume failed: xNotPermitted: no"}
    assert world.client.methods().count("ListVolumes") <= 2


class Stubborn(AccessRunner):
    """A planner that keeps planning an item that has failed (the cluster pair's single item does)."""

    def plan(self, state):
        the_plan = super().plan(state)
        for index, (name, access) in enumerate(sorted(self.desired.items()), start=1):
            if index in self.errors and state.get(name) != access:
                the_plan.items[index - 1].changes.append("set %s" % name)
                the_plan.steps.append(Step((index,), [Action(LOCAL, "ModifyVolume", {"name": name, "access": access})]))
        return the_plan


def test_a_plan_whose_every_step_has_failed_ends_the_run_without_blaming_another_run():
    world = World({"a": "readWrite"})
    world.client.failures["ModifyVolume"] = [api_error("ModifyVolume", "xNotPermitted", "no")] * 10
    runner = Stubborn(world, {"a": "replicationTarget"})
    runner.run()
    assert world.client.methods() == ["ListVolumes", "ModifyVolume", "ListVolumes"]
    assert runner.errors == {1: "cluster prod: ModifyVolume failed: xNotPermitted: no"}


# ---- the contract as code ---------------------------------------------------------------------------

def test_a_runner_must_supply_read_and_plan():
    class NoPlan(Runner):
        def read(self):
            return {}

    with pytest.raises(TypeError, match="plan"):
        NoPlan({LOCAL: FakeClient()})  # pylint: disable=abstract-class-instantiated


class Halves(AccessRunner):
    """Runs only the first half of each plan per round, through the one execution hook."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.executed_plans = []

    def execute(self, plan):
        self.executed_plans.append(plan)
        return self.run_phases([(name, steps[:1]) for name, steps in plan.phases])


def test_execute_gets_each_round_s_plan_and_decides_what_runs():
    world = World({"a": "readWrite", "b": "readWrite"})
    runner = Halves(world, {"a": "replicationTarget", "b": "replicationTarget"}, parallel=1)
    assert runner.run() is True
    assert world.client.methods() == ["ListVolumes", "ModifyVolume", "ListVolumes", "ModifyVolume", "ListVolumes"]
    assert [[i.spec.index for i in p.items if i.has_work] for p in runner.executed_plans] == [[1, 2], [2]]
    assert runner.first_plan is runner.executed_plans[0] and runner.last_state == world.volumes


def test_run_steps_runs_steps_at_once_and_returns_their_failures_without_recording_them():
    client = FakeClient(failures={"CloneVolume": [api_error("CloneVolume", "xMaxClonesPerNodeExceeded")]})
    executor = PhaseExecutor({LOCAL: client}, parallel=1)
    outcomes = executor.run_steps([Step((1,), [Action(LOCAL, "CloneVolume", {"volumeID": 1})]),
                                   Step((2,), [Action(LOCAL, "CloneVolume", {"volumeID": 2})])])
    assert outcomes[1] is None and outcomes[0].items == (1,)
    assert outcomes[0].error.name == "xMaxClonesPerNodeExceeded"
    assert executor.errors == {} and [a["params"] for a in executor.executed_actions()] == [{"volumeID": 2}]


def test_a_whole_plan_is_one_item_and_reports_none():
    step = WholePlan.step([Action(LOCAL, "StartClusterPairing")])
    assert step.items == (WHOLE,) and WHOLE == 0 and NO_ITEM == -1
    assert tuple(WholePlan().items) == ()


def test_the_state_and_plan_of_a_run_exist_once_it_has_read():
    runner = AccessRunner(World({"a": "readWrite"}), {"a": "readWrite"})
    with pytest.raises(AssertionError, match="has not read"):
        assert runner.first_plan
    runner.run()
    assert runner.first_state == runner.last_state == {"a": "readWrite"}
