"""The ``smd`` command line: every local feature, scriptable.

The passphrase comes from ``SMD_PASSPHRASE`` (for scripts and tests) or an interactive prompt;
``smd passwd`` reads the new one from ``SMD_NEW_PASSPHRASE`` or a prompt; ``smd restore`` reads
the phrase from ``SMD_RECOVERY_PHRASE`` or a prompt. ``SMD_KDF=interactive`` selects cheaper
Argon2id costs for new profiles, backups and passphrase changes (low-memory machines, tests);
the default is ``moderate``. Errors are one line on stderr and exit code 1.
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import platformdirs

from p2p.errors import P2PError  # a light module: no libp2p import

from . import __version__
from .core import content as ct
from .core.backup import export_backup, import_backup
from .core.errors import NoProfile, SmdError, UserError
from .core.ids import (
    IdentityKey,
    did_key,
    identity_text,
    parse_device,
    parse_identity,
    parse_record_id,
    peer_id_text,
)
from .core.kdf import KdfParams
from .core.plugins import PluginHost
from .core.profile import Image, Profile
from .core.store import PostView, profile_exists

EXIT_ERROR = 1


def default_data_dir() -> Path:
    """The per-user data directory (platformdirs), shared by the CLI and the desktop app."""
    return Path(platformdirs.user_data_dir("smd", "smd"))


def kdf_from_env() -> KdfParams:
    """Argon2id costs for new keys: ``SMD_KDF`` (``moderate`` default, or ``interactive``)."""
    try:
        return KdfParams.from_profile_name(os.environ.get("SMD_KDF"))
    except ValueError as exc:
        raise UserError(str(exc)) from exc


def _secret(env: str, prompt: str, *, confirm: bool = False) -> str:
    value = os.environ.get(env)
    if value:
        return value
    if not sys.stdin.isatty():
        raise UserError(f"no terminal to ask for it: set {env}")
    value = getpass.getpass(prompt)
    if confirm and getpass.getpass("Repeat it: ") != value:
        raise UserError("the two entries differ")
    if not value:
        raise UserError("an empty passphrase is not allowed")
    return value


def read_passphrase(*, new: bool = False) -> str:
    """The profile passphrase (``SMD_PASSPHRASE`` or a prompt; twice when ``new``)."""
    return _secret("SMD_PASSPHRASE", "Passphrase: ", confirm=new)


def _open(args: argparse.Namespace) -> Profile:
    if not profile_exists(args.data_dir):  # say so before asking for a passphrase
        raise NoProfile(f"no profile in {args.data_dir} (run 'smd init' or 'smd restore' first)")
    return Profile.open(args.data_dir, read_passphrase(), plugins=args.plugins)


def _read_file(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError as exc:
        raise UserError(f"no such file: {path}") from exc
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror}") from exc


def _name_of(profile: Profile, identity: IdentityKey) -> str:
    view = profile.store.profile(identity)
    return view.name if view else identity_text(identity)


def warn_forks(profile: Profile) -> None:
    """Tell the user about every forked feed we hold evidence of (on stderr)."""
    for fork in profile.store.forks():
        who = identity_text(fork.identity)
        view = profile.store.profile(fork.identity)
        if view is not None:
            who = f"{view.name} ({who})"
        print(
            f"warning: {who} has a forked feed: device {peer_id_text(fork.device)} signed two "
            f"different records at seq {fork.seq}; both are kept as evidence",
            file=sys.stderr,
        )


# -- commands -----------------------------------------------------------------------------


def cmd_init(args: argparse.Namespace) -> int:
    """Create a new identity and profile store."""
    if args.name is None and sys.stdin.isatty():
        args.name = input("Display name: ").strip() or None
    passphrase = read_passphrase(new=True)
    profile = Profile.create(
        args.data_dir,
        passphrase,
        name=args.name,
        device_name=args.device_name,
        kdf=kdf_from_env(),
        plugins=args.plugins,
    )
    try:
        print(f"Identity: {identity_text(profile.identity)}")
        print(f"Device:   {peer_id_text(profile.device_key)}")
        print()
        print("Recovery phrase (shown once; write it down and keep it offline):")
        print(f"  {profile.root.phrase()}")
        print()
        print("Anyone with these 24 words can act as you. Without them and without this")
        print("device or a backup, your identity cannot be recovered.")
    finally:
        profile.close()
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """Restore an identity from its phrase as a new device."""
    phrase = _secret("SMD_RECOVERY_PHRASE", "Recovery phrase (24 words): ")
    passphrase = read_passphrase(new=True)
    profile = Profile.restore(
        args.data_dir, passphrase, phrase, name=args.name, kdf=kdf_from_env(), plugins=args.plugins
    )
    try:
        print(f"Restored identity {identity_text(profile.identity)}")
        print(f"as a new device {peer_id_text(profile.device_key)}.")
        print("Your earlier posts arrive when your other devices or friends sync with this one.")
    finally:
        profile.close()
    return 0


def whoami_data(profile: Profile) -> dict[str, Any]:
    """What ``smd whoami --json`` prints."""
    me = profile.my_profile()
    return {
        "id": identity_text(profile.identity),
        "did": did_key(profile.identity),
        "peer_id": peer_id_text(profile.device_key),
        "name": me.name if me else None,
        "bio": me.bio if me else "",
        "records": profile.store.count_records(profile.identity),
        "devices": _devices_data(profile),
    }


def _devices_data(profile: Profile) -> list[dict[str, Any]]:
    return [
        {
            "peer_id": peer_id_text(d.device),
            "name": d.name,
            "records": d.head_seq,
            "this_device": d.device == profile.device_key,
            "revoked": d.revoked_after is not None,
            "forked": d.forked,
        }
        for d in profile.devices()
    ]


def cmd_whoami(args: argparse.Namespace) -> int:
    """Show identity, device and counts."""
    profile = _open(args)
    try:
        data = whoami_data(profile)
        if args.json:
            print(json.dumps(data, indent=2))
        else:
            print(f"Name:      {data['name'] or '(no profile yet)'}")
            print(f"Identity:  {data['id']}")
            print(f"DID:       {data['did']}")
            print(f"Device:    {data['peer_id']}")
            print(f"Records:   {data['records']}")
            print(f"Devices:   {len(data['devices'])}")
        warn_forks(profile)
    finally:
        profile.close()
    return 0


def cmd_device_list(args: argparse.Namespace) -> int:
    """List this identity's devices."""
    profile = _open(args)
    try:
        devices = _devices_data(profile)
        if args.json:
            print(json.dumps(devices, indent=2))
        for d in [] if args.json else devices:
            flags = [f for f in ("this_device", "revoked", "forked") if d[f]]
            note = f"  ({', '.join(flags).replace('_', ' ')})" if flags else ""
            print(f"{d['peer_id']}  {d['name']}  {d['records']} records{note}")
    finally:
        profile.close()
    return 0


