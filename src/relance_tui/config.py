"""User configuration: one TOML file, every setting with a sensible default.

Looked up at `--config PATH`, else `RELANCE_CONFIG`, else `config.toml` in the user config
directory. On a shared server (`relance admin install-server`, docs/deployment.md) the settings
come instead from the server configuration, `/etc/relance/server.toml` (or
`RELANCE_SERVER_CONFIG`): the usual sections plus a `[server]` table naming the service account
and the database. It is believed only when root alone can change it (`unsafe_component`).

Plain frozen dataclasses with `annotated_types` constraints: importing this module costs nothing
at start-up; pydantic validates them only when a configuration file is actually read.
"""

from __future__ import annotations

import os
import stat
import tomllib
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from annotated_types import Ge, Gt, Le

_T = TypeVar("_T")
Weight = Annotated[float, Ge(0), Le(100)]
_STRICT: Any = {"extra": "forbid"}  # pydantic's ConfigDict, read when a file is validated


@dataclass(frozen=True)
class ScoringWeights:
    """Relative weight of each part of the priority score (they need not add up to 100)."""

    __pydantic_config__ = _STRICT

    amount: Weight = 30
    age: Weight = 5
    payer_type: Weight = 12
    history: Weight = 8
    segment: Weight = 7
    risk: Weight = 8
    prescription: Weight = 5
    stage: Weight = 5


@dataclass(frozen=True)
class ScoringSettings:
    """How the queue ranks cases (domain/scoring.py explains each part).

    Changing any of these re-ranks every case the next time the app or `relance queue` starts.
    """

    __pydantic_config__ = _STRICT

    weights: ScoringWeights = field(default_factory=ScoringWeights)
    amount_reference_euros: Annotated[float, Gt(0)] = 5000.0  # scores half the amount part
    age_reference_days: Annotated[int, Gt(0)] = 90  # scores half the age part
    strategic_bonus: Annotated[float, Ge(0), Le(1)] = 0.5
    prescription_window_days: Annotated[int, Gt(0), Le(3650)] = 365


@dataclass(frozen=True)
class CallingHours:
    """When calls are placed, in the local time of the number called (D223-9 by default; see
    docs/french-collection-rules.md, "Calling hours and contact frequency")."""

    __pydantic_config__ = _STRICT

    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4)  # Monday = 0
    windows: tuple[tuple[time, time], ...] = ((time(10), time(13)), (time(14), time(20)))
    skip_public_holidays: bool = True


@dataclass(frozen=True)
class ContactSettings:
    """How often and when debtors are contacted, and how commitments are followed up."""

    __pydantic_config__ = _STRICT

    max_attempts_per_7_days: Annotated[int, Ge(1)] = 3  # calls and SMS, per case
    calling_hours: CallingHours = field(default_factory=CallingHours)
    prescription_warning_days: Annotated[int, Ge(0), Le(3650)] = 183  # ~6 months
    promise_grace_days: Annotated[int, Ge(0), Le(30)] = 0  # a promise breaks after these


@dataclass(frozen=True)
class ClaimSettings:
    __pydantic_config__ = _STRICT

    expiry_minutes: Annotated[int, Ge(1), Le(24 * 60)] = 15


StepName = Literal[
    "pre_reminder",
    "friendly_reminder",
    "phone_reminder",
    "second_reminder",
    "registered_letter",
    "formal_notice",
    "legal_action",
]
StepChannel = Literal["email", "letter", "registered_letter", "sms", "phone"]
SegmentName = Literal["large_account", "multi_site", "sme", "public_body", "consumer"]


@dataclass(frozen=True)
class LadderStep:
    """One rung: `days` after the oldest overdue invoice's due date (a pre-reminder: before the
    next due date, days negative)."""

    __pydantic_config__ = _STRICT

    step: StepName
    channel: StepChannel
    days: Annotated[int, Ge(-60), Le(3650)]


def _steps(*items: tuple[StepName, StepChannel, int]) -> tuple[LadderStep, ...]:
    return tuple(LadderStep(step, channel, days) for step, channel, days in items)


_B2B = _steps(
    ("friendly_reminder", "email", 15),
    ("phone_reminder", "phone", 25),
    ("second_reminder", "email", 35),
    ("registered_letter", "registered_letter", 45),
    ("formal_notice", "registered_letter", 60),
    ("legal_action", "letter", 90),
)


