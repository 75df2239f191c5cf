"""`relance admin install-server`: the shared-server deployment, one small step at a time.

Agents never touch the database file: it and its directory belong to a service account
(`relance`), the directory mode 2770 and that account's group holding nobody else. Agents run
relance as that account through one sudo rule naming one command (the installed entry point,
any arguments, no variable of theirs but the terminal's and the language's), and a wrapper
makes `relance` do that for them. Who they are then comes from sudo's record
(services/identity.py); the server configuration tells relance which account and database.

Each step says what it does, knows whether it is in place already (running the installer twice
changes nothing) and can be listed without being done (`--dry-run`). Run by root only.
"""

from __future__ import annotations

import grp
import os
import pwd
import re
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from relance_tui.config import (
    DEFAULT_SERVER_CONFIG,
    ConfigError,
    ServerSettings,
    load_server_config,
    unsafe_component,
)
from relance_tui.domain.labels import AGENT_ROLE_KEYS
from relance_tui.i18n import t
from relance_tui.storage.agents import AgentRow, get_agent
from relance_tui.storage.db import connect

MARKER = "Written by relance admin install-server"
NAME = re.compile(r"[a-z_][a-z0-9_-]{0,31}\Z")
PLAIN_PATH = re.compile(r"/[A-Za-z0-9._/+-]*\Z")  # nothing sudoers or a shell reads specially
# What a terminal program needs from the agent's environment, and nothing else: sudo sets HOME,
# USER, LOGNAME, PATH and SUDO_* itself, and the rule forbids setting any other variable.
KEPT_VARIABLES = "TERM COLORTERM LANG LANGUAGE LC_* COLUMNS LINES RELANCE_LANG"
TOOLS = ("groupadd", "useradd", "usermod", "runuser", "visudo", "sudo")
SERVICE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


class InstallError(Exception):
    """Something the installer will not do; the message says why and what to do."""


@dataclass(frozen=True)
class ServerInstall:
    """Where everything goes (the CLI's options)."""

    entry_point: Path  # the installed `relance` console script: the only command sudo allows
    service_account: str = "relance"
    agents_group: str = "relance-agents"
    data_dir: Path = Path("/var/lib/relance")
    config: Path = DEFAULT_SERVER_CONFIG
    sudoers: Path = Path("/etc/sudoers.d/relance")
    wrapper: Path = Path("/usr/local/bin/relance")
    admins: tuple[str, ...] = ()
    supervisors: tuple[str, ...] = ()
    language: str = "fr"  # of the messages of the commands run as the service account

    @property
    def database(self) -> Path:
        return self.data_dir / "relance.db"

    @property
    def sudo_env(self) -> Path:
        """Variables sudo sets for the command (`env_file`): where its configuration is."""
        return self.config.with_suffix(".env")

    @property
    def server(self) -> ServerSettings:
        return ServerSettings(service_account=self.service_account, database=self.database)


@dataclass(frozen=True)
class Step:
    description: str
    done: Callable[[], bool]
    apply: Callable[[], None]
    detail: str = field(default="")  # a file's content, shown by --dry-run


def install(plan: ServerInstall, *, dry_run: bool, report: Callable[[str], None]) -> None:
    """Check everything, then take each step not in place yet (or only say it, dry run)."""
    check(plan)
    for step in steps(plan):
        if step.done():
            report(t("server.install.already", step=step.description))
        elif dry_run:
            report(t("server.install.would", step=step.description))
            if step.detail:
                report("".join(f"      {line}\n" for line in step.detail.splitlines()).rstrip())
        else:
            step.apply()
            report(t("server.install.did", step=step.description))


