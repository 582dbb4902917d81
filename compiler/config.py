"""Configuration: one file, read before discovery.

Looked up from the vault folder upwards: the first `vaultc.toml`, or `pyproject.toml` holding a
`[tool.vaultc]` table, wins (as ruff does). Every key is optional; see README "Configuration".
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .model import Severity

DEFAULT_BASE_IRI = "https://w3id.org/vaultc/id/"
DEFAULT_MAX_AGE = 180
DEFAULT_MAX_FILE_BYTES = 5 * 1024 * 1024
DEFAULT_QUERY_TIMEOUT = 10.0  # as `vaultc sparql --timeout`


class ConfigError(Exception):
    """A configuration problem: the CLI reports it on one line and exits 2."""


@dataclass(frozen=True)
class Config:
    exclude: tuple[str, ...] = ()
    severity: dict[str, str] = field(default_factory=dict)  # rule -> error|warning|info|off
    max_age_days: int = DEFAULT_MAX_AGE
    max_age_by_type: dict[str, int] = field(default_factory=dict)
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    base_iri: str = DEFAULT_BASE_IRI
    cache_dir: str | None = None  # absolute; None: `.vaultc-cache/` beside the vault
    types: tuple[str, ...] = ()  # page types of the vault's own, beside VAULT-SPEC's (no unknown-type)
    query_timeout: float = DEFAULT_QUERY_TIMEOUT  # seconds a query block may run
    source: str | None = None  # the file it came from

    def severity_of(self, rule: str, default: Severity) -> Severity | None:
        """The configured severity of a rule; None when the rule is switched off."""
        value = self.severity.get(rule)
        if value is None:
            return default
        if value == "off":
            return None
        return Severity.parse(value)


def find_config_file(vault: Path) -> tuple[Path, dict[str, Any]] | None:
    for folder in [vault, *vault.resolve().parents]:
        candidate = folder / "vaultc.toml"
        if candidate.is_file():
            return candidate, _read_toml(candidate)
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            table = _read_toml(candidate).get("tool", {}).get("vaultc")
            if table is not None:
                return candidate, table
    return None


def load_config(vault: Path, explicit: Path | None = None) -> Config:
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"config file not found: {explicit}")
        data = _read_toml(explicit)
        if explicit.name == "pyproject.toml":
            data = data.get("tool", {}).get("vaultc", {})
        return config_from_mapping(data, str(explicit))
    found = find_config_file(vault)
    if found is None:
        return Config()
    path, data = found
    return config_from_mapping(data, str(path))


def config_from_mapping(data: dict[str, Any], source: str | None = None) -> Config:
    known = {"exclude", "severity", "max_age_days", "max_age_by_type", "max_file_bytes", "base_iri", "cache_dir",
             "types", "query_timeout"}
    unknown = sorted(set(data) - known)
    where = f" in {source}" if source else ""
    if unknown:
        raise ConfigError(f"unknown configuration key{'s' if len(unknown) > 1 else ''}{where}: {', '.join(unknown)}")
    exclude = data.get("exclude", [])
    if not isinstance(exclude, list) or not all(isinstance(x, str) for x in exclude):
        raise ConfigError(f"'exclude'{where} must be a list of glob patterns")
    severity = data.get("severity", {})
    if not isinstance(severity, dict):
        raise ConfigError(f"'severity'{where} must be a table of rule = level")
    for rule, level in severity.items():
        if level not in ("error", "warning", "info", "off"):
            raise ConfigError(f"severity of {rule!r}{where} must be error, warning, info or off")
    max_age = _positive_int(data.get("max_age_days", DEFAULT_MAX_AGE), "max_age_days", where)
    by_type = data.get("max_age_by_type", {})
    if not isinstance(by_type, dict):
        raise ConfigError(f"'max_age_by_type'{where} must be a table of type = days")
    by_type = {k: _positive_int(v, f"max_age_by_type.{k}", where) for k, v in by_type.items()}
    max_bytes = _positive_int(data.get("max_file_bytes", DEFAULT_MAX_FILE_BYTES), "max_file_bytes", where)
    base_iri = data.get("base_iri", DEFAULT_BASE_IRI)
    if not isinstance(base_iri, str) or not base_iri:
        raise ConfigError(f"'base_iri'{where} must be a non-empty string")
    types = data.get("types", [])
    if not isinstance(types, list) or not all(isinstance(x, str) and x.strip() for x in types):
        raise ConfigError(f"'types'{where} must be a list of page type names")
    query_timeout = data.get("query_timeout", DEFAULT_QUERY_TIMEOUT)
    if isinstance(query_timeout, bool) or not isinstance(query_timeout, (int, float)) or not 0 < query_timeout <= 3600:
        raise ConfigError(f"'query_timeout'{where} must be a number of seconds, at most 3600")
    cache_dir = data.get("cache_dir")
    if cache_dir is not None:
        if not isinstance(cache_dir, str) or not cache_dir.strip():
            raise ConfigError(f"'cache_dir'{where} must be a folder path")
        base = Path(source).resolve().parent if source else Path.cwd()
        cache_dir = str((base / Path(cache_dir).expanduser()).resolve())
    return Config(
        exclude=tuple(exclude),
        severity=dict(severity),
        max_age_days=max_age,
        max_age_by_type=by_type,
        max_file_bytes=max_bytes,
        base_iri=base_iri,
        cache_dir=cache_dir,
        types=tuple(types),
        query_timeout=float(query_timeout),
        source=source,
    )


def _positive_int(value: Any, name: str, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ConfigError(f"'{name}'{where} must be a positive integer")
    return value


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from None
