# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The EDA source's change detection, against two in-memory clusters (fake_element): what each
poll says, what it does not say again, the back-off on a cluster that does not answer, and its
arguments."""

from __future__ import annotations

import asyncio
import importlib.util
import os

import pytest

from ansible_collections.element.replication.tests.unit.plugins.modules.fake_element import two_clusters
from ansible_collections.element.replication.tests.unit.plugins.modules.utils import FakeElementClient

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(HERE, "..", "..", "..", "..", "extensions", "eda", "plugins", "event_source",
                      "replication_events.py")
spec = importlib.util.spec_from_file_location("replication_events", SOURCE)
events_source = importlib.util.module_from_spec(spec)
spec.loader.exec_module(events_source)

PASSWORD = "s3cret-admin-pw"
TOPOLOGY = [{"source": "prod", "target": "dr", "mode": "Async", "rpo": "5m",
             "volumes": [{"volume": "db01"}, {"volume": "db02", "paused": True}]}]


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


class World:
    """prod and dr, paired, db01 and db02 replicated; a Watcher over them with in-memory clients."""

    def __init__(self, topology=None, pairs=("db01", "db02"), **args):
        self.network, self.prod, self.dr = two_clusters()
        self.prod.add_volume("db02", 12)
        self.dr.add_volume("db02", 22)
        self.clusters = {"prod": self.prod, "dr": self.dr}
        self.stats = {"prod": {}, "dr": {}}  # volume ID -> asyncDelay
        self.now = "2026-12-06T10:00:00Z"
        for name, cluster in self.clusters.items():
            cluster.ListVolumeStats = self._stats(name)
        self.call("prod", "CompleteClusterPairing", "dr", "StartClusterPairing")
        for volume in pairs:
            self.pair(volume)
        settings = events_source.parse_args(dict({
            "clusters": {name: {"hostname": cluster.mvip} for name, cluster in self.clusters.items()},
            "username": "admin", "password": PASSWORD, "topology": TOPOLOGY if topology is None else topology,
            "interval": 10}, **args))
        self.clock = Clock()
        self.made = []
        self.watcher = events_source.Watcher(settings, client_factory=self._client, clock=self.clock)

    def _stats(self, name):
        def stats():
            return {"volumeStats": [{"volumeID": volume_id, "asyncDelay": delay, "timestamp": self.now}
                                    for volume_id, delay in self.stats[name].items()]}
        return stats

    def _client(self, cluster_id):
        client = FakeElementClient(self.clusters[cluster_id], self.clusters[cluster_id].mvip, display_name=cluster_id)
        self.made.append(client)
        return client

    def call(self, name, method, other=None, start=None, **params):
        """A call made behind the source's back (another tool, a person)."""
        if start:
            key = self.clusters[other].answers()[start]({})["clusterPairingKey"]
            params["clusterPairingKey"] = key
        return self.clusters[name].answers()[method](params)

    def pair(self, volume, mode="Async"):
        source = [i for i, v in self.prod.volumes.items() if v["name"] == volume][0]
        target = [i for i, v in self.dr.volumes.items() if v["name"] == volume][0]
        key = self.call("prod", "StartVolumePairing", volumeID=source, mode=mode)["volumePairingKey"]
        self.call("dr", "CompleteVolumePairing", volumeID=target, volumePairingKey=key)
        self.dr.volumes[target]["access"] = "replicationTarget"
        self.stats["prod"][source] = "PT1S"

    def poll(self):
        return [(e["kind"],) + subject(e) for e in self.watcher.poll()]

    def reads(self):
        return sum(len(client.calls) for client in self.made)


def subject(event):
    if "volume_pair_uuid" in event:
        return (event["source_volume_name"], event["source_state"], event["target_state"])
    if "peer_cluster" in event:
        return (event["cluster"], event["peer_cluster"])
    return (event["cluster"],)


