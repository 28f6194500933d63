#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: element_volume_pair
short_description: Replicate NetApp Element volumes to a paired cluster, one pair or hundreds per task
version_added: 1.0.0
description:
  - Makes sure volumes on the cluster given by the connection options (the sources, C(readWrite))
    replicate to volumes on the O(peer) cluster (the targets, C(replicationTarget)) in the declared
    mode and pause state, or do not replicate (O(state=absent)).
  - Declare one pair with O(volume) or O(volume_id) (and optionally O(peer_volume) or
    O(peer_volume_id)), or many in one task with O(pairs). Both clusters are read once for all
    pairs; a no-op run makes six API calls whether it covers one pair or a thousand.
  - A pair is this pair only when the source volume's pair entry points at the target volume through
    the cluster pair with the peer, and the target lists the source back with the same volume pair
    UUID. The target is always looked up on the peer.
  - New pairs are made with C(StartVolumePairing) on the source and C(CompleteVolumePairing) on the
    target; the pairing key never leaves the module. Targets are then set to C(replicationTarget) with
    C(ModifyVolumes), in bulk. Mode and pause drift is fixed with C(ModifyVolumePair).
  - Half-done pairs are repaired. A pairing started and never completed, and a pair listed on one
    side only (C(StoppedMisconfigured)), are removed and paired anew.
  - Each pair is refused, naming the cluster and the volume and before any change to it, when the
    volume is unknown or its name is ambiguous, the target is smaller than the source or differs in
    block size or 512e emulation, the source or the target is already paired with another volume,
    the source is not C(readWrite) (the pair is failed over), both volumes of an existing pair are
    C(readWrite), or the clusters have no connected cluster pair.
  - A pair that fails does not stop the others. The module then fails with a report per pair, and a
    re-run converges.
  - B(Split-site pairing), for when nobody holds the credentials of both clusters. O(step=start)
    runs on the source cluster (the connection options) and writes one key per pair it starts to
    O(pairing_key_file) (mode 0600); pairs that are complete are left alone, pending or one-sided
    ones are started anew. O(step=complete) runs on the target cluster (the connection options
    then address the target) with that file; O(volume) still names the source volume, whose key
    is looked up, and O(peer_volume) the target on this cluster. It completes the pairs and makes
    the targets C(replicationTarget). Neither step needs O(peer); the target's size cannot be
    checked against the source's from one side.
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
      - When the clusters are not paired yet, the plan assumes that an earlier task pairs them and
        says so in a warning, so that C(--check) of a whole DR set-up playbook shows every change.
  diff_mode:
    support: full
    details:
      - Shows each declared pair (pairing, mode, pause, state and access on both sides) before and after.
  idempotent:
    support: full
