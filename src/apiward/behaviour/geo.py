"""Optional geo data for impossible-travel detection: a CSV of ``cidr,latitude,longitude[,label]``
(e.g. exported from a GeoIP database the operator licenses). Lookup is longest-prefix match in
O(number of distinct prefix lengths)."""

from __future__ import annotations

import csv
import ipaddress
import math
from pathlib import Path

from apiward.errors import ConfigError

Location = tuple[float, float]


class GeoTable:
    def __init__(self, entries: list[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, Location]]) -> None:
        self._tables: dict[tuple[int, int], dict[int, Location]] = {}
        for net, loc in entries:
            self._tables.setdefault((net.version, net.prefixlen), {})[int(net.network_address)] = loc
        self._order = sorted(self._tables, key=lambda k: -k[1])

    def __len__(self) -> int:
        return sum(len(t) for t in self._tables.values())

    @classmethod
    def load(cls, path: Path) -> GeoTable:
        entries = []
        try:
            with Path(path).open(newline="", encoding="utf-8") as handle:
                for line, row in enumerate(csv.reader(handle), start=1):
                    if not row or row[0].startswith("#") or row[0] == "cidr":
                        continue
                    try:
                        net = ipaddress.ip_network(row[0].strip(), strict=False)
                        lat, lon = float(row[1]), float(row[2])
                    except (ValueError, IndexError) as exc:
                        raise ConfigError(f"expected cidr,latitude,longitude: {exc}", f"{path}:{line}") from exc
                    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                        raise ConfigError("latitude/longitude out of range", f"{path}:{line}")
                    entries.append((net, (lat, lon)))
        except OSError as exc:
            raise ConfigError(f"cannot read geo file: {exc.strerror}", str(path)) from exc
        return cls(entries)

    def locate(self, ip: str) -> Location | None:
        try:
            addr = ipaddress.ip_address(ip)
        except ValueError:
            return None
        value, bits = int(addr), addr.max_prefixlen
        for version, prefix in self._order:
            if version != addr.version:
                continue
            masked = value >> (bits - prefix) << (bits - prefix) if prefix else 0
            hit = self._tables[(version, prefix)].get(masked)
            if hit is not None:
                return hit
        return None


def distance_km(a: Location, b: Location) -> float:
    """Great-circle distance (haversine)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))
