#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: element_replication_rehearsal
short_description: Rehearse a NetApp Element disaster recovery at the DR site without stopping replication
version_added: 1.1.0
description:
  - Proves that the DR copies would recover, while production keeps running and replicating. On the
    cluster of the connection options (the one that holds the replication targets), clones the target
    of every named volume pair (C(CloneVolume)) into a rehearsal account, as a C(readWrite) volume that
    test hosts can log in to, optionally through a volume access group with their initiators.
  - O(point=snapshot) clones the newest replicated snapshot of the target (a consistent point in
    time; the default for V(SnapshotsOnly) pairs), O(point=latest) the live target (the default for
    the other modes).
  - Replication is never touched. A clone is a new, unpaired volume; the target stays a
    C(replicationTarget), its pair stays as it was, and the drift audit stays clean.
  - Every clone carries a marker in its attributes (the rehearsal's name, the clone's own name and ID, the
    pair's UUID, the source cluster, the source and target volumes, the point in time). O(state=absent)
    deletes and purges exactly the clones this rehearsal made (of the pairs O(pairs) names, when given), and
    the access group it made once none of its clones is left. A volume counts as a clone only when its
    marker names that very volume, so a copy made from a clone (which inherits its attributes) is never
    deleted. A volume, access group or account of the expected name without the marker is never taken over
    or deleted; the run is refused instead.
  - What a rehearsal proves is the recovery point of each clone, RV(clones[].age_seconds). For a snapshot,
    its age when cloned; for the live target (O(point=latest)), the target's lag when cloned, the source
    volume's C(asyncDelay) read on O(peer) (the source cluster). Without O(peer), or when the source does
    not answer, that age is unknown and RV(clones[].warnings) says so. A pair that is not C(Active), and a
    point older than the pair's O(pairs[].rpo), are named in RV(clones[].warnings).
  - Clone jobs are asynchronous. The module keeps at most O(parallel) of them running, within the
    cluster's clone limits (a cluster that refuses one more clone is given time), and watches them
    with one C(ListAsyncResults) call per poll whatever the number of pairs.
  - Idempotent, so a second run with the same name changes nothing. A clone that failed half-way is
    purged and cloned again by the next run.
  - O(peer), when given, is the source cluster of the pairs. Only read calls go to it (C(GetClusterInfo),
    C(ListVolumeStats), and C(ListSnapshots) and C(ListSchedules) when there are V(SnapshotsOnly) pairs), for the
    lags and snapshot schedules; the rehearsal never changes it and goes on without it. When this cluster
    does not answer and O(display_name) is not given, errors name it as the peer lists it.
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
      - Shows each pair's clone (name, status, point in time, access group) before and after.
  idempotent:
    support: full
options:
  name:
    description:
      - The rehearsal's name, 1-32 letters, digits, V(.), V(_) or V(-). Clones are named
        C(<name>-<target volume>) (shortened with a hash of the target when over Element's 64 characters).
    type: str
    required: true
  state:
    description: V(present) brings the rehearsal up; V(absent) removes its clones and access group.
    type: str
    choices: [present, absent]
    default: present
  pairs:
    description:
      - The volume pairs to rehearse, named as in the topology and in M(element.replication.element_volume_pair);
        O(pairs[].volume) is the source volume on the other cluster (its pair on this cluster is
        followed), O(pairs[].peer_volume) the target on this cluster.
      - Left out, every volume of this cluster that is the replication target of a pair is rehearsed.
      - With O(state=absent), only the clones of these pairs are removed (by their markers); left out, every
        clone of the rehearsal.
    type: list
    elements: dict
    suboptions:
      volume:
        description: Name of the source volume (on the other cluster).
        type: str
      volume_id:
        description: ID of the source volume (on the other cluster).
        type: int
      peer_volume:
        description: Name of the target volume on this cluster.
        type: str
      peer_volume_id:
        description: ID of the target volume on this cluster.
        type: int
      account:
        description: Account of the source volume (kept for topology items; not used here).
        type: str
      peer_account:
        description: Account (name or ID) of the target volume, to narrow a look-up by name.
        type: str
      source_cluster:
        description: The source cluster of this pair, as O(source_cluster) (which it overrides).
        type: str
      rpo:
        description:
          - The pair's recovery point objective (C(30s), C(15m), C(4h), C(1d), or seconds). A clone whose point
            in time is older is named in RV(clones[].warnings), as the rehearsal does not prove that RPO.
        type: str
  pending_first_snapshot:
    description:
      - What to do with a pair that O(point) clones from a snapshot (V(SnapshotsOnly) pairs with O(point=auto))
        when none of its replicated snapshots has arrived yet, while the snapshot schedule on the source
        (O(peer)) runs, did not fail and is not late, as right after the pair was set up.
      - V(skip) leaves it out, with RV(clones[].skipped) saying that it is "waiting for its first replicated
        snapshot (next run at T)"; V(refuse) refuses the rehearsal, as for a pair without a working schedule.
    type: str
    choices: [skip, refuse]
    default: skip
  source_cluster:
    description:
      - The source cluster of the pairs, by its name, unique ID or MVIP as this cluster lists it
        (C(ListClusterPairs)). Pairs named by their source volume are then looked up among the pairs
        with that cluster only; needed when several clusters replicate volumes of one name here.
      - With O(state=absent), only the clones of pairs with that cluster are removed.
    type: str
  point:
    description:
      - Which point in time to clone. V(snapshot), the newest replicated snapshot of the target;
        V(latest), the live target; V(auto), V(snapshot) for V(SnapshotsOnly) pairs and V(latest) for the others.
    type: str
    choices: [auto, snapshot, latest]
    default: auto
  account:
    description:
      - The account that owns the clones, created (with the collection's marker) when missing. An
        existing account of that name without the marker (a tenant's) is refused.
    type: str
    default: element-rehearsal
  access_group:
    description:
      - A volume access group for the clones, so that test hosts can log in to them (created with the
        rehearsal's marker when missing; its initiators kept to O(access_group.initiators)).
    type: dict
    suboptions:
      name:
        description: Name of the volume access group.
        type: str
        required: true
      initiators:
        description: IQNs (or WWPNs) of the test hosts.
        type: list
        elements: str
        default: []
  parallel:
    description:
      - How many clone jobs run at the same time, at most (Element allows C(cloneJobsPerNodeMax) per node).
      - Also the calls in flight to the cluster at once, the C(CloneVolume) calls that fill free slots and the
        deletions of a cleanup among them; the calls for one clone stay in order.
    type: int
    default: 8
  wait_timeout:
    description: Seconds to wait for the clone jobs; a clone still running then fails its pair (a re-run waits for it).
    type: int
    default: 3600
notes:
  - Clones take space on the DR cluster until the rehearsal is removed. Test hosts see the data as it
    was at the point in time cloned; writes to the clones never reach the replication targets.
seealso:
  - module: element.replication.element_replication_failover
  - name: The rehearsal guide
    description: What a rehearsal proves, how test hosts connect, cleanup and limits.
    link: https://github.com/element-replication/element.replication/blob/main/docs/rehearsal.md
"""

EXAMPLES = r"""
- name: Rehearse the DR copies of the database volumes at the DR site
  element.replication.element_replication_rehearsal:
    hostname: dr-mvip.example.com
    username: admin
    password: "{{ dr_admin_password }}"
    name: q4-test
    pairs:
      - volume: db01
      - volume: db02
    access_group:
      name: q4-test-hosts
      initiators:
        - iqn.1998-01.com.vmware:test-esx01
  register: rehearsal

- name: Show where the test hosts find the clones
  ansible.builtin.debug:
    msg: "{{ rehearsal.clones | map(attribute='iqn') | list }}"

- name: Clean up after the test, leaving replication as it is
  element.replication.element_replication_rehearsal:
    hostname: dr-mvip.example.com
    username: admin
    password: "{{ dr_admin_password }}"
    name: q4-test
    state: absent
"""

RETURN = r"""
clones:
  description: One entry per rehearsed pair (its clone, the point in time it holds, and how old that was when cloned).
  returned: always
  type: list
  elements: dict
  contains:
    source_volume_name:
      description: The source volume on the other cluster.
      type: str
    target_volume_name:
      description: The replication target on this cluster (cloned, never changed).
      type: str
    target_volume_id:
      description: ID of the target.
      type: int
    target_access:
      description: Access of the target (stays V(replicationTarget)).
      type: str
    target_state:
      description: Replication state of the target's pair.
      type: str
    volume_pair_uuid:
      description: UUID of the volume pair.
      type: str
    clone_name:
      description: Name of the clone.
      type: str
    clone_volume_id:
      description: ID of the clone.
      type: int
    clone_status:
      description: V(active), or V(init) while its clone job runs.
      type: str
    iqn:
      description: The clone's iSCSI target name, for the test hosts.
      type: str
    point:
      description: V(snapshot) or V(latest).
      type: str
    snapshot:
      description: The replicated snapshot cloned (O(point=snapshot)).
      type: str
    point_in_time:
      description: The time of the data the clone holds (the snapshot's, or the clone's for V(latest)).
      type: str
    age_seconds:
      description:
        - How old that point in time was when the clone was made, the recovery point the rehearsal proves. For a
          clone of the live target, the target's lag then (the source's C(asyncDelay)); null when unknown (see
          RV(clones[].warnings)).
      type: float
    pair_state:
      description: The pair's replication state when the clone was made (V(Active), or why it was behind).
      type: str
    rpo_seconds:
      description: The pair's RPO (O(pairs[].rpo)) in seconds, or null.
      type: float
    within_rpo:
      description: Whether the point in time cloned was within the pair's RPO; null without an RPO or a known age.
      type: bool
    warnings:
      description:
        - What a DR user must know about this clone's recovery point, in words. The pair was not C(Active) when
          cloned; the age of the point in time is unknown, and why; the point is older than the pair's RPO.
      type: list
      elements: str
    skipped:
      description: Why the pair was not rehearsed (waiting for its first replicated snapshot), or null.
      type: str
    access_group:
      description: The access group the clone is in, if any.
      type: str
    changed:
      description: Whether this pair's clone was made (or would be).
      type: bool
    changes:
      description: What was done, in words.
      type: list
      elements: str
    failed:
      description: Whether this pair failed.
      type: bool
    msg:
      description: Why this pair failed.
      type: str
      returned: when failed
removed:
  description: With O(state=absent), what was removed (or would be), in words.
  returned: always
  type: list
  elements: str
kept:
  description: With O(state=absent), what was left because other pairs' clones still use it (the access group), in words.
  returned: always
  type: list
  elements: str
actions:
  description: The API calls made, in order (planned in check mode).
  returned: always
  type: list
  elements: dict
"""

from ansible_collections.element.replication.plugins.module_utils._argspec import (
    PAIR_KEYS, ArgumentSpec, PairSpec, pairs_option)
from ansible_collections.element.replication.plugins.module_utils._connection import (
    Connections, connection_argument_spec)
from ansible_collections.element.replication.plugins.module_utils._durations import DurationError, parse_rpo
from ansible_collections.element.replication.plugins.module_utils._plan import WHOLE, Waiter
from ansible_collections.element.replication.plugins.module_utils._rehearsal import (
    Options, PairSettings, RehearsalRunner, clone_view, predicted_view)
from ansible_collections.element.replication.plugins.module_utils._results import Results

OPTIONS = ArgumentSpec(dict(
    name=dict(type="str", required=True),
    state=dict(type="str", default="present", choices=["present", "absent"]),
    point=dict(type="str", default="auto", choices=["auto", "snapshot", "latest"]),
    account=dict(type="str", default="element-rehearsal"),
    access_group=dict(type="dict", options=dict(name=dict(type="str", required=True),
                                                initiators=dict(type="list", elements="str", default=[]))),
    parallel=dict(type="int", default=8),
    wait_timeout=dict(type="int", default=3600),
    pairs=pairs_option(dict(source_cluster=dict(type="str"), rpo=dict(type="str")), source_required=False),
    source_cluster=dict(type="str"),
    pending_first_snapshot=dict(type="str", default="skip", choices=["skip", "refuse"]),
))


def pair_settings(module, items):
    """Each pair's RPO (in seconds) and source cluster, by its index; a bad RPO fails before any call."""
    settings = {}
    for index, item in items:
        try:
            rpo = parse_rpo(item["rpo"]) if item.get("rpo") not in (None, "") else None
        except DurationError as exc:
            module.fail_json(msg="pairs[%d].rpo: %s" % (index - 1, exc))
        settings[index] = PairSettings(rpo_seconds=rpo, source_cluster=item.get("source_cluster"))
    return settings


def main():
    module = connection_argument_spec(peer="optional").merge(OPTIONS).create_ansible_module(supports_check_mode=True)
    params = module.params
    group = params["access_group"]
    items = list(enumerate(params["pairs"] or [], start=1))
    options = Options(name=params["name"], account=params["account"], point=params["point"],
                      access_group=group["name"] if group else None,
                      initiators=tuple(group["initiators"]) if group else (), source_cluster=params["source_cluster"],
                      pairs=pair_settings(module, items), pending_first_snapshot=params["pending_first_snapshot"])
    specs = [PairSpec(index=i, **{k: item.get(k) for k in PAIR_KEYS}) for i, item in items]
    connections = Connections(module, pool_size=params["parallel"])
    results = Results(module, connections)
    runner = RehearsalRunner(connections, specs if params["pairs"] is not None else None, options, state=params["state"], check_mode=module.check_mode,
                             parallel=params["parallel"],
                             waiter=Waiter(timeout=params["wait_timeout"], interval=2.0))
    changed = results.run(runner)
    plan = runner.first_plan
    first_cluster, first_groups = runner.first_state[0], runner.first_state[1]
    last_cluster, last_groups = runner.last_state[0], runner.last_state[1]

    def group_of(groups):
        return next((g for g in groups if options.access_group and g.name == options.access_group), None)

    before = [clone_view(i, first_cluster, group_of(first_groups), options) for i in plan.items]
    after = [predicted_view(i, first_cluster, options) if module.check_mode
             else clone_view(i, last_cluster, group_of(last_groups), options) for i in plan.items]
    entries = results.item_entries(runner, plan.items, before if module.check_mode else after)
    removed, kept = (plan.removed, plan.kept) if params["state"] == "absent" else ([], [])
    labels = {i.spec.index: i.spec.label for i in plan.items}
    labels[WHOLE] = "rehearsal %s" % params["name"]
    results.finish(changed, errors=runner.errors, labels=labels, total=len(plan.items) or 1, clones=entries,
                   removed=removed, kept=kept, actions=runner.reported_actions(), diff=({"clones": before}, {"clones": after}))


if __name__ == "__main__":
    main()