options:
  step:
    description:
      - V(both) drives both clusters in one run and needs O(peer).
      - V(start) and V(complete) are the two halves of split-site pairing; see the description.
        They take the pair options, O(mode) and O(pairing_key_file); O(paused), O(exclusive),
        O(create_target) and O(state=absent) need V(both).
    type: str
    choices: [both, start, complete]
    default: both
  pairing_key_file:
    description:
      - With O(step=start), the file the volume pairing keys are written to (mode 0600, replaced
        atomically); with O(step=complete), the file to read them from.
    type: path
  volume:
    description:
      - Name of the source volume on this cluster.
      - Mutually exclusive with O(volume_id) and O(pairs).
    type: str
  volume_id:
    description:
      - ID of the source volume on this cluster.
    type: int
  peer_volume:
    description:
      - Name of the target volume on the peer cluster.
      - Defaults to the name of the source volume.
    type: str
  peer_volume_id:
    description:
      - ID of the target volume on the peer cluster.
    type: int
  account:
    description:
      - Account (user name, or ID when all digits) that owns the source volume; narrows the look-up by name.
      - With O(pairs), the default of every item's O(pairs[].account).
    type: str
  peer_account:
    description:
      - Account (user name, or ID when all digits) that owns the target volume on the peer.
      - Required with O(create_target=true); new target volumes are created in this account.
      - With O(pairs), the default of every item's O(pairs[].peer_account).
    type: str
  pairs:
    description:
      - Many pairs in one task. Each item takes the same keys as the single-pair options.
      - O(pairs[].mode), O(pairs[].paused), O(pairs[].state), O(pairs[].account) and
        O(pairs[].peer_account) default to the task-level O(mode), O(paused), O(state), O(account)
        and O(peer_account).
      - Mutually exclusive with O(volume), O(volume_id), O(peer_volume) and O(peer_volume_id).
    type: list
    elements: dict
    suboptions:
      volume:
        description: Name of the source volume on this cluster.
        type: str
      volume_id:
        description: ID of the source volume on this cluster.
        type: int
      peer_volume:
        description: Name of the target volume on the peer; defaults to the source's name.
        type: str
      peer_volume_id:
        description: ID of the target volume on the peer.
        type: int
      account:
        description: Account (name or ID) of the source volume.
        type: str
      peer_account:
        description: Account (name or ID) of the target volume.
        type: str
      mode:
        description: Replication mode of this pair; defaults to O(mode). Case-insensitive.
        type: str
        choices: [Async, Sync, SnapshotsOnly]
      paused:
        description: Whether replication of this pair is paused.
        type: bool
      state:
        description: Whether this pair exists.
        type: str
        choices: [present, absent]
  mode:
    description:
      - Replication mode. Case-insensitive, as in the API (V(async) is V(Async)).
      - V(SnapshotsOnly) replicates only snapshots created with remote replication enabled.
    type: str
    choices: [Async, Sync, SnapshotsOnly]
    default: Async
  paused:
    description:
      - Whether replication is paused (C(ModifyVolumePair) C(pausedManual) on the source).
      - A pause set on the target side is lifted when O(paused=false).
    type: bool
    default: false
  state:
    description:
      - V(present) pairs the volumes; V(absent) removes the pair on both sides, converging when
        either side is already gone.
      - After O(state=absent) the target keeps its C(replicationTarget) access; set its access to
        C(readWrite) to use it.
    type: str
    choices: [present, absent]
    default: present
  exclusive:
    description:
      - Volume pairs from this cluster to the peer that the task does not declare are drift and are
        removed on both sides (only reported in check mode).
      - Pairs in the other direction (peer volume is the source) are left alone.
      - Nothing is removed when any declared pair is refused, since a refused pair may be a typo
        for one that exists.
    type: bool
    default: false
  create_target:
    description:
      - Create a missing target volume on the peer before pairing, with the source's size, 512e
        setting and QoS, in O(peer_account).
    type: bool
    default: false
  wait:
    description:
      - Wait until every present pair reaches C(Active) (C(PausedManual) when paused).
      - Initial synchronisation of large volumes can take hours on real clusters; raise O(wait_timeout) accordingly.
    type: bool
    default: false
  wait_timeout:
    description: Seconds to wait when O(wait=true); pairs that have not reached their state by then fail.
    type: int
    default: 300
  parallel:
    description:
      - How many calls are in flight to each cluster at the same time; pairs are worked on in
        parallel across both clusters. Calls for one pair always run in order.
      - The default suits a real cluster; see the collection's scaling guide. A cluster that answers
        busy (HTTP 503, a transient C(xDB*) error) is given time and asked again.
    type: int
    default: 16
notes:
  - A no-op run makes six API calls (C(GetClusterInfo), C(ListClusterPairs) and C(ListVolumes) on
    each cluster), plus one C(ListAccounts) per cluster when accounts are named or targets are created.
  - A new pair costs two calls (start and complete) plus its share of one C(ModifyVolumes) call; a
    paused new pair one more.
  - O(peer) is required with O(step=both).
seealso:
  - module: element.replication.element_cluster_pair
  - module: element.replication.element_replication_info
  - name: Element volume pairing order of operations
    description: NetApp's description of StartVolumePairing and CompleteVolumePairing.
    link: https://docs.netapp.com/us-en/element-software/api/reference_element_api_volume_pairing_order_of_operations.html
"""

EXAMPLES = r"""
- name: Replicate one volume to the volume of the same name on the DR cluster
  element.replication.element_volume_pair:
    hostname: prod-mvip.example.com
    username: admin
    password: "{{ prod_admin_password }}"
    peer:
      hostname: dr-mvip.example.com
      username: admin
      password: "{{ dr_admin_password }}"
    volume: db01
    mode: Sync

- name: Replicate many volumes in one task; remove undeclared pairs
  element.replication.element_volume_pair:
    hostname: prod-mvip.example.com
    username: admin
    password: "{{ prod_admin_password }}"
    peer:
      hostname: dr-mvip.example.com
      username: admin
      password: "{{ dr_admin_password }}"
    mode: Async
    exclusive: true
    pairs:
      - volume: db01
        mode: Sync
      - volume: logs
        peer_volume: logs-replica
      - volume: archive
        mode: SnapshotsOnly
        paused: true

- name: Pair volumes, creating missing targets in the DR account
  element.replication.element_volume_pair:
    hostname: prod-mvip.example.com
    username: admin
    password: "{{ prod_admin_password }}"
    peer:
      hostname: dr-mvip.example.com
      username: admin
      password: "{{ dr_admin_password }}"
    create_target: true
    peer_account: dr-tenant
    pairs:
      - volume: web01
      - volume: web02
      - volume: web03