def check(plan: ServerInstall) -> None:
    """Refuse up front what would leave a half-made or unsafe deployment."""
    if os.geteuid() != 0:
        raise InstallError(t("server.install.not_root"))
    for tool in TOOLS:
        if shutil.which(tool) is None:
            raise InstallError(t("server.install.missing_tool", tool=tool))
    for name in (plan.service_account, plan.agents_group, *plan.admins, *plan.supervisors):
        if not NAME.match(name):
            raise InstallError(t("server.install.bad_name", name=name))
    for path in (plan.entry_point, plan.data_dir, plan.config, plan.sudoers, plan.wrapper):
        if not PLAIN_PATH.match(str(path)) or ".." in path.parts:
            raise InstallError(t("server.install.bad_path", path=path))
    if "." in plan.sudoers.name or plan.sudoers.name.endswith("~"):
        raise InstallError(t("server.install.sudoers_name", path=plan.sudoers))
    if not plan.sudoers.parent.is_dir():
        raise InstallError(t("server.install.no_sudoers_dir", path=plan.sudoers.parent))
    _check_entry_point(plan)
    for login in (*plan.admins, *plan.supervisors):
        if login == plan.service_account or _user(login) is None:
            raise InstallError(t("server.install.no_user", login=login))
    account = _user(plan.service_account)
    own_group = grp.getgrgid(account.pw_gid).gr_name if account else plan.service_account
    if plan.agents_group == own_group:
        raise InstallError(t("server.install.same_group", group=plan.agents_group))
    if account is not None:
        if account.pw_uid == 0:
            raise InstallError(t("server.install.account_is_root", account=plan.service_account))
        members = grp.getgrgid(account.pw_gid).gr_mem
        if members:
            raise InstallError(
                t("server.install.group_has_members", account=plan.service_account,
                  members=", ".join(members))
            )  # fmt: skip


def _check_entry_point(plan: ServerInstall) -> None:
    entry = plan.entry_point
    if not entry.is_file() or not os.access(entry, os.X_OK):
        raise InstallError(t("server.install.no_entry_point", path=entry))
    if os.path.realpath(entry) == os.path.realpath(plan.wrapper) or MARKER in _head(entry):
        raise InstallError(t("server.install.entry_is_wrapper", path=entry, wrapper=plan.wrapper))
    shebang = _head(entry).split("\n", 1)[0]
    code = [entry, Path(__file__).parents[1]]  # the script, this package
    if shebang.startswith("#!"):
        code.append(Path(shebang[2:].split()[0]))
    for path in code:
        culprit = unsafe_component(path)
        if culprit is not None:
            raise InstallError(t("server.install.entry_unsafe", path=path, culprit=culprit))


def steps(plan: ServerInstall) -> list[Step]:
    account, group = plan.service_account, plan.agents_group
    people = [(login, "admin") for login in plan.admins]
    people += [(login, "supervisor") for login in plan.supervisors]
    return [
        Step(
            t("server.install.step.group", group=group),
            lambda: _group(group) is not None,
            lambda: _run(["groupadd", group]),
        ),
        Step(
            t("server.install.step.account", account=account, home=plan.data_dir),
            lambda: _user(account) is not None,
            lambda: _run(_useradd(plan)),
        ),
        Step(
            t("server.install.step.data_dir", path=plan.data_dir, account=account),
            lambda: _data_dir_in_place(plan),
            lambda: _make_data_dir(plan),
        ),
        Step(
            t("server.install.step.config", path=plan.config),
            lambda: _config_in_place(plan),
            lambda: _write(plan.config, config_text(plan), 0o644),
            config_text(plan),
        ),
        Step(
            t("server.install.step.sudo_env", path=plan.sudo_env),
            lambda: _same(plan.sudo_env, sudo_env_text(plan), 0o644),
            lambda: _write(plan.sudo_env, sudo_env_text(plan), 0o644),
            sudo_env_text(plan),
        ),
        Step(
            t("server.install.step.database", path=plan.database, account=account),
            lambda: os.path.lexists(plan.database),
            lambda: _as_service(plan, "init"),
        ),
        *(
            Step(
                t("server.install.step.register", login=login, role=t(AGENT_ROLE_KEYS[role])),
                partial(_registered_as, plan, login, role),
                partial(_register, plan, login, role),
            )
            for login, role in people
        ),
        *(
            Step(
                t("server.install.step.member", login=login, group=group),
                partial(_is_member, login, group),
                partial(_run, ["usermod", "--append", "--groups", group, login]),
            )
            for login, _role in people
        ),
        Step(
            t("server.install.step.sudoers", path=plan.sudoers, group=group, account=account),
            lambda: _same(plan.sudoers, sudoers_text(plan), 0o440),
            lambda: write_sudoers(plan.sudoers, sudoers_text(plan)),
            sudoers_text(plan),
        ),
        Step(
            t("server.install.step.wrapper", path=plan.wrapper),
            lambda: _same(plan.wrapper, wrapper_text(plan), 0o755),
            lambda: _write(plan.wrapper, wrapper_text(plan), 0o755),
            wrapper_text(plan),
        ),
    ]


