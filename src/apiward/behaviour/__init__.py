"""Behaviour: rate limits (memory, Redis), bounded keyed trackers, abuse detectors, risk and
adaptive actions. Stages: ``ratelimit`` and ``behaviour`` (phase BEHAVIOUR) and the
``behaviour.outcomes`` response observer."""
