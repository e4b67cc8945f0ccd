"""The progress protocol: one JSON line per trial started or ended, shared by every process of a search.

A process writes `@trial {"event": "start", "trial_id": ..., "worker": ...}`
when it starts a trial and `@trial {"event": "end", ..., "status": ...,
"score": ...}` when it ends one, and `@trial {"event": "finished", ...}` when
its search returns. `helpers.cli` writes these lines, `helpers.launch` reads
them from its workers' logs, and any other line is left alone.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math

__all__ = ["PREFIX", "TrialEvent", "ProgressMixin", "parse_line", "print_event", "with_progress"]

PREFIX = "@trial "
EVENTS = ("start", "end", "finished")


@dataclasses.dataclass(frozen=True)
class TrialEvent:
    """A trial started or ended on a worker, or a worker's search finished (`trial_id` is then None)."""

    event: str
    worker: str
    trial_id: str | None = None
    status: str | None = None
    score: float | None = None
    # The ended trial itself, for in-process listeners; never written to a line.
    trial: object = dataclasses.field(default=None, compare=False, repr=False)

    def __post_init__(self):
        if self.event not in EVENTS:
            raise ValueError(f"event={self.event!r} is invalid; expected one of {EVENTS}")

    def to_line(self):
        """The event as one protocol line, without a newline."""
        fields = {name: getattr(self, name) for name in ("event", "worker", "trial_id", "status", "score")}
        if fields["score"] is not None and not math.isfinite(fields["score"]):
            fields["score"] = None  # JSON has no NaN
        return PREFIX + json.dumps({k: v for k, v in fields.items() if v is not None}, sort_keys=True)


def parse_line(line):
    """The TrialEvent a protocol line holds, or None for any other line (a log message, a torn line)."""
    if not line.startswith(PREFIX):
        return None
    try:
        fields = json.loads(line[len(PREFIX):])
    except ValueError:
        return None
    if not isinstance(fields, dict) or fields.get("event") not in EVENTS:
        return None
    return TrialEvent(**{k: fields.get(k) for k in ("event", "worker", "trial_id", "status", "score")})


def print_event(event):
    """Writes the event's line to standard output at once."""
    print(event.to_line(), flush=True)


class ProgressMixin:
    """Calls `on_progress(TrialEvent)` when a trial starts and when it ends.

    Mix it in before a tuner class, or get the mixed class from
    `with_progress(tuner_class)`. The worker is keras-tuner's `tuner_id`
    ("tuner0" in a single process).
    """

    def __init__(self, *args, on_progress=None, **kwargs):
        self.on_progress = on_progress
        super().__init__(*args, **kwargs)

    def on_trial_begin(self, trial):
        self._report(TrialEvent("start", self._worker(), trial_id=trial.trial_id))
        super().on_trial_begin(trial)

    def on_trial_end(self, trial):
        super().on_trial_end(trial)
        ended = self.oracle.get_trial(trial.trial_id)
        score = None if ended.score is None else float(ended.score)
        self._report(TrialEvent("end", self._worker(), trial_id=ended.trial_id, status=str(ended.status),
                                score=score, trial=ended))

    def _worker(self):
        return getattr(self, "tuner_id", "tuner0")

    def _report(self, event):
        if self.on_progress is not None:
            self.on_progress(event)


@functools.cache
def with_progress(tuner_class):
    """`tuner_class` with ProgressMixin mixed in: it takes `on_progress=` beside its own arguments."""
    return type(tuner_class.__name__, (ProgressMixin, tuner_class), {"__doc__": tuner_class.__doc__})