def cmd_device_revoke(args: argparse.Namespace) -> int:
    """Revoke another device of this identity."""
    device = parse_device(args.device)
    profile = _open(args)
    try:
        known = profile.store.identity_of(device) is not None
        profile.revoke_device(device, reason=args.reason or "")
        if known:
            print(f"Revoked {args.device}: its records from now on will be rejected.")
        else:
            print(f"Revoked {args.device}: it never synced here, so all its records are rejected.")
    finally:
        profile.close()
    return 0


def cmd_profile_set(args: argparse.Namespace) -> int:
    """Publish the profile (name, bio, avatar)."""
    avatar = Image.from_bytes(_read_file(args.avatar)) if args.avatar else None
    profile = _open(args)
    try:
        record = profile.set_profile(name=args.name, bio=args.bio, avatar=avatar)
        print(record.id.hex())
    finally:
        profile.close()
    return 0


def cmd_post(args: argparse.Namespace) -> int:
    """Publish a post; prints its id."""
    reply_to = parse_record_id(args.reply_to) if args.reply_to else None
    images = [Image.from_bytes(_read_file(p)) for p in args.image]
    profile = _open(args)
    try:
        record = profile.post(args.text, reply_to=reply_to, tags=args.tag, images=images)
        print(record.id.hex())
    finally:
        profile.close()
    return 0


