"""Identity: authentication (JWT/JWKS, API keys, mTLS) -> `Identity`, and the deny-by-default
authorization policy. Stages: ``authn`` (phase IDENTIFY) and ``authz`` (phase AUTHZ)."""