def test_start_up_says_what_is_not_in_its_declared_state_then_only_changes():
    world = World()
    world.call("prod", "ModifyVolumePair", volumeID=11, pausedManual=True)  # drift
    world.call("prod", "ModifyVolumePair", volumeID=12, pausedManual=True)  # as declared
    first = world.watcher.poll()
    assert [(e["kind"],) + subject(e) for e in first] == [
        ("pair_state_changed", "db01", "PausedManual", "PausedManualRemote")]
    assert first[0]["startup"] is True and first[0]["codes"] == ["paused_by_hand"]
    assert first[0]["declared"]["paused"] is False and first[0]["in_declared_state"] is False
    assert world.poll() == [] and world.poll() == []


def test_a_state_change_on_either_side_and_its_return():
    world = World()
    assert world.poll() == [("pair_state_changed", "db02", "Active", "Active")], "db02 is declared paused"
    world.call("dr", "ModifyVolumePair", volumeID=21, pausedManual=True)  # paused from the target side
    (event,) = world.watcher.poll()
    assert (event["kind"], event["source_state"], event["target_state"]) == (
        "pair_state_changed", "PausedManualRemote", "PausedManual")
    assert event["previous"]["source_state"] == "Active" and event["source_cluster"] == "prod"
    assert (event["source_volume_id"], event["target_volume_id"], event["mode"]) == (11, 21, "Async")
    world.call("dr", "ModifyVolumePair", volumeID=21, pausedManual=False)
    assert world.poll() == [("pair_state_changed", "db01", "Active", "Active")]
    world.call("prod", "ModifyVolumePair", volumeID=12, pausedManual=True)
    (back,) = world.watcher.poll()
    assert back["in_declared_state"] is True and back["previous"]["codes"] == ["declared_paused"]
    assert world.poll() == []


def test_a_mode_change_is_a_state_change_measured_against_the_declared_mode():
    world = World()
    world.poll()
    world.call("prod", "ModifyVolumePair", volumeID=11, mode="Sync")
    (event,) = world.watcher.poll()
    assert event["kind"] == "pair_state_changed" and event["mode"] == "Sync"
    assert "mode_not_as_declared" in event["codes"] and event["in_declared_state"] is False


def test_pairs_appear_disappear_and_a_half_pair_is_one_sided():
    world = World(pairs=("db01",))
    world.poll()
    world.pair("db02")
    assert world.poll() == [("pair_appeared", "db02", "Active", "Active")]
    world.call("prod", "RemoveVolumePair", volumeID=11)  # dr still lists it: half-paired
    (half,) = world.watcher.poll()
    assert (half["kind"], half["health"], half["codes"]) == (
        "pair_state_changed", "one-sided", ["volume_pair_one_sided"])
    assert half["summary"] == "db01 on prod -> db01 on dr: None / Active (volume_pair_one_sided)"
    world.call("dr", "RemoveVolumePair", volumeID=21)
    assert world.poll() == [("pair_disappeared", "db01", None, "Active")]
    assert world.poll() == []


def test_a_cluster_pair_disconnects_and_reconnects():
    world = World(pairs=("db01",))
    world.poll()
    for cluster in (world.prod, world.dr):
        cluster.cluster_pairs[0]["status"] = "Disconnected"
    events = world.watcher.poll()
    assert [(e["kind"],) + subject(e) for e in events][:1] == [("cluster_pair_disconnected", "prod", "dr")]
    assert events[0]["codes"] == ["cluster_pair_not_connected"] and events[0]["local_status"] == "Disconnected"
    assert events[0]["cluster_pair_uuid"] == world.prod.cluster_pairs[0]["clusterPairUUID"]
    assert [e["codes"] for e in events[1:]] == [["disconnected"]], "the pair is measured against the link"
    for cluster in (world.prod, world.dr):
        cluster.cluster_pairs[0]["status"] = "Connected"
    assert [k[0] for k in world.poll()] == ["cluster_pair_reconnected", "pair_state_changed"]
    assert world.poll() == []


