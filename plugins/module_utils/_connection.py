# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Connection options shared by every module, and building clients from them.

Private module_utils: not a public API of the collection.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from ansible.module_utils.basic import env_fallback, missing_required_lib

from ansible_collections.element.replication.plugins.module_utils._argspec import ArgumentSpec
from ansible_collections.element.replication.plugins.module_utils._client import (
    DEFAULT_API_VERSION,
    DEFAULT_TIMEOUT,
    REQUESTS_IMPORT_ERROR,
    Client,
    ElementClient,
    SecretScrubber,
)
from ansible_collections.element.replication.plugins.module_utils._plan import LOCAL, PEER


def _connection_options(env_prefix: str, peer: bool = False) -> Dict[str, Any]:
    """This cluster's options; the peer's (peer=True) take no hostname to mean no peer, and borrow
    this cluster's credentials (peer_params)."""
    def env(name: str) -> Tuple[Any, List[str]]:
        return (env_fallback, ["%s_%s" % (env_prefix, name)])

    credentials_required = not peer
    return dict(
        hostname=dict(type="str", required=not peer, fallback=env("HOSTNAME")),
        port=dict(type="int", default=443, fallback=env("PORT")),
        username=dict(type="str", required=credentials_required, fallback=env("USERNAME")),
        password=dict(type="str", required=credentials_required, no_log=True, fallback=env("PASSWORD")),
        validate_certs=dict(type="bool", default=True, fallback=env("VALIDATE_CERTS")),
        ca_path=dict(type="path", fallback=env("CA_PATH")),
        timeout=dict(type="float", default=DEFAULT_TIMEOUT, fallback=env("TIMEOUT")),
        api_version=dict(type="str", default=DEFAULT_API_VERSION, fallback=env("API_VERSION")),
        display_name=dict(type="str"),
    )


def connection_argument_spec(peer: Optional[str] = None) -> ArgumentSpec:
    """The connection options, plus a peer dict with the same options when peer is
    'required' or 'optional'. The peer's credentials default to this connection's (see peer_params)."""
    spec = _connection_options("ELEMENT")
    if peer:
        spec["peer"] = dict(type="dict", required=peer == "required", options=_connection_options("ELEMENT_PEER", peer=True))
    return ArgumentSpec(spec)


def clusters_argument_spec(required: bool = True) -> ArgumentSpec:
    """A clusters option: the connection options of many clusters, each with the inventory host's
    name (the element.replication.element_connection filter builds it from the hosts' variables;
    an action plugin may build it from the inventory when it is not required)."""
    options = {name: {k: v for k, v in option.items() if k != "fallback"}
               for name, option in _connection_options("ELEMENT").items()}
    options["name"] = dict(type="str", required=True)
    return ArgumentSpec({"clusters": dict(type="list", elements="dict", required=required, options=options)})


def cluster_clients(clusters: List[Dict[str, Any]], scrubber: SecretScrubber, pool_size: int = 4) -> Dict[str, ElementClient]:
    """A client per entry of a clusters option (clusters_argument_spec), by name; every password
    known to the scrubber."""
    clients = {}
    for params in clusters:
        scrubber.add(params["password"])
        clients[params["name"]] = ElementClient(
            hostname=params["hostname"], port=params["port"], username=params["username"],
            password=params["password"], validate_certs=params["validate_certs"], ca_path=params["ca_path"],
            timeout=params["timeout"], api_version=params["api_version"], scrubber=scrubber, pool_size=pool_size,
            display_name=params.get("display_name") or params["name"])
    return clients


def insecure(clusters: List[Dict[str, Any]]) -> List[str]:
    """The warning for every cluster whose certificate is not verified."""
    return ["TLS certificate verification is disabled for %s (%s): the connection can be intercepted. Set "
            "validate_certs=true and give ca_path instead." % (c["name"], c["hostname"])
            for c in clusters if not c["validate_certs"]]


