"""lookup, show, list, check: the catalog from the shell."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from gotcha_kb.cli import render
from gotcha_kb.cli.output import emit_json, lines, platform_argument, warn, wrap


def register(sub: Any, shared: argparse.ArgumentParser) -> None:
    p = sub.add_parser("lookup", parents=[shared], help="find entries by id, keyword or phrase (typos ok)",
                       description="Find entries by id (U7), keyword (inode, oom, crlf) or phrase; best first.")
    p.add_argument("query", nargs="+", help="id, keyword or phrase")
    platform_argument(p, "--platform", help="rank this platform's gotchas too and show its values")
    p.add_argument("--limit", type=int, default=8, help="at most this many results (default 8)")
    p.set_defaults(func=cmd_lookup)

    p = sub.add_parser("show", parents=[shared], help="one entry, in full", description="Print one entry: symptom, root cause, fix.")
    p.add_argument("id", help="entry id, e.g. U7")
    platform_argument(p, "--platform", help="fill in this platform's values")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("list", parents=[shared], help="list entries", description="List entries, optionally one theme or platform.")
    p.add_argument("--theme", help="only this theme (case-insensitive prefix, e.g. 'disk')")
    platform_argument(p, "--platform", help="only universal entries plus this platform's gotchas")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("check", parents=[shared], help="validate the catalog and profiles",
                       description="Validate the catalog and profiles; print file:line for each problem. Exit 1 on errors.")
    p.set_defaults(func=cmd_check)


def _index(args: argparse.Namespace) -> dict[str, Any]:
    from gotcha_kb.kb.index import load_index

    data = load_index(getattr(args, "catalog", None))
    if data["problems"]:
        warn(f"the catalog has {len(data['problems'])} problem(s); run 'gotcha check' to see them")
    return data


def cmd_lookup(args: argparse.Namespace) -> int:
    from gotcha_kb.kb.search import SearchIndex, lookup

    data = _index(args)
    result = lookup(data, SearchIndex(data), " ".join(args.query), args.platform, args.limit)
    query, platform, matches, suggestions = result["query"], result["platform"], result["matches"], result["did_you_mean"]
    if args.json:
        emit_json(result)
    else:
        if not matches:
            print(f"nothing found for {query!r}" + (f"; did you mean {', '.join(suggestions)}?" if suggestions else ""))
        for m in matches:
            tag = f" [{m['platform']}]" if m["platform"] else ""
            print(lines(render.plain(m["title"]) + tag, f"{m['id']:<7} {m['score']:5.1f}  ", " " * 15))
            for field, value in m["profile_values"].items():
                print(lines(f"{platform}: {field} = {value}", " " * 15))
    return 0 if matches else 1


def _load(args: argparse.Namespace):
    from gotcha_kb.kb.catalog_cache import load_catalog_cached

    cat = load_catalog_cached(getattr(args, "catalog", None))
    if cat.errors:
        warn(f"the catalog has {len(cat.errors)} problem(s); run 'gotcha check' to see them")
    return cat


def cmd_show(args: argparse.Namespace) -> int:
    from gotcha_kb.kb.names import find_profile
    from gotcha_kb.kb.views import get_entry

    cat = _load(args)
    entry = get_entry(cat, args.id, args.platform)
    if args.json:
        emit_json(entry)
        return 0
    flag = f"  [{entry.platform}]" if entry.platform else ""
    width = render.term_width()
    print(lines(f"{entry.id} — {render.plain(entry.title)}{flag}", "", "  "))
    print(lines(f"theme: {entry.theme}   source: {entry.source}", "", "  "))
    for label, text in (("Symptom", entry.symptom), ("Root cause", entry.root_cause), ("Fix", entry.fix)):
        if text:
            print(f"\n{label}:\n{wrap(text)}")
    if entry.checks:
        print("\nChecks:")
        for c in entry.checks:
            print("\n".join(render.fold_command(c.run, width, "  $ ")))
            if c.shows:
                print(lines(render.plain(c.shows), "      "))
    if entry.profile_values:
        print(f"\nOn {find_profile(cat, args.platform).facts.display_name}:")
        for k, v in entry.profile_values.items():
            print(lines(f"{k} = {v}", "  ", "    "))
    if entry.refs:
        print("\n" + lines(f"See also: {', '.join(entry.refs)}", "", "  "))
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from gotcha_kb.kb.views import list_entries

    listed = list_entries(_load(args), args.theme, args.platform)
    if args.json:
        emit_json(listed)
    else:
        theme = None
        for e in listed.entries:
            if e.theme != theme:
                theme = e.theme
                print(f"\n{theme}")
            title = render.plain(e.title) + (f"  [{e.platform}]" if e.platform else "")
            print(lines(title, f"  {e.id:<7} ", " " * 10))
    return 0 if listed.entries else 1


def cmd_check(args: argparse.Namespace) -> int:
    from gotcha_kb.engine.validate import check_report
    from gotcha_kb.kb.loader import load_catalog

    report = check_report(load_catalog(getattr(args, "catalog", None)))
    if args.json:
        emit_json({**report, "problems": [p.model_dump() for p in report["problems"]]})
    else:
        for p in report["problems"]:
            print(p, file=sys.stderr if p.severity == "error" else sys.stdout)
        print(f"{report['entries']} entries ({report['universal']} universal, {report['platform_gotchas']} platform), "
              f"{report['profiles']} profiles: {report['errors']} error(s), {report['warnings']} warning(s)")
    return 1 if report["errors"] else 0