def default_sequences() -> dict[SegmentName, tuple[LadderStep, ...]]:
    """French practice: a written reminder ~15 days after the due date, then phone and firmer
    letters; large accounts and public bodies by phone first (public bodies also get a
    pre-reminder: mandates get rejected when a document is missing); consumers by letter."""
    return {
        "sme": _B2B,
        "multi_site": _B2B,
        "large_account": _steps(
            ("phone_reminder", "phone", 10),
            ("friendly_reminder", "email", 15),
            ("second_reminder", "email", 30),
            ("registered_letter", "registered_letter", 45),
            ("formal_notice", "registered_letter", 60),
            ("legal_action", "letter", 90),
        ),
        "public_body": _steps(
            ("pre_reminder", "email", -7),
            ("phone_reminder", "phone", 5),
            ("friendly_reminder", "email", 15),
            ("second_reminder", "letter", 30),
            ("formal_notice", "registered_letter", 50),
            ("legal_action", "letter", 90),
        ),
        "consumer": _steps(
            ("friendly_reminder", "letter", 10),
            ("second_reminder", "letter", 25),
            ("formal_notice", "registered_letter", 45),
            ("legal_action", "letter", 90),
        ),
    }


@dataclass(frozen=True)
class CreditorSettings:
    """Who the letters come from (the mentions letters must carry)."""

    __pydantic_config__ = _STRICT

    name: str = "Votre société"
    address: str = ""
    postal_code: str = ""
    city: str = ""
    siren: str = ""
    email: str = ""
    phone: str = ""
    contact: str = ""  # the person who signs
    iban: str = ""
    bic: str = ""
    # Collecting for another creditor (an agency): the consumer letters carry R124-4's mentions.
    agency: bool = False
    principal_name: str = ""  # the creditor the agency collects for
    principal_address: str = ""


@dataclass(frozen=True)
class SmtpSettings:
    """The outgoing mail server. The password is never stored in the database: here, or better
    in the environment variable named by `password_env`."""

    __pydantic_config__ = _STRICT

    host: str = ""
    port: Annotated[int, Ge(1), Le(65535)] = 587
    security: Literal["starttls", "tls", "none"] = "starttls"
    user: str = ""
    password: str = ""
    password_env: str = "RELANCE_SMTP_PASSWORD"
    sender: str = ""  # From: address
    timeout_seconds: Annotated[float, Gt(0), Le(300)] = 30.0
    # The certificate authorities trusted for the server's certificate (a PEM file): empty for
    # the system's. `verify = false` accepts any certificate: for a test server only.
    ca_file: str = ""
    verify: bool = True


@dataclass(frozen=True)
class DunningSettings:
    """The dunning ladder: steps per segment, delays, approval, where letters go, how to send."""

    __pydantic_config__ = _STRICT

    sequences: dict[SegmentName, tuple[LadderStep, ...]] = field(default_factory=default_sequences)
    strategic_phone_first: bool = True  # a strategic client's phone step comes first
    min_gap_days: Annotated[int, Ge(0), Le(365)] = 7  # between two steps of one case
    notice_deadline_days: Annotated[int, Ge(1), Le(60)] = 8  # the mise en demeure's deadline
    reminder_deadline_days: Annotated[int, Ge(1), Le(60)] = 8
    require_approval: bool = True  # the batch performs steps only with --approve
    letters_dir: str = ""  # default: "letters" in the user data directory
    sms_command: str = ""  # run as: command NUMBER TEXT; empty: SMS steps become phone tasks
    creditor: CreditorSettings = field(default_factory=CreditorSettings)
    smtp: SmtpSettings = field(default_factory=SmtpSettings)


@dataclass(frozen=True)
class Settings:
    __pydantic_config__ = _STRICT

    language: str | None = None  # "fr" or "en"; --lang and RELANCE_LANG win over it
    # Off by default: over SSH every frame of an animation is sent, and a tab switch cost twice
    # the CPU with its underline animated.
    animations: Literal["none", "basic", "full"] = "none"
    scoring: ScoringSettings = field(default_factory=ScoringSettings)
    contact: ContactSettings = field(default_factory=ContactSettings)
    claims: ClaimSettings = field(default_factory=ClaimSettings)
    dunning: DunningSettings = field(default_factory=DunningSettings)
    # Binding id -> comma-separated Textual key names (`"queue.search" = "ctrl+f"`); the ids
    # and keys are checked by the app (tui/keymap.py): only it knows its bindings.
    keymap: dict[str, str] = field(default_factory=dict)


class ConfigError(ValueError):
    """The configuration file is unreadable or has a bad value; the message says where."""


DEFAULT_SERVER_CONFIG = Path("/etc/relance/server.toml")