- name: Split-site, step 1 with production credentials only
  element.replication.element_volume_pair:
    hostname: prod-mvip.example.com
    username: admin
    password: "{{ prod_admin_password }}"
    step: start
    pairing_key_file: /secure/prod-volumes.keys
    pairs:
      - volume: db01
      - volume: db02

- name: Split-site, step 2 with DR credentials only (the key file was handed over)
  element.replication.element_volume_pair:
    hostname: dr-mvip.example.com
    username: admin
    password: "{{ dr_admin_password }}"
    step: complete
    pairing_key_file: /secure/prod-volumes.keys
    pairs:
      - volume: db01
      - volume: db02

- name: Stop replicating a volume
  element.replication.element_volume_pair:
    hostname: prod-mvip.example.com
    username: admin
    password: "{{ prod_admin_password }}"
    peer:
      hostname: dr-mvip.example.com
      username: admin
      password: "{{ dr_admin_password }}"
    volume: db01
    state: absent
"""

RETURN = r"""
volume_pairs:
  description:
    - One entry per declared pair, in the order declared, as the clusters show it after the run
      (before it, in check mode).
    - With O(step=start) or O(step=complete), each entry has only C(volume_id) and C(volume_name)
      (of the volume on the cluster of the connection options), C(changed), C(changes), C(failed)
      and C(msg).
  returned: always
  type: list
  elements: dict
  contains:
    source_cluster:
      description: Name of this cluster.
      type: str
    source_volume_id:
      description: ID of the source volume; null when it was not found.
      type: int
    source_volume_name:
      description: Name of the source volume.
      type: str
    source_access:
      description: Access of the source volume (normally V(readWrite)).
      type: str
    source_state:
      description: Replication state on the source side (for example V(Active), V(PausedManual)); null when unpaired.
      type: str
    source_mode:
      description: Replication mode of the source's pair entry; null when unpaired.
      type: str
      version_added: 1.1.0
    source_total_size:
      description: Size of the source volume in bytes; null when it was not found.
      type: int
      version_added: 1.1.0
    target_cluster:
      description: Name of the peer cluster.
      type: str
    target_volume_id:
      description: ID of the target volume; null when it was not found.
      type: int
    target_volume_name:
      description: Name of the target volume.
      type: str
    target_access:
      description: Access of the target volume (normally V(replicationTarget)).
      type: str
    target_state:
      description: Replication state on the target side; null when unpaired.
      type: str
    target_mode:
      description: Replication mode of the target's pair entry; null when unpaired.
      type: str
      version_added: 1.1.0
    target_total_size:
      description: Size of the target volume in bytes; null when it was not found.
      type: int
      version_added: 1.1.0
    paired:
      description: Whether the two volumes form a complete pair (both list each other with one UUID).
      type: bool
    volume_pair_uuid:
      description: UUID of the pair, the same on both clusters; null when not paired.
      type: str
    mode:
      description: Replication mode of the pair; null when not paired.
      type: str
    paused:
      description: Whether replication is paused on the source side; null when not paired.
      type: bool
    state:
      description: The declared state of the pair.
      type: str
    changed:
      description: Whether this pair was changed (would be, in check mode).
      type: bool
    changes:
      description: What was changed for this pair, in words.
      type: list
      elements: str
    repairs:
      description: Half-done states of this pair that were repaired.
      type: list
      elements: str
    failed:
      description: Whether this pair failed or was refused.
      type: bool
    msg:
      description: Why this pair failed or was refused.
      type: str
      returned: when failed
  sample:
    - source_cluster: prod
      source_volume_id: 12
      source_volume_name: db01
      source_access: readWrite
      source_state: Active
      target_cluster: dr
      target_volume_id: 40
      target_volume_name: db01
      target_access: replicationTarget
      target_state: Active
      paired: true
      volume_pair_uuid: 229fcbf3-2d35-4625-865a-d04bb9455cef
      mode: Sync
      paused: false
      state: present
      changed: true
      changes:
        - paired db01 on prod with db01 on dr (Sync)
        - set access of target db01 to replicationTarget
      repairs: []
      failed: false
actions:
  description:
    - The API calls made, in order; in check mode the calls a real run would make.
    - Pairing keys are shown as C(********).
  returned: always
  type: list
  elements: dict
  contains:
    cluster:
      description: Name of the cluster the call goes to.
      type: str
    side:
      description: V(local) for this cluster, V(peer) for O(peer).
      type: str
    method:
      description: Element API method.
      type: str
    params:
      description: Parameters of the call, secrets masked.
      type: dict
    reason:
      description: Why the call is made.
      type: str
