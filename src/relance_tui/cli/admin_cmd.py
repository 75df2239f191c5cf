"""`relance admin install-server` / `uninstall-server`: set up the shared server, or take it apart
(services/server_install.py, services/server_uninstall.py)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from relance_tui.cli import common
from relance_tui.i18n import current_language, t


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("admin", help=t("server.cli.admin_help"))
    actions = parser.add_subparsers(dest="admin_action", metavar="ACTION", required=True)
    install = actions.add_parser(
        "install-server",
        help=t("server.cli.install_help"),
        description=t("server.cli.install_description"),
    )
    install.add_argument(
        "--service-account",
        default="relance",
        metavar="LOGIN",
        help=t("server.cli.service_account"),
    )
    install.add_argument(
        "--agents-group",
        default="relance-agents",
        metavar="GROUP",
        help=t("server.cli.agents_group"),
    )
    install.add_argument(
        "--data-dir",
        type=Path,
        default=Path("/var/lib/relance"),
        metavar="DIR",
        help=t("server.cli.data_dir"),
    )
    install.add_argument(
        "--server-config",
        type=Path,
        default=None,
        metavar="PATH",
        help=t("server.cli.server_config"),
    )
    install.add_argument(
        "--sudoers",
        type=Path,
        default=Path("/etc/sudoers.d/relance"),
        metavar="PATH",
        help=t("server.cli.sudoers"),
    )
    install.add_argument(
        "--wrapper",
        type=Path,
        default=Path("/usr/local/bin/relance"),
        metavar="PATH",
        help=t("server.cli.wrapper"),
    )
    install.add_argument(
        "--entry-point", type=Path, default=None, metavar="PATH", help=t("server.cli.entry_point")
    )
    install.add_argument(
        "--admin", action="append", default=[], metavar="LOGIN", help=t("server.cli.admin")
    )
    install.add_argument(
        "--supervisor",
        action="append",
        default=[],
        metavar="LOGIN",
        help=t("server.cli.supervisor"),
    )
    install.add_argument("--dry-run", action="store_true", help=t("server.cli.dry_run"))
    install.add_argument(
        "--lang", choices=("fr", "en"), default=argparse.SUPPRESS, help=t("server.cli.lang")
    )
    _register_uninstall(actions)
    parser.set_defaults(handler=run, reads_settings=False)  # fmt: skip


def _register_uninstall(actions: Any) -> None:
    remove = actions.add_parser(
        "uninstall-server",
        help=t("server.uninstall.cli.help"),
        description=t("server.uninstall.cli.description"),
    )
    remove.add_argument("--service-account", default="relance", metavar="LOGIN",
                        help=t("server.cli.service_account"))  # fmt: skip
    remove.add_argument("--data-dir", type=Path, default=Path("/var/lib/relance"),
                        metavar="DIR", help=t("server.cli.data_dir"))  # fmt: skip
    remove.add_argument("--server-config", type=Path, default=None, metavar="PATH",
                        help=t("server.cli.server_config"))  # fmt: skip
    remove.add_argument("--sudoers", type=Path, default=Path("/etc/sudoers.d/relance"),
                        metavar="PATH", help=t("server.cli.sudoers"))  # fmt: skip
    remove.add_argument("--wrapper", type=Path, default=Path("/usr/local/bin/relance"),
                        metavar="PATH", help=t("server.cli.wrapper"))  # fmt: skip
    remove.add_argument("--purge", type=Path, default=None, metavar="DIR",
                        help=t("server.uninstall.cli.purge"))  # fmt: skip
    remove.add_argument("--dry-run", action="store_true", help=t("server.cli.dry_run"))
    remove.add_argument(
        "--lang", choices=("fr", "en"), default=argparse.SUPPRESS, help=t("server.cli.lang")
    )


def run(args: argparse.Namespace) -> int:
    if args.admin_action == "uninstall-server":
        return run_uninstall(args)
    # Deferred: each sub-command loads only what it runs.
    from relance_tui.config import DEFAULT_SERVER_CONFIG
    from relance_tui.services.server_install import InstallError, ServerInstall, install

    plan = ServerInstall(
        entry_point=args.entry_point or Path(sys.executable).parent / "relance",
        service_account=args.service_account,
        agents_group=args.agents_group,
        data_dir=args.data_dir,
        config=args.server_config or DEFAULT_SERVER_CONFIG,
        sudoers=args.sudoers,
        wrapper=args.wrapper,
        admins=tuple(args.admin),
        supervisors=tuple(args.supervisor),
        language=current_language(),
    )
    try:
        install(plan, dry_run=args.dry_run, report=print)
    except InstallError as error:
        raise common.CliError(str(error)) from error
    if args.dry_run:
        print(t("server.install.dry_run_done"))
    else:
        print(
            t(
                "server.install.finished",
                wrapper=plan.wrapper,
                group=plan.agents_group,
                database=plan.database,
            )
        )
    return common.EXIT_OK


def run_uninstall(args: argparse.Namespace) -> int:
    # Deferred: each sub-command loads only what it runs.
    from relance_tui.config import DEFAULT_SERVER_CONFIG
    from relance_tui.services.server_install import InstallError, ServerInstall
    from relance_tui.services.server_uninstall import uninstall

    plan = ServerInstall(
        entry_point=Path(sys.executable).parent / "relance",  # not used: nothing is run
        service_account=args.service_account,
        data_dir=args.data_dir,
        config=args.server_config or DEFAULT_SERVER_CONFIG,
        sudoers=args.sudoers,
        wrapper=args.wrapper,
    )
    try:
        uninstall(plan, purge=args.purge, dry_run=args.dry_run, report=print)
    except InstallError as error:
        raise common.CliError(str(error)) from error
    if args.dry_run:
        print(t("server.install.dry_run_done"))
    elif args.purge is None:
        print(t("server.uninstall.finished", path=plan.data_dir, account=plan.service_account))
    else:
        print(t("server.uninstall.purged"))
    return common.EXIT_OK