def config_text(plan: ServerInstall) -> str:
    return (
        f"# {MARKER}.\n"
        "# The shared server's settings, the same for every agent: relance reads this file\n"
        "# (and no --config) when it runs as the service account. Root alone may write it.\n"
        "# The usual sections ([scoring], [contact], [claims]…) may follow.\n"
        "[server]\n"
        f'service_account = "{plan.service_account}"\n'
        f'database = "{plan.database}"\n'
    )


def sudo_env_text(plan: ServerInstall) -> str:
    """Our line, and the admin's own (RELANCE_WRITE_WAIT=…) kept from the file there."""
    ours = f"RELANCE_SERVER_CONFIG={plan.config}"
    kept: list[str] = []
    if plan.sudo_env.is_file():
        old = plan.sudo_env.read_text(encoding="utf-8", errors="replace").splitlines()
        kept = [line for line in old[1:] if not line.startswith("RELANCE_SERVER_CONFIG=")]
    return "\n".join([f"# {MARKER}: variables sudo sets for relance.", ours, *kept]) + "\n"


def sudoers_text(plan: ServerInstall) -> str:
    entry, account = plan.entry_point, plan.service_account
    return (
        f"# {MARKER}.\n"
        f"# Members of {plan.agents_group} run relance, and nothing else, as {account}: the\n"
        f"# only account that can open {plan.database}. Their environment is dropped but\n"
        "# for the terminal and the language; they may set no variable (SUDO_UID, which says\n"
        "# who they are, is sudo's own); the server configuration is named by sudo.\n"
        f'Defaults!{entry} env_reset, !setenv, env_keep = "{KEPT_VARIABLES}", '
        f"env_file = {plan.sudo_env}\n"
        f"%{plan.agents_group} ALL = ({account}) NOPASSWD: NOSETENV: {entry}\n"
    )


def wrapper_text(plan: ServerInstall) -> str:
    sudo = shutil.which("sudo") or "/usr/bin/sudo"
    return (
        "#!/bin/sh\n"
        f"# {MARKER}: `relance` runs the real one as {plan.service_account}\n"
        f"# through sudo ({plan.sudoers}), the only way to the database.\n"
        f'exec {sudo} -n -u {plan.service_account} -- {plan.entry_point} "$@"\n'
    )


def write_sudoers(path: Path, content: str) -> None:
    """Put the sudo rule in place only once `visudo -c` accepts it, then check the whole
    configuration again; a rule sudo refuses is never left behind (a broken sudoers file can
    lock root out of sudo)."""
    # A dot in the name: sudo skips the file while it is being checked.
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=".relance-", suffix=".tmp")
    draft = Path(name)
    previous = path.read_bytes() if path.exists() else None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(content)
        os.chmod(draft, 0o440)
        _visudo(["-c", "-f", str(draft)], path)
        os.replace(draft, path)
        try:
            _visudo(["-c"], path)
        except InstallError:
            if previous is None:
                path.unlink()
            else:
                path.write_bytes(previous)
            raise
    finally:
        draft.unlink(missing_ok=True)


def _visudo(arguments: list[str], path: Path) -> None:
    result = subprocess.run(["visudo", *arguments], capture_output=True, text=True)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()
        raise InstallError(t("server.install.visudo_failed", path=path, detail=detail))


def _registered(plan: ServerInstall, login: str) -> AgentRow | None:
    """The agent `login` as the database holds them (read here, as root: SQLite gives any side
    file root makes to the database's owner)."""
    if not plan.database.exists():
        return None
    conn = connect(plan.database, migrate_schema=False, create=False)
    try:
        return get_agent(conn, login)
    finally:
        conn.close()


def _registered_as(plan: ServerInstall, login: str, role: str) -> bool:
    agent = _registered(plan, login)
    return agent is not None and agent.active and agent.role == role


def _register(plan: ServerInstall, login: str, role: str) -> None:
    """Through relance, as the service account (its first admin): audited like any change.
    Someone there already keeps their name; only their role is set."""
    if _registered(plan, login) is None:
        _as_service(plan, "agents", "add", login, "--role", role)
    else:
        _as_service(plan, "agents", "set-role", login, role)


