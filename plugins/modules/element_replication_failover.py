#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: element_replication_failover
short_description: Fail NetApp Element volume pairs over to the other cluster, and back
version_added: 1.0.0
description:
  - Makes O(primary) the replication source (volumes C(readWrite)) of a set of volume pairs
    between the cluster of the connection options and O(peer), idempotently. Pairs whose
    source already is on O(primary) and replicate are left alone.
  - Pairs are named as in M(element.replication.element_volume_pair), so a topology entry that
    pairs C(prod) (connection options) with C(dr) (O(peer)) fails over with O(primary=peer) and
    fails back with O(primary=local).
  - B(Planned) (O(type=planned), both clusters reachable). Refused, before any change, unless
    every pair is C(Active) on both sides and the cluster pair is connected (or O(force=true)),
    because the volumes of an application fail over together or not at all. Once the V(Async)
    pairs have drained (O(max_lag)), the old sources become C(replicationTarget) first, in bulk,
    then the new sources C(readWrite), with access changes alone (no pause, as OpenStack Cinder's
    SolidFire driver does), and the module waits until the reversed pairs are C(Active). Both
    sides are never C(readWrite) at the same time. A run stopped at any point (the controller
    killed, a cluster restarted, an answer lost) is finished by a plain re-run with the same
    options; if it stopped between the two steps both sides are C(replicationTarget), and the
    re-run promotes O(primary). A pause the module finds was not made by it, and is refused.
  - B(Unplanned) (O(type=unplanned), the current source cluster is lost). Only the surviving
    cluster O(primary) is touched. While it is read, the lost cluster is probed once (at most
    O(probe_timeout) seconds); then its volumes are made C(readWrite), in bulk, and only then
    marked with the volume attribute C(element_replication_unplanned_failover), merged into the
    volume's own attributes (other tools' keys are kept), which tells the later reprotect which
    side holds the newest writes. The result says in RV(reconcile_later) what must be reconciled when the other
    cluster returns. The module refuses an unplanned failover while the other cluster still
    answers the probe, unless O(force=true).
  - B(Reprotect / failback). When the lost cluster returns after an unplanned failover, both sides
    are C(readWrite). A planned run with the same O(primary) makes the returning cluster the
    replication target of the new source (discarding the writes made there after the failover),
    removes the mark, and waits for C(Active). A further planned run with the other O(primary) moves the
    direction back.
author:
  - element.replication maintainers (@element-replication)
extends_documentation_fragment:
  - element.replication.connection
  - element.replication.connection.PEER
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
      - Shows the access and replication state of both volumes of every pair before and after.
  idempotent:
    support: full
