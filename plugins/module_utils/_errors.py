# -*- coding: utf-8 -*-
# Copyright (c) 2026, element.replication contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The two ways a run stops: the cluster failed (ElementError), or the request was refused
before anything changed for it (Refusal). Kept apart from the client, so that planners and
runners never import the transport.

Private module_utils: not a public API of the collection.
"""

from __future__ import annotations

from typing import Any, Dict, Optional


class ElementError(Exception):
    """Any failure talking to a cluster.

    kind is one of: api (the cluster answered with an Element error), auth, version, tls,
    connection, timeout, http, protocol. ambiguous is True when a mutating call may or may not
    have been applied (the request was sent but no answer arrived): the caller must re-read state.
    """

    def __init__(self, cluster: str, method: str, message: str, kind: str = "api", name: Optional[str] = None,
                 code: Any = None, ambiguous: bool = False) -> None:
        super().__init__(message)
        self.cluster = cluster
        self.method = method
        self.message = message
        self.kind = kind
        self.name = name
        self.code = code
        self.ambiguous = ambiguous

    def __str__(self) -> str:
        if self.kind == "api":
            return "cluster %s: %s failed: %s: %s" % (self.cluster, self.method, self.name, self.message)
        return "cluster %s: %s failed: %s" % (self.cluster, self.method, self.message)

    def to_dict(self) -> Dict[str, Any]:
        return {
            "cluster": self.cluster,
            "method": self.method,
            "kind": self.kind,
            "error_name": self.name,
            "error_code": self.code,
            "message": self.message,
        }


class Refusal(Exception):
    """The desired state cannot be reached safely; nothing was (or will be) changed for it."""
