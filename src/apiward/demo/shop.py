"""The bundled sample API: a small shop (login with a JWT, users, products, orders, search).

In-memory data built per app instance, realistic JSON, plain Starlette. It is deliberately an
ordinary API, not a vulnerable one: the point of the demo is what the gateway in front of it sees.
The contract is `openapi.yaml` next to this file (served at ``/openapi.yaml``).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import jwt
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

TOKEN_TTL = 3600
JWT_SECRET_ENV = "APIWARD_JWT_SECRET"  # the same variable the gateway's identity settings read


def spec_text() -> str:
    """The shop's OpenAPI 3.1 document (package data)."""
    return resources.files("apiward.demo").joinpath("openapi.yaml").read_text(encoding="utf-8")


@dataclass(frozen=True, slots=True)
class User:
    id: int
    username: str
    password: str
    name: str
    email: str
    role: str
    created_at: str

    def public(self) -> dict[str, Any]:
        return {"id": self.id, "username": self.username, "name": self.name, "role": self.role}

    def private(self) -> dict[str, Any]:
        return {**self.public(), "email": self.email, "created_at": self.created_at}


_USERS = (
    User(1, "alice", "wonderland", "Alice Liddell", "alice@example.com", "customer", "2025-01-14T09:12:00Z"),
    User(2, "bob", "builder", "Bob Builder", "bob@example.com", "customer", "2025-03-02T17:45:00Z"),
    User(3, "carol", "correct-horse", "Carol Danvers", "carol@example.com", "admin", "2024-11-30T08:00:00Z"),
)

_PRODUCTS: tuple[dict[str, Any], ...] = (
    {"id": 101, "sku": "MUG-001", "name": "Enamel camping mug", "category": "kitchen", "price": 12.5,
     "currency": "EUR", "stock": 140, "description": "Light enamel steel mug, 350 ml, dishwasher safe."},
    {"id": 102, "sku": "KET-010", "name": "Gooseneck kettle", "category": "kitchen", "price": 54.0,
     "currency": "EUR", "stock": 23, "description": "Pour-over kettle with thermometer, 0.9 l."},
    {"id": 103, "sku": "BAG-220", "name": "Canvas tote bag", "category": "accessories", "price": 18.9,
     "currency": "EUR", "stock": 310, "description": "Heavy organic cotton canvas tote with inner pocket."},
    {"id": 104, "sku": "LMP-031", "name": "Desk lamp", "category": "home", "price": 39.99,
     "currency": "EUR", "stock": 57, "description": "Dimmable LED desk lamp with USB-C charging port."},
    {"id": 105, "sku": "NBK-005", "name": "Dotted notebook A5", "category": "stationery", "price": 9.5,
     "currency": "EUR", "stock": 480, "description": "192 numbered pages, dotted grid, lay-flat binding."},
    {"id": 106, "sku": "PEN-014", "name": "Fountain pen", "category": "stationery", "price": 27.0,
     "currency": "EUR", "stock": 75, "description": "Steel nib fountain pen, medium, with converter."},
    {"id": 107, "sku": "BTL-750", "name": "Insulated bottle", "category": "outdoor", "price": 24.0,
     "currency": "EUR", "stock": 0, "description": "Keeps drinks cold 24 h or hot 12 h, 750 ml."},
    {"id": 108, "sku": "BLK-002", "name": "Wool blanket", "category": "home", "price": 89.0,
     "currency": "EUR", "stock": 12, "description": "Merino wool throw blanket, 130 x 170 cm."},
)


@dataclass(slots=True)
class ShopState:
    """All mutable data of one app instance."""

    secret: bytes
    users: dict[int, User] = field(default_factory=lambda: {u.id: u for u in _USERS})
    products: dict[int, dict[str, Any]] = field(default_factory=lambda: {p["id"]: dict(p) for p in _PRODUCTS})
    orders: dict[int, dict[str, Any]] = field(default_factory=dict)
    next_order: int = 5001
    max_orders: int = 10_000


def _problem(status: int, title: str, detail: str = "") -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


def _int(value: str | None, default: int, low: int, high: int) -> int:
    if value is None or value == "":
        return default
    if not value.isdigit():
        raise HTTPException(400, "expected a non-negative integer")
    return max(low, min(high, int(value)))


def create_shop_app_from_env() -> Starlette:
    """The shop signing with ``APIWARD_JWT_SECRET`` when set (the demo gives the gateway the same
    secret so it can verify the shop's tokens), else with a random key."""
    secret = os.environ.get(JWT_SECRET_ENV)
    return create_shop_app(secret.encode() if secret else None)