"""

from ansible_collections.element.replication.plugins.module_utils._argspec import (
    MODE_OPTION, ArgumentSpec, pair_argument_spec, pair_specs)
from ansible_collections.element.replication.plugins.module_utils._connection import (
    Connections, connection_argument_spec)
from ansible_collections.element.replication.plugins.module_utils._element import ASYNC
from ansible_collections.element.replication.plugins.module_utils._plan import NO_ITEM, Waiter
from ansible_collections.element.replication.plugins.module_utils._results import Results
from ansible_collections.element.replication.plugins.module_utils._split_site import SplitVolumeRunner
from ansible_collections.element.replication.plugins.module_utils._volume_pair import (
    Options, VolumePairRunner, item_view, predicted_view)

PER_PAIR_SETTINGS = dict(mode=MODE_OPTION, paused=dict(type="bool"), state=dict(type="str", choices=["present", "absent"]))
OPTIONS = ArgumentSpec(dict(
    mode=dict(MODE_OPTION, default=ASYNC),
    paused=dict(type="bool", default=False),
    state=dict(type="str", default="present", choices=["present", "absent"]),
    exclusive=dict(type="bool", default=False),
    create_target=dict(type="bool", default=False),
    wait=dict(type="bool", default=False),
    wait_timeout=dict(type="int", default=300),
    parallel=dict(type="int", default=16),
    step=dict(type="str", default="both", choices=["both", "start", "complete"]),
    pairing_key_file=dict(type="path", no_log=False),
), required_if=[("step", "both", ["peer"]), ("step", "start", ["pairing_key_file"]),
                ("step", "complete", ["pairing_key_file"])])


def main():
    spec = connection_argument_spec(peer="optional").merge(pair_argument_spec(PER_PAIR_SETTINGS)).merge(OPTIONS)
    module = spec.create_ansible_module(supports_check_mode=True)
    params = module.params
    if params["parallel"] < 1:
        Results(module).fail("parallel must be at least 1, not %s" % params["parallel"])
    specs = pair_specs(params, defaults=("mode", "paused", "state"))
    connections = Connections(module, pool_size=params["parallel"], needs_peer=params["step"] == "both")
    results = Results(module, connections)
    if params["step"] != "both":
        split_step(module, connections, results, specs)
    runner = VolumePairRunner(
        connections, specs, Options(exclusive=params["exclusive"], create_target=params["create_target"]),
        check_mode=module.check_mode, parallel=params["parallel"],
        waiter=Waiter(enabled=params["wait"], timeout=params["wait_timeout"], interval=2.0))
    changed = results.run(runner)
    if runner.cluster_pair_assumed:
        module.warn("clusters %s and %s are not paired (or not connected): the check-mode plan assumes an earlier "
                    "task pairs them (element.replication.element_cluster_pair); a real run without that fails"
                    % (runner.names["local"], runner.names["peer"]))
    items, first = runner.first_plan.items, runner.first_state
    before = [item_view(i, *first) for i in items]
    after = [predicted_view(i, *first) if module.check_mode else item_view(i, *runner.last_state) for i in items]
    entries = results.item_entries(runner, items, before if module.check_mode else after,
                                   lambda item: dict(state=item.spec.state, repairs=runner.item_repairs(item)))
    labels = {i.spec.index: i.spec.label for i in items}
    labels[NO_ITEM] = "removing undeclared pairs"
    results.finish(changed, errors=runner.errors, labels=labels, total=len(specs), volume_pairs=entries,
                   actions=runner.reported_actions(), diff=({"volume_pairs": before}, {"volume_pairs": after}))


def split_step(module, connections, results, specs):
    """Run one half of split-site volume pairing on the cluster of the connection options."""
    params = module.params
    unsupported = [name for name, value in (("paused", params["paused"]), ("exclusive", params["exclusive"]),
                                            ("create_target", params["create_target"]),
                                            ("state=absent", any(s.state == "absent" for s in specs)),
                                            ("paused", any(s.paused for s in specs))) if value]
    if unsupported:
        results.fail("step=%s does not support %s: use step=both" % (params["step"], ", ".join(sorted(set(unsupported)))))
    runner = SplitVolumeRunner(connections, specs, params["step"], params["pairing_key_file"],
                               check_mode=module.check_mode, parallel=params["parallel"])
    changed = results.run(runner)
    items = runner.items
    views = [{"volume_id": i.volume.volume_id if i.volume else None, "volume_name": i.volume.name if i.volume else None}
             for i in items]
    results.finish(changed, errors=runner.errors, labels={i.spec.index: i.spec.label for i in items}, total=len(specs),
                   volume_pairs=results.item_entries(runner, items, views), actions=runner.reported_actions())


if __name__ == "__main__":
    main()
