"""profile and profiles: a platform's facts, one at a time or side by side."""

from __future__ import annotations

import argparse
from typing import Any

from gotcha_cli.output import UsageError, emit_json, wrap

TABLE_FIELDS = (
    "kind",
    "meter_stop_verb",
    "meter_stop_irreversible",
    "storage_still_billed_when_stopped",
    "spot_available",
    "spot_grace",
    "durable_path",
    "local_nvme_path",
    "inode_cap",
    "free_egress",
    "china_mirror_needed",
    "tb_logdir",
)


def register(sub: Any, shared: argparse.ArgumentParser) -> None:
    p = sub.add_parser("profile", parents=[shared], help="one platform's facts and sections",
                       description="Show one platform profile; --field prints a single fact.")
    p.add_argument("name", help="autodl, china, generic-ssh, lambda, local, paperspace, runpod, vastai")
    p.add_argument("--field", help="print only this front-matter field (e.g. meter_stop_verb)")
    p.add_argument("--section", help="print only this section (e.g. 'Teardown / billing')")
    p.set_defaults(func=cmd_profile)
    p = sub.add_parser("profiles", parents=[shared], help="compare key facts across platforms")
    p.set_defaults(func=cmd_profiles)


def _catalog(args: argparse.Namespace):
    from kb.loader import load_catalog

    return load_catalog(getattr(args, "catalog", None))


def cmd_profile(args: argparse.Namespace) -> int:
    from kb.profile_model import ProfileFacts

    cat = _catalog(args)
    prof = cat.profile(args.name)
    if prof is None:
        raise UsageError(f"unknown platform {args.name!r}; known: {', '.join(sorted(cat.profiles)) or 'none'}")
    if args.field:
        if args.field not in ProfileFacts.model_fields:
            raise UsageError(f"unknown field {args.field!r}; fields: {', '.join(ProfileFacts.model_fields)}")
        value = getattr(prof.facts, args.field)
        if args.json:
            emit_json({"platform": prof.name, "field": args.field, "value": value})
        else:
            print(value if not isinstance(value, bool) else str(value).lower())
        return 0
    if args.section:
        sec = prof.section(args.section)
        if sec is None:
            raise UsageError(f"no section {args.section!r}; sections: {', '.join(s.title for s in prof.sections)}")
        if args.json:
            emit_json(sec)
        else:
            print(f"{prof.facts.display_name} — {sec.title}\n\n{wrap(sec.text)}")
        return 0
    if args.json:
        emit_json(prof.model_dump(mode="json"))
        return 0
    f = prof.facts
    print(f"{f.display_name} ({prof.name}, {f.kind}, verified {f.verified})   source: {prof.source.path}")
    width = max(len(k) for k in ProfileFacts.model_fields)
    for key in ProfileFacts.model_fields:
        if key in ("platform", "display_name", "kind", "verified"):
            continue
        v = getattr(f, key)
        print(f"  {key:<{width}}  {str(v).lower() if isinstance(v, bool) else v}")
    if prof.survival:
        print("\nWhat survives:")
        print(f"  {'tier':<28} {'path':<28} {'stop':<18} {'destroy':<18}")
        for r in prof.survival:
            print(f"  {r.tier[:28]:<28} {r.path[:28]:<28} {r.survives_stop[:18]:<18} {r.survives_destroy[:18]:<18}")
    if prof.gotchas:
        print("\nPlatform gotchas:")
        for e in prof.gotchas:
            print(f"  {e.id:<7} {e.title}")
    print(f"\nSections: {', '.join(s.title for s in prof.sections)} (gotcha profile {prof.name} --section NAME)")
    return 0


def cmd_profiles(args: argparse.Namespace) -> int:
    cat = _catalog(args)
    rows = {name: {k: getattr(p.facts, k) for k in TABLE_FIELDS} for name, p in sorted(cat.profiles.items())}
    if args.json:
        emit_json({"fields": list(TABLE_FIELDS), "profiles": rows})
        return 0 if rows else 1
    names = list(rows)
    width = max(len(k) for k in TABLE_FIELDS)
    col = 16
    print(f"{'':<{width}}  " + "".join(f"{n[:col - 1]:<{col}}" for n in names))
    for k in TABLE_FIELDS:
        cells = []
        for n in names:
            v = rows[n][k]
            text = str(v).lower() if isinstance(v, bool) else str(v)
            cells.append(f"{text[:col - 1]:<{col}}")
        print(f"{k:<{width}}  " + "".join(cells))
    return 0 if rows else 1