def test_rpo_breach_and_recovery_once_each_and_an_unknown_lag_keeps_the_verdict():
    world = World()
    world.poll()
    world.stats["prod"][11] = "PT10M"
    (breach,) = world.watcher.poll()
    assert (breach["kind"], breach["lag_seconds"], breach["rpo_seconds"], breach["within_rpo"]) == (
        "rpo_breached", 600.0, 300.0, False)
    assert [f["code"] for f in breach["findings"]] == ["rpo_breached"]
    world.stats["prod"][11] = "PT11M"
    assert world.poll() == [], "still breached: said once"
    del world.stats["prod"][11]  # the lag cannot be measured for a while
    assert world.poll() == []
    world.stats["prod"][11] = "PT12M"
    assert world.poll() == [], "the verdict was kept while the lag was unknown"
    world.stats["prod"][11] = "PT2S"
    assert world.poll() == [("rpo_recovered", "db01", "Active", "Active")]


def test_schedule_failing_running_late_and_recovering():
    world = World(topology=[{"source": "prod", "target": "dr", "mode": "SnapshotsOnly", "rpo": "1d",
                             "volumes": [{"volume": "db01"}]}], pairs=())
    world.pair("db01", mode="SnapshotsOnly")
    world.prod.ListSnapshots = lambda: {"snapshots": [{
        "snapshotID": 1, "volumeID": 11, "name": "hourly", "createTime": "2026-12-06T09:30:00Z", "status": "done",
        "snapshotUUID": "s1", "remoteStatuses": [{"volumePairUUID": "x", "remoteStatus": "Present"}]}]}
    world.dr.ListSnapshots = lambda: {"snapshots": [{
        "snapshotID": 7, "volumeID": 21, "name": "hourly", "createTime": "2026-12-06T09:30:00Z", "status": "done",
        "snapshotUUID": "s1"}]}
    schedule = {"scheduleID": 1, "scheduleName": "hourly", "hours": 1, "minutes": 0,
                "attributes": {"frequency": "Time Interval"}, "lastRunStatus": "Success", "hasError": False,
                "lastRunTimeStarted": "2026-12-06T09:30:00Z", "paused": False, "toBeDeleted": False,
                "scheduleInfo": {"volumeID": 11, "enableRemoteReplication": True}}
    world.prod.schedules.append(schedule)
    world.stats["dr"][21] = "PT0S"
    assert world.poll() == [], "a SnapshotsOnly pair with a running schedule is healthy"
    schedule.update(lastRunStatus="Failed", hasError=True)
    (failed,) = world.watcher.poll()
    assert failed["kind"] == "schedule_failed" and "schedule_failed" in failed["codes"]
    world.now = "2026-12-06T11:30:00Z"  # two hours since its last run
    assert world.poll() == [("schedule_late", "db01", "Active", "Active")], "only the new finding"
    schedule.update(lastRunStatus="Success", hasError=False, lastRunTimeStarted="2026-12-06T11:29:00Z")
    assert world.poll() == [("schedule_recovered", "db01", "Active", "Active")]
    assert world.poll() == []


def test_a_cluster_that_does_not_answer_is_an_event_and_is_tried_again_later():
    world = World()
    world.poll()
    before = world.reads()
    world.dr.fail("GetClusterInfo", "xNotReadyForIO", "dr is down")
    events = world.watcher.poll()
    assert [(e["kind"], e["cluster"]) for e in events] == [("cluster_unreachable", "dr")]
    assert "dr is down" in events[0]["error"] and "GetClusterInfo" in events[0]["error"]
    world.call("prod", "ModifyVolumePair", volumeID=11, pausedManual=True)
    assert world.poll() == [], "a cluster pair with a side not read says nothing"
    dr_reads = sum(len(c.calls) for c in world.made if c.cluster is world.dr)
    world.poll()
    assert sum(len(c.calls) for c in world.made if c.cluster is world.dr) == dr_reads, "not tried before its time"
    world.clock.now += 10  # the first back-off: one interval
    events = world.poll()
    assert events == [("cluster_reachable", "dr"), ("pair_state_changed", "db01", "PausedManual", "PausedManualRemote")]
    assert world.reads() > before


def test_back_off_doubles_up_to_max_backoff():
    world = World(max_backoff=35)
    world.poll()
    for _fault in range(6):
        world.dr.fail("GetClusterInfo", "xNotReadyForIO", "dr is down")
    waits = []
    for _poll in range(4):
        world.clock.now = world.watcher.retry_at.get("dr", world.clock.now)
        world.poll()
        waits.append(world.watcher.retry_at["dr"] - world.clock.now)
    assert waits == [10, 20, 35, 35]


