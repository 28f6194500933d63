#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: element_snapshot_schedule
short_description: Manage NetApp Element snapshot schedules, replicated and grouped
version_added: 1.1.0
description:
  - Creates, changes, pauses and deletes one snapshot schedule (C(CreateSchedule), C(ModifySchedule),
    C(ListSchedules)) on the cluster of the connection options.
  - A schedule of one volume takes single snapshots; a schedule of several volumes takes group
    snapshots, the only crash-consistent point in time across the volumes of one application.
  - With O(replicate=true) the snapshots are taken with remote replication, so they reach the targets
    of the volumes' pairs. A V(SnapshotsOnly) pair replicates nothing else; for an V(Async) pair they are
    consistent points in time to fail back to.
  - A schedule is identified by its name and a marker in its attributes. A schedule of that name made
    by hand (without the marker) is never taken over; the run is refused and nothing is changed.
  - Idempotent; the schedule is compared field by field and only what differs is changed.
  - O(peer) is not used; it is accepted so that the C(module_defaults) of the action group can carry the
    peer connection for the modules that need it.
author:
  - element.replication maintainers (@element-replication)
extends_documentation_fragment:
  - element.replication.connection
  - element.replication.connection.PEER_OPTIONAL
  - element.replication.attributes
  - element.replication.attributes.ACTIONGROUP_ELEMENT
attributes:
  check_mode:
    support: full
    details:
      - Only read calls are made; RV(actions) lists exactly the calls a real run would make.
  diff_mode:
    support: full
    details:
      - Shows the schedule before and after (or as it would be).
  idempotent:
    support: full
