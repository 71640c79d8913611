"""Enumerations shared by findings and verdicts (kept apart to avoid an import cycle)."""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    """What happens to a request, from mildest to harshest (see `SEVERITY`)."""

    ALLOW = "allow"
    LOG = "log"
    CHALLENGE = "challenge"
    THROTTLE = "throttle"
    BLOCK = "block"


SEVERITY: dict[Action, int] = {
    Action.ALLOW: 0,
    Action.LOG: 1,
    Action.CHALLENGE: 2,
    Action.THROTTLE: 3,
    Action.BLOCK: 4,
}


class Mode(StrEnum):
    """``block`` enforces verdicts; ``monitor`` records them and lets everything through."""

    BLOCK = "block"
    MONITOR = "monitor"
