"""profile and profiles: a platform's facts, one at a time or side by side."""

from __future__ import annotations

import argparse
from typing import Any

from gotcha_kb.cli import render
from gotcha_kb.cli.output import emit_json, lines, platform_argument, wrap

def register(sub: Any, shared: argparse.ArgumentParser) -> None:
    p = sub.add_parser("profile", parents=[shared], help="one platform's facts and sections",
                       description="Show one platform profile; --field prints a single fact.")
    platform_argument(p, "name", help="the platform: its name, display name or gotcha prefix")
    p.add_argument("--field", help="print only this front-matter field (e.g. meter_stop_verb)")
    p.add_argument("--section", help="print only this section: its title or a case-insensitive prefix "
                   "(e.g. 'Teardown / billing' or 'teardown')")
    p.set_defaults(func=cmd_profile)
    p = sub.add_parser("profiles", parents=[shared], help="compare key facts across platforms")
    p.set_defaults(func=cmd_profiles)


def _catalog(args: argparse.Namespace):
    from gotcha_kb.kb.catalog_cache import load_catalog_cached

    return load_catalog_cached(getattr(args, "catalog", None))


def cmd_profile(args: argparse.Namespace) -> int:
    from gotcha_kb.kb.names import find_profile, find_section
    from gotcha_kb.kb.profile_model import ProfileFacts
    from gotcha_kb.kb.views import profile_field, profile_view

    cat = _catalog(args)
    prof = find_profile(cat, args.name)
    if args.field:
        prof, value = profile_field(cat, args.name, args.field)
        if args.json:
            emit_json({"platform": prof.name, "field": args.field, "value": value})
        else:
            print(value if not isinstance(value, bool) else str(value).lower())
        return 0
    if args.section:
        sec = find_section(prof, args.section)
        if args.json:
            emit_json(sec)
        else:
            print(lines(f"{prof.facts.display_name} — {sec.title}", "", "  ") + f"\n\n{wrap(sec.text)}")
        return 0
    if args.json:
        emit_json(profile_view(cat, prof.name))
        return 0
    f = prof.facts
    print(lines(f"{f.display_name} ({prof.name}, {f.kind}, verified {f.verified})   source: {prof.source.path}", "", "  "))
    width = max(len(k) for k in ProfileFacts.model_fields)
    for key in ProfileFacts.model_fields:
        if key in ("platform", "display_name", "kind", "verified"):
            continue
        v = getattr(f, key)
        print(lines(_cell(v), f"  {key:<{width}}  ", " " * (width + 4)))
    if prof.survival:
        print("\nWhat survives:")
        rows = [[r.tier, r.path, r.survives_stop, r.survives_destroy] for r in prof.survival]
        print("\n".join(render.table(["tier", "path", "stop", "destroy"], rows, render.term_width(), "  ")))
    if prof.gotchas:
        print("\nPlatform gotchas:")
        for e in prof.gotchas:
            print(lines(render.plain(e.title), f"  {e.id:<7} ", " " * 10))
    print()
    print(lines(f"Sections: {', '.join(s.title for s in prof.sections)} (gotcha profile {prof.name} --section NAME)", "", "  "))
    return 0


def _cell(v: object) -> str:
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, (list, tuple)):
        return ", ".join(map(str, v))
    return str(v)


def cmd_profiles(args: argparse.Namespace) -> int:
    from gotcha_kb.kb.views import COMPARED_FACTS, compare_profiles

    rows = compare_profiles(_catalog(args))
    if args.json:
        emit_json({"fields": list(COMPARED_FACTS), "profiles": rows})
        return 0 if rows else 1
    # Eight platforms side by side do not fit a terminal: as many columns as fit, in blocks,
    # each repeating the field names; cells wrap inside their column, nothing is cut.
    names = list(rows)
    total = render.term_width()
    label = max(len(k) for k in COMPARED_FACTS)
    per = max(1, (total - label - 2) // 20)
    for start in range(0, len(names), per):
        block = names[start:start + per]
        body = [[k] + [_cell(rows[n][k]) for n in block] for k in COMPARED_FACTS]
        if start:
            print()
        print("\n".join(render.table(["", *block], body, total, keep=[0])))
    return 0 if rows else 1
