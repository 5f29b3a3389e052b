#!/usr/bin/env python3
# Usage: python3 tools/openapi-compare.py OLD.json NEW.json [ignored,leaf,keys]
"""Compare two OpenAPI documents field by field after normalising representation:
$refs resolved, OpenAPI 3.1 `type: [T, "null"]` / `oneOf [null, X]` turned into 3.0 `nullable: true`,
`required` and `enum` compared as sets. Prints every leaf that differs (incl. descriptions, formats)."""
import json, sys
old, new = (json.load(open(f)) for f in sys.argv[1:3])

def resolve(doc, node, seen=()):
    if isinstance(node, dict):
        if "$ref" in node:
            ref = node["$ref"]
            parts = ref.lstrip("#/").split("/")
            tgt = doc
            for p in parts: tgt = tgt[p]
            return resolve(doc, tgt, seen + (ref,))
        out = {}
        for k, v in node.items():
            out[k] = resolve(doc, v, seen)
        t = out.get("type")
        if isinstance(t, list) and "null" in t:
            rest = [x for x in t if x != "null"]
            out["type"] = rest[0] if len(rest) == 1 else rest
            out["nullable"] = True
        if "oneOf" in out:
            alts = out["oneOf"]
            nonnull = [a for a in alts if a.get("type") != "null"]
            if len(nonnull) == 1 and len(alts) == 2:
                del out["oneOf"]
                merged = dict(nonnull[0]); merged.update(out); merged["nullable"] = True
                out = merged
        if out.get("type") == "null" or out.get("enum") is not None and False:
            pass
        return out
    if isinstance(node, list):
        return [resolve(doc, v, seen) for v in node]
    return node

def walk(a, b, path, diffs):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a: diffs.append((path + "/" + k, "ADDED", b[k]))
            elif k not in b: diffs.append((path + "/" + k, "REMOVED", a[k]))
            elif k in ("required", "enum") and isinstance(a[k], list):
                if set(map(json.dumps, a[k])) != set(map(json.dumps, b[k])):
                    diffs.append((path + "/" + k, "CHANGED", (a[k], b[k])))
            else: walk(a[k], b[k], path + "/" + k, diffs)
    elif isinstance(a, list) and isinstance(b, list) and path.endswith("parameters"):
        da = {p["name"]: p for p in a}; db = {p["name"]: p for p in b}
        walk(da, db, path, diffs)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)): walk(x, y, f"{path}[{i}]", diffs)
    elif a != b:
        diffs.append((path, "CHANGED", (a, b)))

o = resolve(old, {"paths": old["paths"]})
n = resolve(new, {"paths": new["paths"]})
diffs = []
walk(o, n, "", diffs)
walk({k: v for k, v in old.items() if k not in ("paths", "components")},
     {k: v for k, v in new.items() if k not in ("paths", "components")}, "", diffs)
ign = set(sys.argv[3].split(",")) if len(sys.argv) > 3 else set()
for p, kind, v in diffs:
    leaf = p.rsplit("/", 1)[-1]
    if leaf in ign: continue
    print(kind, p, json.dumps(v)[:200])
print(len(diffs), "differences", file=sys.stderr)