def _useradd(plan: ServerInstall) -> list[str]:
    shell = next(
        (s for s in ("/usr/sbin/nologin", "/sbin/nologin") if Path(s).exists()), "/bin/false"
    )
    return [
        "useradd", "--system", "--user-group", "--home-dir", str(plan.data_dir),
        "--no-create-home", "--shell", shell, "--comment", "relance-tui", plan.service_account,
    ]  # fmt: skip


def _data_dir_in_place(plan: ServerInstall) -> bool:
    account = _user(plan.service_account)
    if account is None or not plan.data_dir.exists():
        return False
    info = plan.data_dir.lstat()
    return (
        plan.data_dir.is_dir()
        and not plan.data_dir.is_symlink()
        and (info.st_uid, info.st_gid) == (account.pw_uid, account.pw_gid)
        and info.st_mode & 0o7777 == 0o2770
    )


def _make_data_dir(plan: ServerInstall) -> None:
    if plan.data_dir.is_symlink():
        raise InstallError(t("server.install.symlink", path=plan.data_dir))
    _make_parents(plan.data_dir)
    plan.data_dir.mkdir(mode=0o700, exist_ok=True)
    account = pwd.getpwnam(plan.service_account)
    os.chown(plan.data_dir, account.pw_uid, account.pw_gid)
    os.chmod(plan.data_dir, 0o2770)  # setgid: SQLite's side files keep the account's group


def _make_parents(path: Path) -> None:
    """Missing parents: root's, and open to traverse (the service account goes through)."""
    missing = [level for level in path.parents if not level.exists()]
    for level in reversed(missing):
        level.mkdir(mode=0o755)
        os.chmod(level, 0o755)


def _config_in_place(plan: ServerInstall) -> bool:
    """An existing server configuration is kept (its settings are the admin's), as long as it
    names this account and database and only root can change it."""
    try:
        found = load_server_config(plan.config)
    except ConfigError as error:
        detail = t("server.install.bad_config", path=plan.config, detail=error)
        raise InstallError(detail) from error
    if found is None:
        return False
    if found.server != plan.server:
        raise InstallError(
            t("server.install.config_differs", path=plan.config,
              account=found.server.service_account, database=found.server.database)
        )  # fmt: skip
    return True


def _same(path: Path, content: str, mode: int) -> bool:
    """The file is ours, as we would write it; a file of someone else's is never replaced."""
    if not os.path.lexists(path):
        return False
    text = path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""
    if MARKER not in text:
        raise InstallError(t("server.install.foreign_file", path=path))
    info = path.lstat()
    return text == content and info.st_uid == 0 and info.st_mode & 0o7777 == mode


def _write(path: Path, content: str, mode: int) -> None:
    """Root's file with exactly `mode`, replaced in one rename (never half-written)."""
    _make_parents(path)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(content)
        os.chmod(name, mode)
        os.replace(name, path)
    finally:
        Path(name).unlink(missing_ok=True)


def _as_service(plan: ServerInstall, *argv: str) -> None:
    """`relance ARGV` as the service account, on the server's database, in a clean environment
    (no SUDO_UID of whoever ran the installer: the service account acts as itself)."""
    environment = {
        "PATH": SERVICE_PATH,
        "LANG": "C.UTF-8",
        "RELANCE_SERVER_CONFIG": str(plan.config),
    }
    _run(
        ["runuser", "-u", plan.service_account, "--", str(plan.entry_point),
         "--lang", plan.language, *argv],
        env=environment, cwd=plan.data_dir,
    )  # fmt: skip


def _run(argv: list[str], **options: object) -> None:
    result = subprocess.run(argv, capture_output=True, text=True, **options)  # type: ignore[call-overload]
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()
        raise InstallError(
            t("server.install.command_failed", command=shlex.join(argv), detail=detail)
        )


def _user(login: str) -> pwd.struct_passwd | None:
    try:
        return pwd.getpwnam(login)
    except KeyError:
        return None


def _group(name: str) -> grp.struct_group | None:
    try:
        return grp.getgrnam(name)
    except KeyError:
        return None


def _is_member(login: str, group: str) -> bool:
    found, person = _group(group), _user(login)
    if found is None or person is None:
        return False
    return login in found.gr_mem or person.pw_gid == found.gr_gid


def _head(path: Path) -> str:
    with path.open("rb") as handle:
        return handle.read(4096).decode("utf-8", errors="replace")
