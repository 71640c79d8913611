"""The shared vocabulary: request view, findings, verdicts, events. Imports nothing else from apiward."""

from apiward.core.context import Context, Identity
from apiward.core.event import Event, new_event_id
from apiward.core.finding import ATTACK_CATEGORIES, Category, Finding
from apiward.core.request import BodyKind, Field, RequestView, Source, new_field
from apiward.core.verdict import ALLOW, DecisionPolicy, Verdict, decide
from apiward.core.verdict_types import SEVERITY, Action, Mode

__all__ = [
    "ALLOW",
    "ATTACK_CATEGORIES",
    "Action",
    "BodyKind",
    "Category",
    "Context",
    "DecisionPolicy",
    "Event",
    "Field",
    "Finding",
    "Identity",
    "Mode",
    "RequestView",
    "SEVERITY",
    "Source",
    "Verdict",
    "decide",
    "new_event_id",
    "new_field",
]