def create_shop_app(secret: bytes | None = None) -> Starlette:
    """A fresh shop with its own data and JWT signing key."""
    state = ShopState(secret=secret or os.urandom(32))

    def current_user(request: Request) -> User:
        auth = request.headers.get("authorization", "")
        scheme, _, token = auth.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise HTTPException(401, "missing bearer token")
        try:
            claims = jwt.decode(token, state.secret, algorithms=["HS256"], audience="shop")
        except jwt.PyJWTError as exc:
            raise HTTPException(401, "invalid token") from exc
        user = state.users.get(int(claims.get("uid", 0)))
        if user is None:
            raise HTTPException(401, "unknown user")
        return user

    async def read_json(request: Request) -> dict[str, Any]:
        try:
            body = await request.json()
        except ValueError as exc:
            raise HTTPException(400, "body must be JSON") from exc
        if not isinstance(body, dict):
            raise HTTPException(400, "body must be a JSON object")
        return body

    async def index(request: Request) -> Response:
        return JSONResponse(
            {
                "name": "apiward demo shop",
                "spec": "/openapi.yaml",
                "endpoints": ["/api/login", "/api/me", "/api/users", "/api/products", "/api/search", "/api/orders"],
            }
        )

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def openapi(request: Request) -> Response:
        return Response(spec_text(), media_type="application/yaml")

    async def login(request: Request) -> Response:
        body = await read_json(request)
        username, password = body.get("username"), body.get("password")
        if not isinstance(username, str) or not isinstance(password, str):
            return _problem(400, "Bad Request", "username and password are required strings")
        user = next((u for u in state.users.values() if u.username == username), None)
        if user is None or user.password != password:
            return _problem(401, "Unauthorized", "wrong username or password")
        now = int(time.time())
        claims = {"sub": user.username, "uid": user.id, "role": user.role, "aud": "shop", "iat": now,
                  "exp": now + TOKEN_TTL}
        token = jwt.encode(claims, state.secret, algorithm="HS256")
        return JSONResponse({"access_token": token, "token_type": "Bearer", "expires_in": TOKEN_TTL})

    async def me(request: Request) -> Response:
        return JSONResponse(current_user(request).private())

    async def list_users(request: Request) -> Response:
        return JSONResponse({"items": [u.public() for u in state.users.values()], "total": len(state.users)})

    async def get_user(request: Request) -> Response:
        user = state.users.get(request.path_params["user_id"])
        if user is None:
            return _problem(404, "Not Found", "no such user")
        return JSONResponse(user.public())

    async def list_products(request: Request) -> Response:
        params = request.query_params
        limit = _int(params.get("limit"), 20, 1, 100)
        offset = _int(params.get("offset"), 0, 0, 10_000)
        category = params.get("category")
        items = [p for p in state.products.values() if category is None or p["category"] == category]
        return JSONResponse({"items": items[offset : offset + limit], "total": len(items),
                             "limit": limit, "offset": offset})

    async def get_product(request: Request) -> Response:
        product = state.products.get(request.path_params["product_id"])
        if product is None:
            return _problem(404, "Not Found", "no such product")
        return JSONResponse(product)

    async def search(request: Request) -> Response:
        q = request.query_params.get("q", "").strip()
        if not q:
            return _problem(400, "Bad Request", "q is required")
        needle = q.casefold()
        hits = [p for p in state.products.values()
                if needle in p["name"].casefold() or needle in p["description"].casefold()]
        return JSONResponse({"query": q, "items": hits, "total": len(hits)})

    async def list_orders(request: Request) -> Response:
        user = current_user(request)
        mine = [o for o in state.orders.values() if o["user_id"] == user.id]
        return JSONResponse({"items": mine, "total": len(mine)})

    async def create_order(request: Request) -> Response:
        user = current_user(request)
        body = await read_json(request)
        items = body.get("items")
        if not isinstance(items, list) or not items or len(items) > 50:
            return _problem(400, "Bad Request", "items must be a list of 1 to 50 lines")
        lines: list[dict[str, Any]] = []
        total = 0.0
        for item in items:
            if not isinstance(item, dict):
                return _problem(400, "Bad Request", "each item is an object")
            product_id = item.get("product_id")
            product = state.products.get(product_id) if isinstance(product_id, int) else None
            quantity = item.get("quantity", 1)
            if product is None:
                return _problem(422, "Unprocessable Content", f"unknown product {item.get('product_id')!r}")
            if not isinstance(quantity, int) or isinstance(quantity, bool) or not 1 <= quantity <= 99:
                return _problem(400, "Bad Request", "quantity must be an integer from 1 to 99")
            lines.append({"product_id": product["id"], "name": product["name"], "quantity": quantity,
                          "unit_price": product["price"]})
            total += product["price"] * quantity
        if len(state.orders) >= state.max_orders:
            state.orders.pop(next(iter(state.orders)))
        order_id = state.next_order
        order: dict[str, Any] = {
            "id": order_id,
            "user_id": user.id,
            "status": "pending",
            "items": lines,
            "total": round(total, 2),
            "currency": "EUR",
            "note": str(body.get("note", ""))[:500],
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        state.orders[order_id] = order
        state.next_order += 1
        return JSONResponse(order, status_code=201)

    async def get_order(request: Request) -> Response:
        user = current_user(request)
        order = state.orders.get(request.path_params["order_id"])
        if order is None or (order["user_id"] != user.id and user.role != "admin"):
            return _problem(404, "Not Found", "no such order")
        return JSONResponse(order)

    async def http_error(request: Request, exc: Exception) -> Response:
        if not isinstance(exc, HTTPException):  # registered for HTTPException only
            raise exc
        headers = {"www-authenticate": "Bearer"} if exc.status_code == 401 else None
        response = _problem(exc.status_code, _TITLES.get(exc.status_code, "Error"), exc.detail)
        if headers:
            response.headers.update(headers)
        return response

    routes = [
        Route("/", index),
        Route("/health", health),
        Route("/openapi.yaml", openapi),
        Route("/api/login", login, methods=["POST"]),
        Route("/api/me", me),
        Route("/api/users", list_users),
        Route("/api/users/{user_id:int}", get_user),
        Route("/api/products", list_products),
        Route("/api/products/{product_id:int}", get_product),
        Route("/api/search", search),
        Route("/api/orders", list_orders, methods=["GET"]),
        Route("/api/orders", create_order, methods=["POST"]),
        Route("/api/orders/{order_id:int}", get_order),
    ]
    return Starlette(routes=routes, exception_handlers={HTTPException: http_error})


_TITLES = {400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 405: "Method Not Allowed"}