def peer_params(params: Dict[str, Any]) -> Dict[str, Any]:
    """The peer's connection options with its credentials defaulted to this connection's, as
    netapp.elementsw did: many sites use one admin account on both clusters. The password is
    only borrowed along with the user name, never for another user."""
    peer = dict(params["peer"])
    if peer["username"] is None or peer["username"] == params["username"]:
        if peer["password"] is None:
            peer["password"] = params["password"]
        peer["username"] = params["username"]
    if peer["password"] is None:
        raise ValueError("peer.password is required when peer.username (%s) differs from username" % peer["username"])
    return peer


def peer_given(params: Dict[str, Any]) -> bool:
    """Whether the options name a peer cluster. A peer without a hostname is no peer: AWX's
    credential type sets ELEMENT_PEER_HOSTNAME to "" for jobs that drive one cluster, and docs/awx.md's
    module_defaults give peer: {} so that the ELEMENT_PEER_* variables are read."""
    return bool((params.get("peer") or {}).get("hostname"))


class Connections:
    """The clients of one module run: this cluster, and the peer when one is given (needs_peer: the
    run drives both clusters, and fails saying so when no peer hostname is given).

    All clients share one scrubber, so a secret learnt from one cluster (a pairing key, the
    credentials inside it) is kept out of every message, and is also registered with Ansible's
    no_log machinery so it never appears in a result.
    """

    def __init__(self, module: Any, pool_size: int = 4, needs_peer: bool = False, clusters: bool = False) -> None:
        if REQUESTS_IMPORT_ERROR:
            module.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
        if needs_peer and not peer_given(module.params):
            module.fail_json(msg="this task drives two clusters and no peer cluster is given: peer.hostname is empty "
                                 "(or ELEMENT_PEER_HOSTNAME is, as the AWX credential type leaves it without a peer "
                                 "cluster). Give the peer's MVIP or DNS name in peer.hostname, or in the credential's "
                                 "peer cluster field.")
        self.module = module
        self.scrubber = SecretScrubber()
        self.by_name: Dict[str, ElementClient] = {}  # the clusters option (clusters_argument_spec)
        for params in module.params["clusters"] if clusters else ():
            self.by_name[params["name"]] = self._client(dict(params, display_name=params["display_name"] or params["name"]),
                                                        pool_size)
        self.local: Any = None if clusters else self._client(module.params, pool_size)
        self.peer: Optional[ElementClient] = None
        if not clusters and peer_given(module.params):
            try:
                self.peer = self._client(peer_params(module.params), pool_size)
            except ValueError as exc:
                module.fail_json(msg=str(exc))

    def _client(self, params: Dict[str, Any], pool_size: int) -> ElementClient:
        self.register_secret(params["password"])
        client = ElementClient(
            hostname=params["hostname"], port=params["port"], username=params["username"],
            password=params["password"], validate_certs=params["validate_certs"], ca_path=params["ca_path"],
            timeout=params["timeout"], api_version=params["api_version"], scrubber=self.scrubber,
            pool_size=pool_size, display_name=params.get("display_name"))
        if not params["validate_certs"]:
            self.module.warn("TLS certificate verification is disabled for %s: the connection can be "
                             "intercepted. Set validate_certs=true and give ca_path instead." % client.address)
        return client

    def both(self) -> Dict[str, Client]:
        """The clients of a run that drives both clusters, by side (needs_peer made sure of the peer)."""
        if self.peer is None:
            raise AssertionError("a run that drives two clusters builds its Connections with needs_peer=True")
        return {LOCAL: self.local, PEER: self.peer}

    def register_secret(self, *values: Any) -> None:
        self.scrubber.add(*values)
        for value in values:
            if isinstance(value, str) and value:
                self.module.no_log_values.add(value)

    def scrub(self, *values: Any) -> None:
        """For secrets that never enter a result (volume pairing keys: the reported calls mask them):
        kept out of messages only. Registering one per pair with no_log would make Ansible's
        result masking grow with pairs times result strings."""
        self.scrubber.add(*values)

    def clients(self) -> List[ElementClient]:
        return [c for c in (self.local, self.peer) if c is not None] + list(self.by_name.values())

    def close(self) -> None:
        for client in self.clients():
            client.close()