@dataclass(frozen=True)
class ServerSettings:
    """The shared-server deployment: the account that alone reads and writes the database
    (agents run relance as it through sudo), and that database."""

    __pydantic_config__ = _STRICT

    service_account: str = "relance"
    database: Path = Path("/var/lib/relance/relance.db")


@dataclass(frozen=True)
class ServerConfig:
    path: Path
    server: ServerSettings
    settings: Settings


class UntrustedConfigError(ConfigError):
    """A server configuration that someone other than root could have written."""

    def __init__(self, path: Path, culprit: Path) -> None:
        super().__init__(f"{path}: {culprit} is not root's alone")
        self.path = path
        self.culprit = culprit


def unsafe_component(path: Path) -> Path | None:
    """The first of `path` (symbolic links followed) and its directories that a user other than
    root could change: not owned by root, or writable by group or others (a sticky directory
    such as /tmp is fine: nobody replaces root's entries in it). None when root alone can."""
    real = Path(os.path.realpath(path))
    for level in (real, *real.parents):
        info = level.stat()
        if info.st_uid != 0:
            return level
        sticky_dir = level != real and info.st_mode & stat.S_ISVTX
        if info.st_mode & 0o022 and not sticky_dir:
            return level
    return None


def server_config_path() -> Path:
    return Path(os.environ.get("RELANCE_SERVER_CONFIG") or DEFAULT_SERVER_CONFIG)


def load_server_config(path: Path | None = None) -> ServerConfig | None:
    """The shared-server configuration, or None on a single-user machine (no such file).

    Refused (UntrustedConfigError) unless root alone can change it: it names the account whose
    sudo invokers relance believes, so an agent must not be able to write one of their own.
    """
    config_path = path or server_config_path()
    if not os.path.lexists(config_path):
        return None
    try:
        culprit = unsafe_component(config_path)
    except OSError as error:
        raise ConfigError(f"{config_path}: {error}") from error
    if culprit is not None:
        raise UntrustedConfigError(config_path, culprit)
    data = _read_toml(config_path)
    server = data.pop("server", None)
    if not isinstance(server, dict):
        raise ConfigError(f"{config_path}: [server] table missing")
    settings = _validate(ServerSettings, {"server": server}, config_path, "server")
    if not settings.database.is_absolute():
        raise ConfigError(f"{config_path}: server.database: an absolute path is needed")
    return ServerConfig(config_path, settings, _validate(Settings, data, config_path))


PRIVATE_DIR_MODE = 0o700


def make_dirs(path: Path, mode: int = PRIVATE_DIR_MODE) -> None:
    """Create `path` with exactly `mode` and its missing parents private to the user, whatever
    the umask (a plain mkdir under umask 000 makes them writable by everyone). Directories that
    exist are left as they are."""
    missing: list[Path] = []
    for level in (path, *path.parents):
        if level.exists():
            break
        missing.append(level)
    for level in reversed(missing):
        try:
            level.mkdir(mode=PRIVATE_DIR_MODE)
        except FileExistsError:
            continue  # made by another process meanwhile: theirs to set
        os.chmod(level, mode if level == path else PRIVATE_DIR_MODE)


def default_config_path() -> Path:
    # Deferred: not loaded until first used (start-up time).
    from platformdirs import user_config_path

    return user_config_path("relance-tui", appauthor=False) / "config.toml"


def resolve_config_path(cli_value: str | os.PathLike[str] | None = None) -> Path:
    if cli_value:
        return Path(cli_value).expanduser()
    env_value = os.environ.get("RELANCE_CONFIG")
    if env_value:
        return Path(env_value).expanduser()
    return default_config_path()


def load_settings(path: Path | None = None) -> Settings:
    """Read the settings; a missing file means all defaults."""
    config_path = path or resolve_config_path()
    if not config_path.exists():
        return Settings()
    return _validate(Settings, _read_toml(config_path), config_path)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{path}: {error}") from error


def _validate(kind: type[_T], data: dict[str, Any], path: Path, table: str = "") -> _T:
    """`data` (or its `table`, whose name then prefixes the errors' locations) as a `kind`."""
    # Deferred: not loaded until first used (start-up time).
    from pydantic import TypeAdapter, ValidationError

    try:
        return TypeAdapter(kind).validate_python(data[table] if table else data)
    except ValidationError as error:
        details = "; ".join(
            f"{'.'.join(str(part) for part in (table, *item['loc']) if part)}: {item['msg']}"
            for item in error.errors()
        )
        raise ConfigError(f"{path}: {details}") from error
