"""The gateway: reverse proxy, ASGI middleware, decision endpoint and admin API, assembled by `create_app`."""