def test_heartbeat_and_no_secret_in_any_event():
    world = World()
    world.call("prod", "ModifyVolumePair", volumeID=11, pausedManual=True)
    events = world.watcher.poll()
    beat = world.watcher.heartbeat()
    assert (beat["kind"], beat["clusters"], beat["volume_pairs"], beat["not_in_declared_state"]) == (
        "heartbeat", {"dr": True, "prod": True}, 2, 2)
    assert PASSWORD not in repr(events + [beat])


def test_main_puts_events_on_the_queue(monkeypatch):
    world = World()
    world.call("prod", "ModifyVolumePair", volumeID=11, pausedManual=True)
    monkeypatch.setattr(events_source, "Watcher", lambda settings: world.watcher)

    async def run():
        queue = asyncio.Queue()
        args = {"hostname": "x", "username": "u", "password": "p", "peer": {"hostname": "y"}, "interval": 0.01,
                "heartbeat": 0.01}
        task = asyncio.ensure_future(events_source.main(queue, args))
        got = [await asyncio.wait_for(queue.get(), 5) for _event in range(4)]
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return got

    got = asyncio.run(run())
    assert [(e["kind"], e.get("source_volume_name")) for e in got] == [
        ("pair_state_changed", "db01"), ("pair_state_changed", "db02"), ("heartbeat", None), ("heartbeat", None)]
    assert all(client.closed for client in world.made), "the clients are closed when the source stops"


def test_connections_come_from_the_element_variables(monkeypatch):
    for name, value in (("HOSTNAME", "prod.example.com"), ("USERNAME", "admin"), ("PASSWORD", PASSWORD),
                        ("PEER_HOSTNAME", "dr.example.com"), ("PEER_PORT", "8443")):
        monkeypatch.setenv("ELEMENT_%s" % name, value)
    settings = events_source.parse_args({})
    assert settings.pairs == [("local", "peer")]
    assert settings.clusters["local"]["hostname"] == "prod.example.com"
    assert (settings.clusters["peer"]["hostname"], settings.clusters["peer"]["port"]) == ("dr.example.com", 8443)
    assert settings.clusters["peer"]["password"] == PASSWORD, "the peer borrows the same user's password"
    client = events_source.element_client(settings.clusters["peer"])
    assert client.address == "dr.example.com:8443"
    client.close()


@pytest.mark.parametrize("args, words", [
    ({}, "give hostname, username, password and peer"),
    ({"clusters": {"prod": {"hostname": "p"}}, "username": "u", "password": "p",
      "pairs": [{"source": "prod", "target": "dr"}]}, "dr not among clusters"),
    ({"clusters": {"prod": {"hostname": "p"}}}, "clusters.prod: missing username, password"),
    ({"clusters": {"prod": {"hostname": "p", "username": "u", "password": "p"}}}, "no cluster pair to watch"),
    ({"hostname": "p", "username": "u", "password": PASSWORD, "peer": {"hostname": "d"}, "interval": 0},
     "interval and max_backoff must be positive"),
    ({"hostname": "p", "username": "u", "password": PASSWORD, "peer": {"hostname": "d", "username": "other"}},
     "peer.password is required"),
    ({"hostname": "p", "username": "u", "password": PASSWORD, "peer": {"hostname": "d"}, "topology": [{"source": "p"}]},
     "topology entry 1: source and target are required"),
    ({"hostname": "p", "username": "u", "password": PASSWORD, "peer": {"hostname": "d"}, "colour": "red"},
     "colour"),
])
def test_bad_arguments_are_refused_in_words_without_secrets(monkeypatch, args, words):
    for name in [k for k in os.environ if k.startswith("ELEMENT_")]:
        monkeypatch.delenv(name)
    with pytest.raises(ValueError) as raised:
        events_source.parse_args(args)
    assert words in str(raised.value) and PASSWORD not in str(raised.value)