def cmd_edit(args: argparse.Namespace) -> int:
    """Publish a new version of one of your posts."""
    target = parse_record_id(args.id)
    profile = _open(args)
    try:
        print(profile.edit(target, args.text).id.hex())
    finally:
        profile.close()
    return 0


def cmd_delete(args: argparse.Namespace) -> int:
    """Delete one of your posts (a signed tombstone; the text is purged locally)."""
    target = parse_record_id(args.id)
    profile = _open(args)
    try:
        profile.delete(target)
        print(f"Deleted {target.hex()}")
    finally:
        profile.close()
    return 0


def post_data(profile: Profile, post: PostView) -> dict[str, Any]:
    """One entry of ``smd feed --json``."""
    return {
        "id": post.id.hex(),
        "author": identity_text(post.identity),
        "author_name": post.author_name,
        "device": peer_id_text(post.device),
        "seq": post.seq,
        "type": ct.POST,
        "text": post.text,
        "timestamp": post.timestamp,
        "reply_to": post.reply_to.hex() if post.reply_to else None,
        "tags": list(post.tags),
        "images": [{"hash": i.hash.hex(), "mime": i.mime, "size": i.size} for i in post.images],
        "edited": post.edited,
        "mine": post.identity == profile.identity,
    }


def format_post(post: PostView) -> str:
    """A post as a few lines of text."""
    when = datetime.fromtimestamp(post.timestamp / 1000, UTC).astimezone()
    who = post.author_name or identity_text(post.identity)
    head = f"{who} · {when:%Y-%m-%d %H:%M}{' · edited' if post.edited else ''} · {post.id.hex()}"
    lines = [head]
    if post.reply_to:
        lines.append(f"  ↳ reply to {post.reply_to.hex()}")
    lines.extend(f"  {line}" for line in post.text.splitlines() or [""])
    if post.tags:
        lines.append("  " + " ".join(f"#{t}" for t in post.tags))
    if post.images:
        lines.append(f"  [{len(post.images)} image(s)]")
    return "\n".join(lines)


def cmd_feed(args: argparse.Namespace) -> int:
    """Show the timeline (or one identity's posts)."""
    author = parse_identity(args.author) if args.author else None
    if args.limit < 1:
        raise UserError("--limit must be at least 1")
    profile = _open(args)
    try:
        if author is None:
            posts = profile.timeline(limit=args.limit)
        else:
            posts = profile.store.author_posts(author, limit=args.limit)
        if args.json:
            print(json.dumps([post_data(profile, p) for p in posts], indent=2, ensure_ascii=False))
        elif not posts and author is not None:
            print("No posts from them here yet (they arrive when you sync with them).")
        elif not posts:
            print('No posts yet. Write one with: smd post "Hello"')
        else:
            print("\n\n".join(format_post(p) for p in posts))
        warn_forks(profile)
    finally:
        profile.close()
    return 0


def _relation(action: Callable[[Profile, Any], object], done: str) -> Callable[..., int]:
    def run(args: argparse.Namespace) -> int:
        target = parse_identity(args.id)
        profile = _open(args)
        try:
            action(profile, target)
            print(f"{done} {identity_text(target)}")
        finally:
            profile.close()
        return 0

    return run


cmd_follow = _relation(lambda p, t: p.follow(t), "Following")
cmd_unfollow = _relation(lambda p, t: p.follow(t, following=False), "Unfollowed")
cmd_block = _relation(lambda p, t: p.block(t), "Blocked")
cmd_unblock = _relation(lambda p, t: p.block(t, blocked=False), "Unblocked")


