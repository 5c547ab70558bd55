"""Reads the plans auto_explain wrote (PostgreSQL's jsonlog, auto_explain.log_format = json) and
prints one plan per distinct statement as markdown (scripts/explain_central.py calls it; it also
runs alone: `explain_plans.py LOG [--offset N] [--db NAME] [--large name=rows ...]`).

A statement is told apart by its text with whitespace collapsed and literals replaced by `?`
(the centre sends most with $n parameters; the triggers' and foreign keys' nested statements
appear as PostgreSQL runs them). Per statement: how often it ran, mean and max duration, and the
plan of its slowest run, or of a run that read a large table whole (a Seq Scan on a table of
more than `large_rows` rows), which is flagged, or that PostgreSQL JIT-compiled (its estimated
cost passed jit_above_cost: hundreds of ms of compiling). Python 3 standard library only."""
import json
import re
import sys

# Fields shown under a node, in this order, when present.
DETAILS = ("Index Cond", "Recheck Cond", "Hash Cond", "Merge Cond", "Join Filter", "Filter", "Rows Removed by Filter",
           "One-Time Filter", "Conflict Resolution", "Conflict Arbiter Indexes", "Sort Key", "Group Key", "Cache Key",
           "Function Call")


def read_plans(path, offset=0, db=None):
    """(duration ms, query text, plan dict) of every auto_explain record after `offset` bytes."""
    out = []
    with open(path, "rb") as f:
        f.seek(offset)
        for raw in f:
            try:
                rec = json.loads(raw)
            except ValueError:
                continue
            if db and rec.get("dbname") != db:
                continue
            if rec.get("application_name") == "psql":  # the harness's own queries
                continue
            msg = rec.get("message", "")
            m = re.match(r"duration: ([0-9.]+) ms\s+plan:\s*", msg)
            if not m:
                continue
            try:
                doc = json.loads(msg[m.end():])
            except ValueError:
                continue
            plan = doc["Plan"]
            if "JIT" in doc:  # compiled: its time is in the duration, not in any node
                plan["JIT"] = doc["JIT"]
            out.append((float(m.group(1)), doc.get("Query Text", ""), plan))
    return out


def normalise(sql):
    s = re.sub(r"--[^\n]*", " ", sql)
    s = re.sub(r"'(?:[^']|'')*'", "?", s)
    s = re.sub(r"\b\d+(\.\d+)?\b", "?", s)
    return " ".join(s.split()).rstrip(";")


def first_line(sql):
    for line in sql.strip().splitlines():
        if line.strip():
            return " ".join(line.split())
    return ""


def walk(node):
    yield node
    for child in node.get("Plans", []):
        yield from walk(child)


def seq_scans(plan, large):
    """The large tables a plan reads whole: [(table, rows in the table, rows the scan kept)]."""
    return sorted({(n["Relation Name"], large[n["Relation Name"]], n.get("Actual Rows", 0) * n.get("Actual Loops", 1))
                   for n in walk(plan) if n.get("Node Type") == "Seq Scan" and n.get("Relation Name") in large})


def render(node, depth=0):
    """EXPLAIN ANALYZE's text form, shortened: node, relation and index, actual rows and loops."""
    kind = node.get("Node Type", "?")
    if kind == "ModifyTable":
        kind = node.get("Operation", "Modify")
    if node.get("Strategy") in ("Hashed", "Sorted") and kind == "Aggregate":
        kind = ("HashAggregate" if node["Strategy"] == "Hashed" else "GroupAggregate")
    head = kind
    if node.get("Parent Relationship") in ("InitPlan", "SubPlan") and node.get("Subplan Name"):
        head = f"{node['Subplan Name']}: {head}"
    if node.get("Index Name"):
        head += f" using {node['Index Name']}"
    if node.get("Relation Name"):
        head += f" on {node['Relation Name']}"
        if node.get("Alias") and node["Alias"] != node["Relation Name"]:
            head += f" {node['Alias']}"
    elif node.get("Function Name") or node.get("Alias"):
        head += f" on {node.get('Function Name') or node['Alias']}"
    if "Actual Rows" in node:
        head += f"  (actual time={node.get('Actual Total Time', 0):.3f} rows={node['Actual Rows']} loops={node.get('Actual Loops', 1)})"
    pad = "  " * depth
    lines = [pad + ("-> " if depth else "") + head]
    if "JIT" in node:
        j = node["JIT"]
        opts = "+".join(k.lower() for k, v in j.get("Options", {}).items() if v)
        total = j.get("Timing", {}).get("Total")
        total = total.get("Time", 0) if isinstance(total, dict) else total
        lines.append(f"  JIT: {j.get('Functions')} functions ({opts})" + (f", {total:.1f} ms" if total else ""))
    for key in DETAILS:
        if key in node:
            v = node[key]
            v = ", ".join(map(str, v)) if isinstance(v, list) else v
            lines.append(f"{pad}{'   ' if depth else ''}  {key}: {v}")
    for child in node.get("Plans", []):
        lines.extend(render(child, depth + 1))
    return lines