options:
  name:
    description: The schedule's name (C(scheduleName)), 1-244 characters; unique among the schedules of the cluster.
    type: str
    required: true
  state:
    description: V(present) creates or changes the schedule; V(absent) deletes it (C(toBeDeleted)).
    type: str
    choices: [present, absent]
    default: present
  volumes:
    description:
      - Names of the volumes to snapshot. One volume gives single snapshots, several give group
        snapshots (at most 32 volumes, Element's limit for one group snapshot).
      - Required with O(state=present) unless O(volume_ids) is given.
    type: list
    elements: str
    default: []
  volume_ids:
    description: IDs of volumes to snapshot, in addition to O(volumes).
    type: list
    elements: int
    default: []
  account:
    description: Account (name or ID) that owns the volumes, to narrow a look-up by name.
    type: str
  every:
    description:
      - Take a snapshot at this interval (an Element C(Time Interval) schedule), as seconds or with a unit
        (V(15m), V(1h), V(1d)); a multiple of five minutes, since Element runs schedules at five-minute
        boundaries, and at most V(8784h) (366 days), Element's longest interval. Both are checked before
        any call, in check mode too.
      - Exactly one of O(every), O(weekdays) and O(monthdays).
    type: str
  weekdays:
    description:
      - Take a snapshot on these days of the week at O(at) (an Element C(Days Of Week) schedule), as
        names (V(monday), V(mon)) or numbers (V(0) is Sunday).
    type: list
    elements: str
  monthdays:
    description: Take a snapshot on these days of the month (1-31) at O(at) (an Element C(Days Of Month) schedule).
    type: list
    elements: int
  at:
    description: The time of day (C(HH:MM), UTC, minutes a multiple of 5) for O(weekdays) and O(monthdays).
    type: str
    default: "00:00"
  retain:
    description:
      - How long each snapshot is kept (Element's C(retention)), as seconds or with a unit (V(24h), V(7d)).
        At least the time between two runs, so that there is always a snapshot. Left out, snapshots are
        kept until deleted (and count against the 32 snapshots a volume may have).
    type: str
  replicate:
    description: Take the snapshots with remote replication (C(enableRemoteReplication)).
    type: bool
    default: false
  paused:
    description: Keep the schedule, but do not run it (the old source's schedule after a failover).
    type: bool
    default: false
  snapshot_name:
    description: The name of the snapshots the schedule takes. Defaults to O(name).
    type: str
notes:
  - Element runs schedules on the cluster's clock, in UTC.
seealso:
  - module: element.replication.element_volume_pair
  - module: element.replication.element_replication_info
"""

EXAMPLES = r"""
- name: Replicated snapshots of the archive volume every hour, kept for a day
  element.replication.element_snapshot_schedule:
    hostname: prod-mvip.example.com
    username: admin
    password: "{{ prod_admin_password }}"
    name: archive-hourly
    volumes: [archive]
    every: 1h
    retain: 24h
    replicate: true

- name: A crash-consistent group snapshot of the database volumes every night at 01:30 UTC
  element.replication.element_snapshot_schedule:
    hostname: prod-mvip.example.com
    username: admin
    password: "{{ prod_admin_password }}"
    name: db-nightly
    volumes: [db01, db02]
    weekdays: [mon, tue, wed, thu, fri, sat, sun]
    at: "01:30"
    retain: 7d
    replicate: true

- name: Stop taking nightly snapshots
  element.replication.element_snapshot_schedule:
    hostname: prod-mvip.example.com
    username: admin
    password: "{{ prod_admin_password }}"
    name: db-nightly
    state: absent
"""

RETURN = r"""
schedule:
  description:
    - The schedule after the run (in check mode, as it would be); empty when it is absent.
  returned: always
  type: dict
  contains:
    schedule_id:
      description: The schedule's ID (V((new)) in check mode before it exists).
      type: raw
    name:
      description: The schedule's name.
      type: str
    frequency:
      description: C(Time Interval), C(Days Of Week) or C(Days Of Month).
      type: str
    hours:
      description: The interval's hours, or the hour of day.
      type: int
    minutes:
      description: The interval's minutes, or the minute of the hour.
      type: int
    weekdays:
      description: The days of the week it runs (0 is Sunday).
      type: list
      elements: int
    monthdays:
      description: The days of the month it runs.
      type: list
      elements: int
    volume_ids:
      description: The volumes it snapshots.
      type: list
      elements: int
    snapshot_name:
      description: The name of the snapshots it takes.
      type: str
    retention:
      description: How long each snapshot is kept (C(HH:MM:SS)); null when kept until deleted.
      type: str
    replicate:
      description: Whether the snapshots are replicated.
      type: bool
    paused:
      description: Whether the schedule is paused.
      type: bool
    last_run_status:
      description: Element's C(lastRunStatus) (C(Success), C(Failed)); null before the first run.
      type: str
    last_run_time_started:
      description: When the last run started.
      type: str
    has_error:
      description: Element's C(hasError).
      type: bool
    ours:
      description: Whether the schedule carries the collection's marker.
      type: bool
  sample:
    schedule_id: 3
    name: archive-hourly
    frequency: Time Interval
    hours: 1
    minutes: 0
    weekdays: []
    monthdays: []
    volume_ids: [12]
    snapshot_name: archive-hourly
    retention: "24:00:00"
    replicate: true
    paused: false
    last_run_status: Success
    last_run_time_started: "2026-12-03T10:00:00Z"
    has_error: false
    ours: true
changes:
  description: What changed (or would), in words.
  returned: always
  type: list
  elements: str
actions:
  description: The API calls made, in order (planned in check mode).
  returned: always
  type: list
  elements: dict
"""

from ansible_collections.element.replication.plugins.module_utils._argspec import ArgumentSpec
from ansible_collections.element.replication.plugins.module_utils._connection import (
    Connections, connection_argument_spec)
from ansible_collections.element.replication.plugins.module_utils._durations import DurationError, parse_rpo
from ansible_collections.element.replication.plugins.module_utils._errors import Refusal
from ansible_collections.element.replication.plugins.module_utils._results import Results
from ansible_collections.element.replication.plugins.module_utils._frequency import frequency
from ansible_collections.element.replication.plugins.module_utils._schedule import Declared, ScheduleRunner

OPTIONS = ArgumentSpec(dict(
    name=dict(type="str", required=True),
    state=dict(type="str", default="present", choices=["present", "absent"]),
    volumes=dict(type="list", elements="str", default=[]),
    volume_ids=dict(type="list", elements="int", default=[]),
    account=dict(type="str"),
    every=dict(type="str"),
    weekdays=dict(type="list", elements="str"),
    monthdays=dict(type="list", elements="int"),
    at=dict(type="str", default="00:00"),
    retain=dict(type="str"),
    replicate=dict(type="bool", default=False),
    paused=dict(type="bool", default=False),
    snapshot_name=dict(type="str"),
))


def declared_schedule(params):
    """The schedule the options declare; a Refusal naming what is wrong with them."""
    name = params["name"]
    if not 1 <= len(name) <= 244:
        raise Refusal("schedule name %r must be 1-244 characters" % name)
    retain = None
    if params["retain"] not in (None, ""):
        try:
            retain = parse_rpo(params["retain"])
        except DurationError as exc:
            raise Refusal("schedule %s: retain %s" % (name, exc))
    if params["state"] == "absent":
        every = params["every"] if params["every"] or params["weekdays"] or params["monthdays"] else "1h"
    else:
        every = params["every"]
    try:
        when = frequency(every, params["weekdays"], params["monthdays"],
                         None if params["every"] or params["state"] == "absent" else params["at"])
    except Refusal as exc:
        raise Refusal("schedule %s: %s" % (name, exc))
    return Declared(name=name, frequency=when, volumes=tuple(params["volumes"]) + tuple(params["volume_ids"]),
                    account=params["account"], retain=retain, replicate=params["replicate"], paused=params["paused"],
                    snapshot_name=params["snapshot_name"], state=params["state"])


def main():
    module = connection_argument_spec(peer="optional").merge(OPTIONS).create_ansible_module(supports_check_mode=True)
    results = Results(module)
    try:
        declared = declared_schedule(module.params)
    except Refusal as exc:
        results.fail(exc, actions=[], changes=[], schedule={})
    connections = Connections(module)
    results = Results(module, connections)
    runner = ScheduleRunner(connections, declared, check_mode=module.check_mode)
    changed = results.run(runner)
    plan = runner.first_plan
    before = plan.existing.view() if plan.existing else {}
    if module.check_mode:
        after = plan.desired_view()
        changes = plan.changes
    else:
        last = runner.last_plan_view()
        after = last if last is not None else {}
        changes = runner.changes_made
    results.finish(changed, schedule=after, changes=changes, actions=runner.reported_actions(),
                   diff=(before, after))


if __name__ == "__main__":
    main()