def cmd_following(args: argparse.Namespace) -> int:
    """List who you follow and block."""
    profile = _open(args)
    try:
        data = {
            "following": [identity_text(i) for i in profile.following()],
            "blocked": [identity_text(i) for i in profile.blocked()],
            "followers": [identity_text(i) for i in profile.store.followers(profile.identity)],
        }
        if args.json:
            print(json.dumps(data, indent=2))
        else:
            for key, ids in data.items():
                print(f"{key.capitalize()} ({len(ids)}):")
                for i in ids:
                    print(f"  {_name_of(profile, parse_identity(i))}  {i}")
    finally:
        profile.close()
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Write an encrypted backup."""
    profile = _open(args)
    try:
        passphrase = read_passphrase()
        count = export_backup(profile, Path(args.file), passphrase, kdf_from_env())
        print(f"Backup of {count} records written to {args.file} (sealed with your passphrase).")
    finally:
        profile.close()
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    """Restore a backup as a new device."""
    if not Path(args.file).exists():
        raise UserError(f"no such file: {args.file}")
    profile, count = import_backup(
        Path(args.file), args.data_dir, read_passphrase(), kdf=kdf_from_env(), plugins=args.plugins
    )
    try:
        print(f"Imported {count} records of {identity_text(profile.identity)}")
        print(f"as a new device {peer_id_text(profile.device_key)}.")
    finally:
        profile.close()
    return 0


def cmd_passwd(args: argparse.Namespace) -> int:
    """Change the passphrase (re-keys the database)."""
    profile = _open(args)
    try:
        new = _secret("SMD_NEW_PASSPHRASE", "New passphrase: ", confirm=True)
        profile.change_passphrase(new, kdf_from_env())
        print("Passphrase changed.")
    finally:
        profile.close()
    return 0


def cmd_node(args: argparse.Namespace) -> int:
    """Run the peer-to-peer node until SIGINT/SIGTERM."""
    import trio

    from .node_runner import node_lock, serve

    profile = _open(args)
    try:
        with node_lock(args.data_dir):
            trio.run(
                lambda: serve(
                    profile,
                    listen=args.listen,
                    peers=args.peer,
                    out=sys.stdout,
                    lan_discovery=not args.no_mdns,
                    hops=args.hops,
                )
            )
    finally:
        profile.close()
    return 0


def cmd_invite(args: argparse.Namespace) -> int:
    """Print an invite code for this device."""
    from .node_runner import make_invite_code

    profile = _open(args)
    try:
        print(make_invite_code(profile, ttl_hours=args.ttl, addrs=args.address))
    finally:
        profile.close()
    return 0


def cmd_connect(args: argparse.Namespace) -> int:
    """Dial a peer, sync once, and exit."""
    import trio

    from p2p.errors import P2PError
    from p2p.invite import parse_target

    from .core.ids import IdentityKey
    from .core.store import now_ms
    from .node_runner import node_lock, serve

    try:
        target = parse_target(args.target, now_ms())
    except P2PError as exc:
        raise UserError(str(exc)) from exc
    profile = _open(args)
    try:
        if args.follow and target.group is not None:
            identity = IdentityKey(target.group)
            if identity != profile.identity and identity not in profile.following():
                profile.follow(identity)
                print(f"Following {identity_text(identity)}")
        with node_lock(args.data_dir):

            def synced(node: Any) -> bool:
                return any(s.last_sync is not None for s in node.peers.values())

            async def main() -> None:
                with trio.move_on_after(args.timeout) as scope:
                    await serve(
                        profile,
                        listen=args.listen,
                        peers=[args.target],
                        out=sys.stdout,
                        until=synced,
                    )
                if scope.cancelled_caught:
                    raise UserError(f"no sync with {args.target} within {args.timeout:g} s")

            trio.run(main)
    finally:
        profile.close()
    return 0


def cmd_plugins_list(args: argparse.Namespace) -> int:
    """List the installed plugins; with a profile, whether each is enabled there."""
    statuses = args.plugins.statuses()
    if profile_exists(args.data_dir) and (os.environ.get("SMD_PASSPHRASE") or sys.stdin.isatty()):
        profile = _open(args)  # attaching shows what is enabled and running in this profile
        try:
            statuses = profile.plugins.statuses()
        finally:
            profile.close()
    if args.json:
        print_json(
            [
                {
                    "name": s.name,
                    "version": s.version,
                    "title": s.title,
                    "types": list(s.types),
                    "enabled": s.enabled,
                    "active": s.active,
                    "error": s.error,
                    "source": s.source,
                }
                for s in statuses
            ]
        )
        return 0
    if not statuses:
        print("No plugins installed.")
    for s in statuses:
        state = "active" if s.active else ("disabled" if not s.enabled else "not running")
        print(f"{s.name} {s.version}  {s.title}  [{state}]")
        if s.types:
            print(f"    types: {', '.join(s.types)}")
        if s.error:
            print(f"    problem: {s.error}")
    return 0


def _cmd_plugins_set(enabled: bool) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        profile = _open(args)
        try:
            status = profile.plugins.set_enabled(args.name, enabled)
        finally:
            profile.close()
        if enabled and not status.active:
            raise UserError(f"{args.name} is enabled but cannot run: {status.error}")
        print(f"{args.name} {'enabled' if enabled else 'disabled'}.")
        return 0

    run.__doc__ = f"{'Enable' if enabled else 'Disable'} a plugin in this profile."
    return run


def print_json(value: Any) -> None:
    """Print ``value`` as indented JSON on stdout."""
    print(json.dumps(value, indent=2, ensure_ascii=False))


class _Cli:
    """The :class:`CliContext` plugin commands receive."""

    def open_profile(self, args: argparse.Namespace) -> Profile:
        return _open(args)

    def print_json(self, value: Any) -> None:
        print_json(value)

    def name_of(self, profile: Profile, identity: IdentityKey) -> str:
        return _name_of(profile, identity)


def cmd_home(args: argparse.Namespace) -> int:
    """No command: the interactive first run, then a small home loop."""
    from .first_run import run_interactive

    return run_interactive(args.data_dir)


# -- parser -------------------------------------------------------------------------------


def build_parser(plugins: PluginHost | None = None) -> argparse.ArgumentParser:
    """The ``smd`` argument parser, with the sub-commands of ``plugins`` (default: the
    installed ones)."""
    plugins = plugins if plugins is not None else PluginHost.discover()
    parser = argparse.ArgumentParser(
        prog="smd", description="SMD: your social life in your own hands, peer to peer."
    )
    parser.add_argument("--version", action="version", version=f"smd {__version__}")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help=f"profile directory (default: {default_data_dir()})",
    )
    parser.set_defaults(func=cmd_home, plugins=plugins)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    def add(name: str, func: Callable[[argparse.Namespace], int], help_: str) -> Any:
        p = sub.add_parser(name, help=help_, description=help_)
        p.set_defaults(func=func)
        return p

    p = add("init", cmd_init, "create a new identity and profile")
    p.add_argument("--name", help="display name")
    p.add_argument("--device-name", help="name of this device (default: host name)")
    p = add("restore", cmd_restore, "restore an identity from its recovery phrase")
    p.add_argument("--name", help="display name to publish (optional)")
    p = add("whoami", cmd_whoami, "show your identity and this device")
    p.add_argument("--json", action="store_true")

    dev = add("device", lambda a: (dev.print_help(), 0)[1], "list or revoke devices")
    dsub = dev.add_subparsers(metavar="ACTION")
    p = dsub.add_parser("list", help="list this identity's devices")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_device_list)
    p = dsub.add_parser("revoke", help="revoke another device of this identity")
    p.add_argument("device", help="the device's id (12D3KooW...)")
    p.add_argument("--reason", help="a short note kept with the revocation")
    p.set_defaults(func=cmd_device_revoke)

    prof = add("profile", lambda a: (prof.print_help(), 0)[1], "manage your profile")
    psub = prof.add_subparsers(metavar="ACTION")
    p = psub.add_parser("set", help="publish name, bio and avatar")
    p.add_argument("--name")
    p.add_argument("--bio")
    p.add_argument("--avatar", help="PNG, JPEG, GIF or WebP file")
    p.set_defaults(func=cmd_profile_set)

    p = add("post", cmd_post, "publish a post")
    p.add_argument("text")
    p.add_argument("--reply-to", help="id of the post to reply to")
    p.add_argument("--tag", action="append", default=[], help="a tag (repeatable)")
    p.add_argument("--image", action="append", default=[], help="an image file (repeatable)")
    p = add("edit", cmd_edit, "publish a new version of one of your posts")
    p.add_argument("id")
    p.add_argument("text")
    p = add("delete", cmd_delete, "delete one of your posts")
    p.add_argument("id")
    p = add("feed", cmd_feed, "show your timeline or one person's posts")
    p.add_argument("--json", action="store_true")
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--author", help="an identity id: show only their posts")
    for name, func, help_ in (
        ("follow", cmd_follow, "follow an identity"),
        ("unfollow", cmd_unfollow, "stop following an identity"),
        ("block", cmd_block, "block an identity"),
        ("unblock", cmd_unblock, "unblock an identity"),
    ):
        add(name, func, help_).add_argument("id", help="identity id (z6Mk... or did:key:...)")
    p = add("following", cmd_following, "list who you follow, block, and who follows you")
    p.add_argument("--json", action="store_true")
    p = add("export", cmd_export, "write an encrypted backup")
    p.add_argument("file")
    p = add("import", cmd_import, "restore a backup into a new data dir, as a new device")
    p.add_argument("file")
    add("passwd", cmd_passwd, "change your passphrase")
    p = add("node", cmd_node, "run the peer-to-peer node until interrupted")
    p.add_argument("--listen", action="append", help="multiaddr to listen on (repeatable)")
    p.add_argument(
        "--peer", action="append", default=[], help="multiaddr or invite code to dial (repeatable)"
    )
    p.add_argument("--no-mdns", action="store_true", help="do not discover peers on the LAN")
    p.add_argument(
        "--hops",
        type=int,
        choices=range(4),
        default=2,
        metavar="N",
        help="replicate only yourself (0), who you follow (1), who they follow too (2, default)",
    )
    p = add("invite", cmd_invite, "print an invite code friends can connect with")
    p.add_argument("--ttl", type=float, default=72.0, help="hours the code stays valid")
    p.add_argument(
        "--address", action="append", help="multiaddr to put in the code (default: this machine)"
    )
    p = add("connect", cmd_connect, "dial a peer (invite code or multiaddr), sync once, exit")
    p.add_argument("target", help="an invite code (smd1...) or a multiaddr ending in /p2p/ID")
    p.add_argument("--follow", action="store_true", help="also follow the inviter's identity")
    p.add_argument("--listen", action="append", help="multiaddr to listen on (repeatable)")
    p.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for the sync")

    plug = add("plugins", cmd_plugins_list, "list, enable or disable plugins")
    plug.add_argument("--json", action="store_true")
    plsub = plug.add_subparsers(metavar="ACTION")
    p = plsub.add_parser("list", help="list installed plugins and their state")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_plugins_list)
    for action, enabled in (("enable", True), ("disable", False)):
        p = plsub.add_parser(action, help=f"{action} a plugin in this profile")
        p.add_argument("name")
        p.set_defaults(func=_cmd_plugins_set(enabled))
    plugins.add_cli_commands(sub, _Cli())
    return parser


def _single_user_error(group: BaseExceptionGroup[BaseException]) -> BaseException | None:
    """The error inside a (nested) exception group, if it is exactly one SmdError/P2PError."""
    leaves: list[BaseException] = []
    stack: list[BaseException] = [group]
    while stack:
        exc = stack.pop()
        if isinstance(exc, BaseExceptionGroup):
            stack.extend(exc.exceptions)
        else:
            leaves.append(exc)
    if len(leaves) == 1 and isinstance(leaves[0], (SmdError, P2PError)):
        return leaves[0]
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``smd``; returns the exit code."""
    # A broken plugin is reported by 'smd plugins list', not on every command's stderr.
    logging.getLogger("smd.plugins").addHandler(logging.NullHandler())
    args = build_parser().parse_args(argv)
    if args.data_dir is None:
        args.data_dir = default_data_dir()
    try:
        return int(args.func(args))
    except (SmdError, P2PError) as exc:  # both are sentences meant for the user
        print(f"smd: {exc}", file=sys.stderr)
    except BaseExceptionGroup as group:  # from a Trio run: report the one cause if it is ours
        leaf = _single_user_error(group)
        if leaf is None:
            raise
        print(f"smd: {leaf}", file=sys.stderr)
    except KeyboardInterrupt:
        print("smd: interrupted", file=sys.stderr)
        return 130
    except OSError as exc:
        print(f"smd: {exc.strerror or exc}", file=sys.stderr)
    return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