options:
  primary:
    description:
      - The cluster that holds the replication sources after the run. V(local) is the cluster of
        the connection options, V(peer) the O(peer) cluster.
    type: str
    required: true
    choices: [local, peer]
  type:
    description:
      - V(planned) when both clusters are reachable, V(unplanned) when the cluster that is not
        O(primary) is lost.
    type: str
    choices: [planned, unplanned]
    default: planned
  force:
    description:
      - With O(type=planned), fail over pairs that are not healthy and caught up, and resolve pairs
        whose both volumes are C(readWrite) in favour of O(primary). Writes not yet replicated are lost.
      - With O(type=unplanned), fail over although the other cluster answers (it is not touched).
    type: bool
    default: false
  volume:
    description: Name of a volume of the pair on the cluster of the connection options.
    type: str
  volume_id:
    description: ID of a volume of the pair on the cluster of the connection options.
    type: int
  peer_volume:
    description: Name of the pair's volume on the peer; defaults to the name of O(volume).
    type: str
  peer_volume_id:
    description: ID of the pair's volume on the peer.
    type: int
  account:
    description:
      - Account (name or ID) of O(volume), to narrow the look-up by name.
      - With O(pairs), the default of every item's O(pairs[].account).
    type: str
  peer_account:
    description:
      - Account (name or ID) of O(peer_volume).
      - With O(pairs), the default of every item's O(pairs[].peer_account).
    type: str
  pairs:
    description:
      - Many pairs in one task, with the keys of the single-pair options. Mutually exclusive with
        O(volume), O(volume_id), O(peer_volume) and O(peer_volume_id).
    type: list
    elements: dict
    suboptions:
      volume:
        description: Name of the volume on the cluster of the connection options.
        type: str
      volume_id:
        description: ID of the volume on the cluster of the connection options.
        type: int
      peer_volume:
        description: Name of the volume on the peer.
        type: str
      peer_volume_id:
        description: ID of the volume on the peer.
        type: int
      account:
        description: Account of the volume.
        type: str
      peer_account:
        description: Account of the peer volume.
        type: str
      paused:
        description: Whether this pair is declared paused; defaults to O(paused).
        type: bool
  paused:
    description:
      - Whether the pairs are declared paused (as O(element.replication.element_volume_pair#module:paused)
        declares them), a default for every item of O(pairs).
      - A planned run does not refuse such a pair for its pause. Its target may be behind, so the
        module resumes it first and waits (up to O(wait_timeout)) until it is C(Active), then moves
        it with the others and pauses it again on the new source, as declared. When it does not
        catch up in time, it is paused again and the whole run is refused, nothing moved.
      - Pairs paused but not declared paused are refused, as are disconnected or unhealthy pairs.
    type: bool
    default: false
  wait:
    description: After a planned failover, wait until every pair is C(Active) in the new direction.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait for C(Active), for a declared-paused pair to catch up before it moves, and
        for the V(Async) pairs to drain (O(max_lag)) before they move.
    type: int
    default: 300
  max_lag:
    description:
      - A planned run moves V(Async) pairs only once they have drained; it measures each pair's lag
        (the source volume's C(asyncDelay), one C(ListVolumeStats) per cluster and round) and waits,
        up to O(wait_timeout), until every pair is at most this many seconds behind. With the
        applications stopped a pair drains only while it still replicates, so this is the last
        moment to catch the last writes. When they do not drain, the run is refused before any
        change, listing each pair's lag, unless O(force=true).
      - The default, one second, is what an C(Active) pair reports when it is caught up, since C(asyncDelay)
        is the time since its last sync, which is seldom exactly zero. V(0) waits for an exact zero.
      - V(Sync) pairs that are C(Active) are in sync by definition; V(SnapshotsOnly) pairs replicate
        only snapshots (take one with remote replication before the failover).
    type: float
    default: 1
    version_added: 1.1.0
  probe_timeout:
    description:
      - With O(type=unplanned), seconds to wait for the lost cluster to answer one C(GetClusterInfo),
        sent at the same time as the reads of the surviving cluster, without retries. No answer
        within this time (or a refused connection) means the cluster is lost, and the failover goes on.
      - A lost site usually drops packets, so this is what deciding that it is lost costs; the
        connection options' O(timeout) (and its 10 s connect timeout) does not apply to the probe.
    type: float
    default: 5
    version_added: 1.1.0
  parallel:
    description:
      - How many calls are in flight to each cluster at the same time (pauses and resumes of
        different pairs overlap, on both clusters). Calls for one pair always run in order.
      - The default suits a real cluster; see the collection's scaling guide.
    type: int
    default: 16
notes:
  - Stop the applications and flush their caches before a planned failover; the module moves the
    replication direction, not the hosts. A local snapshot of every volume first is good practice.
  - Access changes end the iSCSI sessions of the volumes that become C(replicationTarget).
seealso:
  - module: element.replication.element_volume_pair
  - module: element.replication.element_replication_info
  - name: Assign a replication source and target to paired volumes
    description: NetApp's failover procedure, which this module automates.
    link: https://docs.netapp.com/us-en/element-software/storage/task_replication_assign_replication_source_and_target_to_paired_volumes.html
"""

EXAMPLES = r"""
- name: Planned failover of the database volumes to the DR cluster
  element.replication.element_replication_failover:
    hostname: prod-mvip.example.com
    username: admin
    password: "{{ prod_admin_password }}"
    peer:
      hostname: dr-mvip.example.com
      username: admin
      password: "{{ dr_admin_password }}"
    primary: peer
    pairs:
      - volume: db01
      - volume: db02

- name: Production is lost, bring the DR copies up
  element.replication.element_replication_failover:
    hostname: prod-mvip.example.com
    username: admin
    password: "{{ prod_admin_password }}"
    peer:
      hostname: dr-mvip.example.com
      username: admin
      password: "{{ dr_admin_password }}"
    primary: peer
    type: unplanned
    pairs:
      - volume: db01
      - volume: db02
  register: failover

- name: Production is back; make it the target of DR again (reprotect), then fail back
  block:
    - name: Reprotect
      element.replication.element_replication_failover:
        hostname: prod-mvip.example.com
        username: admin
        password: "{{ prod_admin_password }}"
        peer:
          hostname: dr-mvip.example.com
          username: admin
          password: "{{ dr_admin_password }}"
        primary: peer
        pairs:
          - volume: db01
          - volume: db02

    - name: Fail back
      element.replication.element_replication_failover:
        hostname: prod-mvip.example.com
        username: admin
        password: "{{ prod_admin_password }}"
        peer:
          hostname: dr-mvip.example.com
          username: admin
          password: "{{ dr_admin_password }}"
        primary: local
        pairs:
          - volume: db01
          - volume: db02
"""

RETURN = r"""
volume_pairs:
  description: One entry per declared pair, as the clusters show it after the run (before it, in check mode).
  returned: always
  type: list
  elements: dict
  contains:
    local_cluster:
      description: Name of the cluster of the connection options; null when it was not read (unplanned).
      type: str
    local_volume_id:
      description: ID of the pair's volume on that cluster.
      type: int
    local_volume_name:
      description: Name of that volume.
      type: str
    local_access:
      description: Its access.
      type: str
    local_state:
      description: Its replication state.
      type: str
    local_mode:
      description: Its replication mode.
      type: str
      version_added: 1.1.0
    local_total_size:
      description: Its size in bytes.
      type: int
      version_added: 1.1.0
    peer_cluster:
      description: Name of the peer cluster; null when it was not read (unplanned).
      type: str
    peer_volume_id:
      description: ID of the pair's volume on the peer.
      type: int
    peer_volume_name:
      description: Name of that volume.
      type: str
    peer_access:
      description: Its access.
      type: str
    peer_state:
      description: Its replication state.
      type: str
    peer_mode:
      description: Its replication mode.
      type: str
      version_added: 1.1.0
    peer_total_size:
      description: Its size in bytes.
      type: int
      version_added: 1.1.0
    source_clusters:
      description: Clusters on which the pair's volume is C(readWrite) (one, unless split).
      type: list
      elements: str
    changed:
      description: Whether this pair was changed.
      type: bool
    changes:
      description: What was done for this pair, in words.
      type: list
      elements: str
    lag_seconds:
      description:
        - How far behind the pair was when it moved (planned; at most O(max_lag)), or, after an
          unplanned failover, its last known lag on the surviving cluster. V(null) when unknown.
      type: float
      returned: when the pair moved, or after an unplanned failover
      version_added: 1.1.0
    async_delay:
      description: The C(asyncDelay) the cluster reported when the lag was measured.
      type: str
      returned: when the pair moved, or after an unplanned failover
      version_added: 1.1.0
    data_at_risk_seconds:
      description:
        - After an unplanned failover, the writes that may be lost, that is the surviving target's last
          known delay (the time since it was last synced with the lost source).
        - For a V(SnapshotsOnly) pair, the age of the newest snapshot that reached the surviving cluster
          (what the drift audit reports as its lag); V(null) when none did.
      type: float
      returned: after an unplanned failover
      version_added: 1.1.0
    notes:
      description:
        - How the pair was found when the options did not name both volumes, for example which
          volume on the peer the pair of O(volume) points at.
      type: list
      elements: str
      sample: ["peer volume app-db-replica (ID 41) is the one the pair of app-db points at"]
    failed:
      description: Whether this pair failed or was refused.
      type: bool
    msg:
      description: Why this pair failed.
      type: str
      returned: when failed
actions:
  description: The API calls made, in order (planned in check mode), each with its cluster.
  returned: always
  type: list
  elements: dict
  contains:
    cluster:
      description: Name of the cluster the call goes to.
      type: str
    side:
      description: V(local) or V(peer).
      type: str
    method:
      description: Element API method.
      type: str
    params:
      description: Parameters of the call.
      type: dict
    reason:
      description: Why the call is made.
      type: str
writable_seconds:
  description:
    - Seconds from the module's first API call until the last volume it made C(readWrite) was so
      (the end of its last promote call); the waits for C(Active) and the pauses after it are not
      included. V(null) when no volume was made C(readWrite) (nothing to do, or check mode).
  returned: always
  type: float
  sample: 0.42
  version_added: 1.1.0
reconcile_later:
  description:
    - After an unplanned failover, what must be reconciled when the lost cluster returns.
  returned: always
  type: list
  elements: str
"""

from ansible_collections.element.replication.plugins.module_utils._argspec import (
    ArgumentSpec, pair_argument_spec, pair_specs)
from ansible_collections.element.replication.plugins.module_utils._connection import (
    Connections, connection_argument_spec)
from ansible_collections.element.replication.plugins.module_utils._failover import (
    FailoverRunner, item_view, predicted_view)
from ansible_collections.element.replication.plugins.module_utils._plan import Waiter
from ansible_collections.element.replication.plugins.module_utils._results import Results

OPTIONS = ArgumentSpec(dict(
    primary=dict(type="str", required=True, choices=["local", "peer"]),
    type=dict(type="str", default="planned", choices=["planned", "unplanned"]),
    force=dict(type="bool", default=False),
    paused=dict(type="bool", default=False),
    wait=dict(type="bool", default=True),
    wait_timeout=dict(type="int", default=300),
    parallel=dict(type="int", default=16),
    max_lag=dict(type="float", default=1),
    probe_timeout=dict(type="float", default=5),
))


def main():
    spec = connection_argument_spec(peer="required").merge(
        pair_argument_spec(dict(paused=dict(type="bool")), source_required=False)).merge(OPTIONS)
    module = spec.create_ansible_module(supports_check_mode=True)
    params = module.params
    specs = pair_specs(params, defaults=("paused",))
    connections = Connections(module, pool_size=params["parallel"], needs_peer=True)
    results = Results(module, connections)
    runner = FailoverRunner(connections, specs, params["primary"], unplanned=params["type"] == "unplanned",
                            force=params["force"], check_mode=module.check_mode, parallel=params["parallel"],
                            waiter=Waiter(enabled=params["wait"], timeout=params["wait_timeout"], interval=2.0),
                            max_lag=params["max_lag"], probe_timeout=params["probe_timeout"])
    changed = results.run(runner)
    primary, items, first = params["primary"], runner.first_plan.items, runner.first_state
    before = [item_view(i, first) for i in items]
    after = [predicted_view(i, first, primary) if module.check_mode else item_view(i, runner.last_state) for i in items]
    entries = results.item_entries(runner, items, before if module.check_mode else after,
                                   lambda item: dict(notes=item.notes, **runner.lags.get(item.spec.index, {})))
    results.finish(changed, errors=runner.errors, labels={i.spec.index: i.spec.label for i in items}, total=len(specs),
                   volume_pairs=entries, actions=runner.reported_actions(), reconcile_later=reconcile_later(runner),
                   writable_seconds=runner.writable_seconds,
                   diff=({"volume_pairs": before}, {"volume_pairs": after}))


def reconcile_later(runner):
    """After an unplanned failover: what to do when the lost cluster returns."""
    if not runner.unplanned or not runner.unreachable:
        return []
    primary = runner.primary
    # The survivor's pair entries name the lost cluster's volumes.
    lost_volumes = [i.volumes[primary].pair.remote_volume_name for i in runner.first_plan.items
                    if i.volumes.get(primary) is not None and i.volumes[primary].pair is not None]
    return ["cluster %s could not be reached and was not changed: when it returns, its volumes of these pairs (%s) "
            "are probably still readWrite and the pairs show PausedMisconfigured; run this module with type=planned "
            "and primary=%s to make them replication targets again (reprotect), which discards writes made there "
            "after this failover" % (runner.unreachable, ", ".join(lost_volumes), primary)]


if __name__ == "__main__":
    main()