def summarise(records, large):
    """[{key, first, calls, mean, max, plan, flagged}] busiest first."""
    groups = {}
    for ms, sql, plan in records:
        g = groups.setdefault(normalise(sql), {"first": first_line(sql), "sql": sql, "runs": []})
        g["runs"].append((ms, plan))
    out = []
    for key, g in groups.items():
        runs = g["runs"]
        flagged = [(ms, p, seq_scans(p, large)) for ms, p in runs if seq_scans(p, large)]
        jit = [(ms, p) for ms, p in runs if "JIT" in p]
        ms, plan = max(flagged or jit or runs, key=lambda r: r[0])[:2]
        out.append({"key": key, "first": g["first"], "sql": g["sql"], "calls": len(runs),
                    "mean": sum(r[0] for r in runs) / len(runs), "max": max(r[0] for r in runs), "plan": plan,
                    "flagged": flagged[0][2] if flagged else [], "flagged_runs": len(flagged), "jit_runs": len(jit)})
    return sorted(out, key=lambda s: (-s["calls"], s["first"]))


def markdown(stmts, large, heading="###"):
    lines = ["| # | statement (first line) | runs | mean ms | max ms | large table read whole; JIT |", "|---|---|---|---|---|---|"]
    for i, s in enumerate(stmts, 1):
        flag = ", ".join(f"**{t}** ({r:,} rows, kept {k:,}) in {s['flagged_runs']} run(s)" for t, r, k in s["flagged"])
        if s["jit_runs"]:
            flag += ("; " if flag else "") + f"JIT-compiled in {s['jit_runs']} run(s)"
        first = s["first"].replace("|", "\\|")
        lines.append(f"| {i} | `{first[:110]}` | {s['calls']:,} | {s['mean']:.2f} | {s['max']:.2f} | {flag} |")
    lines.append("")
    for i, s in enumerate(stmts, 1):
        flag = (" — **Seq Scan on " + ", ".join(f"{t} ({r:,} rows, kept {k:,})" for t, r, k in s["flagged"]) + "**"
                if s["flagged"] else "")
        lines.append(f"{heading} {i}. `{s['first'][:120]}`{flag}")
        lines.append(f"Ran {s['calls']:,} times, mean {s['mean']:.2f} ms, max {s['max']:.2f} ms. "
                     f"{'A run that read a large table whole' if s['flagged'] else 'A JIT-compiled run' if s['jit_runs'] else 'Its slowest run'}:")
        lines.append("```")
        lines.append(s["key"][:600] + (" …" if len(s["key"]) > 600 else ""))
        lines.append("")
        lines.extend(render(s["plan"]))
        lines.append("```")
        lines.append("")
    return "\n".join(lines)


def main():
    import argparse
    p = argparse.ArgumentParser(description="one plan per distinct statement from auto_explain's jsonlog")
    p.add_argument("log")
    p.add_argument("--offset", type=int, default=0)
    p.add_argument("--db")
    p.add_argument("--large", nargs="*", default=[], help="table=rows (tables whose Seq Scan is flagged)")
    a = p.parse_args()
    large = {t: int(r) for t, r in (x.split("=") for x in a.large)}
    print(markdown(summarise(read_plans(a.log, a.offset, a.db), large), large))


if __name__ == "__main__":
    sys.exit(main())
