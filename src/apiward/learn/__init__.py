"""API awareness: the positive security model.

    spec.py        load OpenAPI 3.0/3.1 (local $refs, recursion, limits; ConfigError with the JSON pointer)
    pattern.py     spec regexes on RE2 (linear time; back-references / look-around refused)
    schema.py      JSON Schema compiled once: closure fast path + jsonschema 2020-12 for explanations
    formats.py     linear-time format checks (email, uuid, date-time, ipv4/6, uri, hostname, int32/64)
    router.py      path templates in a per-segment trie (literal beats template)
    contract.py    the compiled spec: parameters, bodies, content types, security -> Violations
    stage.py       SpecStage ("spec", SCHEMA) and BaselineStage ("baseline", SCHEMA, ANOMALY findings)
    infer.py       kinds (int, uuid, email, ...) and character classes of values
    template.py    path templating from traffic (/users/123 -> /users/{id}; slugs by cardinality)
    baseline.py    per-endpoint statistics, learner and scorer (versioned JSON)
    discovery.py   an OpenAPI 3.1 document from a baseline
    sensitive.py   sensitive data in responses (emails, cards, JWTs, tokens)
    traffic.py     readers: corpus JSON lines / arrays, HAR, combined access logs, the event store
    profile.py     `apiward learn` (learn_profile) and the SCHEMA stages from ApiSettings (api_stages)
    profilestore.py versioned profiles in SQLite / PostgreSQL
    recorder.py    learning mode in the gateway (LearningObserver)
    drift.py       shadow and unused endpoints between a spec and a baseline

Tags left on the context for later stages: ``api.operation`` (operationId of the matched route),
``baseline.markup`` (locations whose learned values hold markup: XSS evidence there weighs less)
and ``baseline.anomalous`` (locations deviating from their baseline: attack evidence weighs more).
"""
